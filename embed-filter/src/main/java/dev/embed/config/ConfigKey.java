package dev.embed.config;

import org.jspecify.annotations.Nullable;

/**
 * Every configuration key of the library, with its environment variable, its default and its
 * meaning: the one place they are defined. The README's configuration table is checked against
 * this enum by a test.
 *
 * <p>Sources, later overriding earlier: context-params, the init-params of the filter or servlet
 * that starts the library, the properties file named by {@link #CONFIG_FILE}, Java system
 * properties, {@code EMBED_*} environment variables.
 */
public enum ConfigKey {
    SIGNING_SECRET(
            "embed.signing.secret",
            "EMBED_SIGNING_SECRET",
            null,
            true,
            "HS256 signing secret: base64 or base64url text of at least 32 random bytes. Required unless"
                    + " embed.devMode=true or an asymmetric embed.signing.algorithm is set."),
    SIGNING_PREVIOUS_SECRETS(
            "embed.signing.previousSecrets",
            "EMBED_SIGNING_PREVIOUS_SECRETS",
            "",
            true,
            "Comma-separated earlier HS256 secrets that still verify (never sign): rotate without downtime."),
    SIGNING_ALGORITHM(
            "embed.signing.algorithm",
            "EMBED_SIGNING_ALGORITHM",
            "HS256",
            false,
            "HS256, ES256 or RS256: the algorithm that signs new tokens."),
    SIGNING_JWKS(
            "embed.signing.jwks",
            "EMBED_SIGNING_JWKS",
            "",
            true,
            "For ES256/RS256: a JWK Set with private keys, as JSON text or file:/path. Every key verifies;"
                    + " the one named by embed.signing.kid (else the first) signs. Public halves are served at"
                    + " /.well-known/jwks.json."),
    SIGNING_KID(
            "embed.signing.kid",
            "EMBED_SIGNING_KID",
            "",
            false,
            "For ES256/RS256: the kid of the JWK that signs. Default: the first key of embed.signing.jwks."),
    ISSUER("embed.issuer", "EMBED_ISSUER", "embed", false, "The iss claim of every token, checked on verification."),
    AUDIENCE(
            "embed.audience",
            "EMBED_AUDIENCE",
            "embed",
            false,
            "The aud claim of every token, checked on verification."),
    CLOCK_SKEW_SECONDS(
            "embed.clockSkewSeconds",
            "EMBED_CLOCK_SKEW_SECONDS",
            "30",
            false,
            "Seconds of clock skew tolerated on exp, nbf and iat (0-300)."),
    PUBLIC_BASE_URL(
            "embed.publicBaseUrl",
            "EMBED_PUBLIC_BASE_URL",
            "",
            false,
            "Absolute URL (with the context path) that browsers use to reach this application, for"
                    + " embedUrl, embedApi and iframe_url. Default: taken from each mint request's scheme, host and"
                    + " context path, only for a host in embed.allowedHosts (or in dev mode); set it in production"
                    + " and behind a proxy."),
    ALLOWED_HOSTS(
            "embed.allowedHosts",
            "EMBED_ALLOWED_HOSTS",
            "localhost 127.0.0.1 [::1]",
            false,
            "Without embed.publicBaseUrl: the hosts (name or name:port, space-separated) whose Host header may"
                    + " decide the URLs a mint generates; a mint sent to another host answers 400 naming"
                    + " embed.publicBaseUrl (the Host header is the caller's to choose). embed.devMode=true allows"
                    + " any."),
    FRAME_ANCESTORS(
            "embed.frameAncestors",
            "EMBED_FRAME_ANCESTORS",
            "'self'",
            false,
            "Space-separated origins allowed to frame the hosted pages when the minting key names none."),
    PAGES_ALLOW_TOP_LEVEL(
            "embed.pages.allowTopLevel",
            "EMBED_PAGES_ALLOW_TOP_LEVEL",
            "false",
            false,
            "true lets the hosted pages run outside a frame (a webview that must load the page directly)."
                    + " Default false: a top-level visit (Sec-Fetch-Dest: document) answers 403 and the page"
                    + " script refuses to start when it is not framed."),
    PAGES_EVENT_STREAM(
            "embed.pages.eventStream",
            "EMBED_PAGES_EVENT_STREAM",
            "true",
            false,
            "true: the hosted page shows replies as they are written, from the event stream (GET"
                    + " .../chat-sessions/{id}/events), and falls back to long polling where the stream fails;"
                    + " false: long polling only (e.g. behind a proxy that buffers responses)."),
    OPENAPI_ENABLED(
            "embed.openapi.enabled",
            "EMBED_OPENAPI_ENABLED",
            "false",
            false,
            "true serves the OpenAPI 3.1 document of the library's HTTP API at GET /api/v1/openapi.yaml (public,"
                    + " short cache): the endpoints, their bodies and errors, not this deployment's settings."),
    MAX_BODY_BYTES(
            "embed.maxBodyBytes",
            "EMBED_MAX_BODY_BYTES",
            "65536",
            false,
            "Largest accepted request body in bytes (1024-10485760); larger bodies answer 413."),
    REALM("embed.realm", "EMBED_REALM", "embed", false, "The realm of WWW-Authenticate challenges."),
    DEV_MODE(
            "embed.devMode",
            "EMBED_DEV_MODE",
            "false",
            false,
            "true only for demos and development: without a signing secret, generate an ephemeral one"
                    + " (logged as a warning; tokens do not survive a restart)."),
    CONFIG_FILE(
            "embed.configFile",
            "EMBED_CONFIG_FILE",
            "",
            false,
            "Path of an optional properties file read after context- and init-params."),
    API_KEY_STORE(
            "embed.apiKeyStore",
            "EMBED_API_KEY_STORE",
            "",
            false,
            "Class name of the host's dev.embed.apikey.ApiKeyStore (public no-arg or (EmbedConfig)"
                    + " constructor). Default: keys from embed.apiKey.<id> entries."),
    STORE(
            "embed.store",
            "EMBED_STORE",
            "memory",
            false,
            "Where sessions, messages, revocations, flow D links and rate limits are kept: memory (bounded,"
                    + " this JVM only; nothing survives a restart) or the name of a dev.embed.store.EmbedStore.Provider"
                    + " on the class path, e.g. jdbc (module embed-store-jdbc)."),
    SESSIONS_MAXIMUM_SIZE(
            "embed.sessions.maximumSize",
            "EMBED_SESSIONS_MAXIMUM_SIZE",
            "1000000",
            false,
            "embed.store=memory: most sessions kept in all, and as many rate-limit states; beyond it a new one"
                    + " answers 429 (nothing is evicted to make room)."),
    MEMORY_MAX_BYTES(
            "embed.memory.maxBytes",
            "EMBED_MEMORY_MAX_BYTES",
            "",
            false,
            "embed.store=memory: bytes of heap the store may hold in all (messages, sessions, links, revocations,"
                    + " rate-limit states; text counts 2 bytes a char). Default: 25% of the heap (-Xmx); at least"
                    + " 4194304, at most the heap. Past it a new session or message answers 429."),
    MEMORY_TENANT_SHARE_PERCENT(
            "embed.memory.tenantSharePercent",
            "EMBED_MEMORY_TENANT_SHARE_PERCENT",
            "50",
            false,
            "embed.store=memory: percent of embed.memory.maxBytes one tenant may hold (1-100); past it that"
                    + " tenant's new sessions and messages answer 429. With n tenants, 100/n or less keeps room"
                    + " for each."),
    MEMORY_MAX_SESSION_BYTES(
            "embed.memory.maxSessionBytes",
            "EMBED_MEMORY_MAX_SESSION_BYTES",
            "",
            false,
            "embed.store=memory: bytes of messages one session may hold, counting room reserved for each"
                    + " awaited reply (262144 to a tenant's share). Default: 4194304, or a tenant's share if"
                    + " smaller. Past it a message answers 429."),
    MEMORY_MAX_SESSIONS_PER_TENANT(
            "embed.memory.maxSessionsPerTenant",
            "EMBED_MEMORY_MAX_SESSIONS_PER_TENANT",
            "100000",
            false,
            "embed.store=memory: most live sessions of one tenant (1 to embed.sessions.maximumSize); past it"
                    + " that tenant's mints answer 429 until sessions end or expire."),
    TOKENS_VERIFIED_CACHE_SIZE(
            "embed.tokens.verifiedCacheSize",
            "EMBED_TOKENS_VERIFIED_CACHE_SIZE",
            "1000000",
            false,
            "Most verified embed tokens remembered so that a repeated token skips signature and JSON work"
                    + " (0-100000000; 0 turns it off). Each entry expires at its token's exp; exp, nbf and"
                    + " revocation are still checked on every request. About 480 bytes of heap per entry (the"
                    + " token's SHA-256 and its claims, never the token)."),
    AGENTS(
            "embed.agents",
            "EMBED_AGENTS",
            "",
            false,
            "Comma-separated space/agent pairs that exist (unknown ones answer 404). Empty: every agent an"
                    + " API key may mint for exists."),
    CORS_ALLOWED_ORIGINS(
            "embed.cors.allowedOrigins",
            "EMBED_CORS_ALLOWED_ORIGINS",
            "*",
            false,
            "Origins allowed to call the embed JSON endpoints from a browser (space-separated, or *)."
                    + " Credentials (cookies) are never allowed."),
    AGENT(
            "embed.agent",
            "EMBED_AGENT",
            "",
            false,
            "Class name of the host's dev.embed.chat.EmbedAgent (public no-arg or (EmbedConfig)"
                    + " constructor). Default: none; every chat message then gets a reply saying no agent is"
                    + " configured."),
    AGENT_TIMEOUT_SECONDS(
            "embed.agent.timeoutSeconds",
            "EMBED_AGENT_TIMEOUT_SECONDS",
            "30",
            false,
            "Seconds the agent may take to answer one message (1-600); after that the session gets a"
                    + " message saying the agent could not answer."),
    CHAT_MAX_MESSAGES_PER_SESSION(
            "embed.chat.maxMessagesPerSession",
            "EMBED_CHAT_MAX_MESSAGES_PER_SESSION",
            "1000",
            false,
            "Most messages kept per session by the memory store, and handed to the agent with a message"
                    + " (10-100000); the oldest go first."),
    // Event streams and held requests (issue 14).
    EVENTS_KEEP_ALIVE_MILLIS(
            "embed.events.keepAliveMillis",
            "EMBED_EVENTS_KEEP_ALIVE_MILLIS",
            "15000",
            false,
            "Milliseconds between the comment lines that keep an idle event stream (GET"
                    + " .../chat-sessions/{id}/events) open through proxies (10-15000)."),
    CHAT_MAX_HELD_PER_SESSION(
            "embed.chat.maxHeldPerSession",
            "EMBED_CHAT_MAX_HELD_PER_SESSION",
            "8",
            false,
            "Most event streams and long polls (?wait=) one session may hold open at once (1-100); one"
                    + " more answers 429 rate_limited."),
    VISITOR_RATE_LIMIT_PER_MINUTE(
            "embed.visitor.rateLimit.perMinute",
            "EMBED_VISITOR_RATE_LIMIT_PER_MINUTE",
            "10",
            false,
            "Flow C: visitor tokens one (key, agent, fingerprint) may mint per minute, refilled continuously"
                    + " (1-100000); beyond it POST /v1/embed-tokens/request answers 429 with Retry-After."),
    VISITOR_RATE_LIMIT_BURST(
            "embed.visitor.rateLimit.burst",
            "EMBED_VISITOR_RATE_LIMIT_BURST",
            "5",
            false,
            "Flow C: most visitor tokens one (key, agent, fingerprint) may mint at once, before the per-minute"
                    + " rate applies (1-100000)."),
    IFRAME_SINGLE_USE(
            "embed.iframe.singleUse",
            "EMBED_IFRAME_SINGLE_USE",
            "true",
            false,
            "Flow D: true redeems a cache_key once (POST /api/v1/iframe/token); false lets it be redeemed again"
                    + " until its token expires."),
    LANGCHAIN4J_PROVIDER(
            "embed.langchain4j.provider",
            "EMBED_LANGCHAIN4J_PROVIDER",
            null,
            false,
            "embed-langchain4j: openai (any OpenAI-compatible server: OpenAI, Azure, vLLM, LiteLLM...), anthropic"
                    + " or ollama. Required when embed.agent is dev.embed.langchain4j.LangChain4jAgent."),
    LANGCHAIN4J_BASE_URL(
            "embed.langchain4j.baseUrl",
            "EMBED_LANGCHAIN4J_BASE_URL",
            "",
            false,
            "embed-langchain4j: the provider's API base URL (http or https). Default: https://api.openai.com/v1,"
                    + " https://api.anthropic.com/v1 or http://localhost:11434 by provider."),
    LANGCHAIN4J_API_KEY(
            "embed.langchain4j.apiKey",
            "EMBED_LANGCHAIN4J_API_KEY",
            "",
            true,
            "embed-langchain4j: the provider's API key; required for openai and anthropic, optional for ollama"
                    + " (sent as a Bearer token to a proxy in front of it). Never logged or shown."),
    LANGCHAIN4J_MODEL(
            "embed.langchain4j.model",
            "EMBED_LANGCHAIN4J_MODEL",
            null,
            false,
            "embed-langchain4j: the provider's model name, e.g. gpt-4.1-mini, claude-sonnet-4-5 or llama3.2."
                    + " Required."),
    LANGCHAIN4J_SYSTEM_PROMPT(
            "embed.langchain4j.systemPrompt",
            "EMBED_LANGCHAIN4J_SYSTEM_PROMPT",
            "You are a helpful assistant. Answer the user's questions accurately and concisely.",
            false,
            "embed-langchain4j: the system prompt. embed.langchain4j.systemPrompt.<space>/<agent> (or"
                    + " .<space>) sets one for a space's agent (or for all agents of a space); no environment"
                    + " variable for those."),
    LANGCHAIN4J_TIMEOUT_SECONDS(
            "embed.langchain4j.timeoutSeconds",
            "EMBED_LANGCHAIN4J_TIMEOUT_SECONDS",
            "30",
            false,
            "embed-langchain4j: seconds (1-600) to connect to the provider and for it to start answering; the"
                    + " whole reply is bounded by embed.agent.timeoutSeconds."),
    STORE_JDBC_DATA_SOURCE(
            "embed.store.jdbc.dataSource",
            "EMBED_STORE_JDBC_DATA_SOURCE",
            "",
            false,
            "embed.store=jdbc: JNDI name of the container's DataSource, e.g. java:comp/env/jdbc/embed."
                    + " Set this or embed.store.jdbc.url."),
    STORE_JDBC_URL(
            "embed.store.jdbc.url",
            "EMBED_STORE_JDBC_URL",
            "",
            false,
            "embed.store=jdbc: JDBC URL that the library pools itself (HikariCP), e.g."
                    + " jdbc:postgresql://db/embed or jdbc:h2:file:/var/lib/app/embed. The driver is the host's."),
    STORE_JDBC_USER(
            "embed.store.jdbc.user",
            "EMBED_STORE_JDBC_USER",
            "",
            false,
            "embed.store=jdbc: the database user of embed.store.jdbc.url."),
    STORE_JDBC_PASSWORD(
            "embed.store.jdbc.password",
            "EMBED_STORE_JDBC_PASSWORD",
            "",
            true,
            "embed.store=jdbc: the password of embed.store.jdbc.user."),
    STORE_JDBC_TABLE_PREFIX(
            "embed.store.jdbc.tablePrefix",
            "EMBED_STORE_JDBC_TABLE_PREFIX",
            "embed_",
            false,
            "embed.store=jdbc: prefix of the store's table names: a lowercase identifier of 1-30 characters."),
    STORE_JDBC_SCHEMA(
            "embed.store.jdbc.schema",
            "EMBED_STORE_JDBC_SCHEMA",
            "validate",
            false,
            "embed.store=jdbc: validate (start-up fails, naming the SQL a DBA applies, when a schema version is"
                    + " missing) or upgrade (the library applies what is missing, under a lock)."),
    STORE_JDBC_POOL_SIZE(
            "embed.store.jdbc.poolSize",
            "EMBED_STORE_JDBC_POOL_SIZE",
            "10",
            false,
            "embed.store=jdbc with a URL: most pooled connections (1-1000)."),
    STORE_JDBC_TIMEOUT_SECONDS(
            "embed.store.jdbc.timeoutSeconds",
            "EMBED_STORE_JDBC_TIMEOUT_SECONDS",
            "5",
            false,
            "embed.store=jdbc: longest wait for a connection, a login and each statement (1-300); a database"
                    + " that is down or slower answers 503 with Retry-After."),
    STORE_JDBC_POLL_MILLIS(
            "embed.store.jdbc.pollMillis",
            "EMBED_STORE_JDBC_POLL_MILLIS",
            "250",
            false,
            "embed.store=jdbc: how often each node reads what other nodes changed (50-1000 ms), behind"
                    + " PostgreSQL's LISTEN/NOTIFY."),
    STORE_JDBC_SWEEP_SECONDS(
            "embed.store.jdbc.sweepSeconds",
            "EMBED_STORE_JDBC_SWEEP_SECONDS",
            "60",
            false,
            "embed.store=jdbc: how often expired rows are deleted, in bounded batches (1-86400)."),
    STORE_JDBC_CACHE_MEGABYTES(
            "embed.store.jdbc.cacheMegabytes",
            "EMBED_STORE_JDBC_CACHE_MEGABYTES",
            "64",
            false,
            "embed.store=jdbc: heap for this node's copies of sessions and recent messages (0-65536; 0 reads"
                    + " every time from the database)."),
    STORE_JDBC_MAX_SESSION_BYTES(
            "embed.store.jdbc.maxSessionBytes",
            "EMBED_STORE_JDBC_MAX_SESSION_BYTES",
            "4194304",
            false,
            "embed.store=jdbc: most bytes of message text one session may store (65536-1073741824); past it a"
                    + " message answers 429.");

    /** Prefix of the per-key entries of the default API-key store: {@code embed.apiKey.<id>}. */
    public static final String API_KEY_PREFIX = "embed.apiKey.";

    /** Environment variable prefix of the same entries: {@code EMBED_API_KEY_<ID>}. */
    public static final String API_KEY_ENV_PREFIX = "EMBED_API_KEY_";

    /**
     * Prefix of the per-agent system prompts of embed-langchain4j: {@code
     * embed.langchain4j.systemPrompt.<space>/<agent>} or {@code embed.langchain4j.systemPrompt.<space>}.
     */
    public static final String LANGCHAIN4J_SYSTEM_PROMPT_PREFIX = "embed.langchain4j.systemPrompt.";

    private final String key;
    private final String env;
    private final @Nullable String defaultValue;
    private final boolean secret;
    private final String description;

    ConfigKey(String key, String env, @Nullable String defaultValue, boolean secret, String description) {
        this.key = key;
        this.env = env;
        this.defaultValue = defaultValue;
        this.secret = secret;
        this.description = description;
    }

    /** The property / init-param name, e.g. {@code embed.signing.secret}. */
    public String key() {
        return key;
    }

    /** The environment variable, e.g. {@code EMBED_SIGNING_SECRET}. */
    public String env() {
        return env;
    }

    /** The default, or {@code null} when the key has none. */
    public @Nullable String defaultValue() {
        return defaultValue;
    }

    /** Whether the value is a secret: never logged, never put in an error message. */
    public boolean secret() {
        return secret;
    }

    public String description() {
        return description;
    }
}
