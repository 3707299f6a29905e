package dev.embed;

import dev.embed.apikey.ApiKeyStore;
import dev.embed.chat.EmbedAgent;
import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.internal.CaffeineCredentialCache;
import dev.embed.internal.ChatService;
import dev.embed.internal.ChatStore;
import dev.embed.internal.CredentialCache;
import dev.embed.internal.Credentials;
import dev.embed.internal.ErrorWriter;
import dev.embed.internal.IframeLinkService;
import dev.embed.internal.InMemorySessionRegistry;
import dev.embed.internal.KeyRing;
import dev.embed.internal.MintService;
import dev.embed.internal.PropertiesApiKeyStore;
import dev.embed.internal.SessionRegistry;
import dev.embed.internal.TokenService;
import dev.embed.internal.VisitorTokenService;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The library, assembled once per web application: configuration, keys, token service, API-key
 * store, session registry and the services both adapters call. Immutable and thread-safe.
 *
 * <p>The servlet adapter builds it from {@code web.xml} and keeps it in the {@code
 * ServletContext} attribute {@link #ATTRIBUTE}. A host app that wants to supply its own
 * collaborators in code builds one with {@link #builder(EmbedConfig)} and sets that attribute from
 * its own {@code ServletContextListener} before the filters start.
 */
public final class Embed implements AutoCloseable {
    /** {@code ServletContext} attribute that holds the application's instance. */
    public static final String ATTRIBUTE = Embed.class.getName();

    private static final System.Logger LOG = System.getLogger("dev.embed");

    private final EmbedConfig config;
    private final Clock clock;
    private final TokenService tokens;
    private final ApiKeyStore apiKeys;
    private final SessionRegistry sessions;
    private final CredentialCache credentials;
    private final MintService mint;
    private final Credentials credentialReader;
    private final ErrorWriter errors;
    private final int maxBodyBytes;
    private final String publicBaseUrl;
    private final List<String> corsAllowedOrigins;
    private final List<String> frameAncestors;
    private final ChatService chat;
    private final VisitorTokenService visitorTokens;
    private final IframeLinkService iframeLinks;

    private Embed(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        int skew = config.getInt(ConfigKey.CLOCK_SKEW_SECONDS, 0, 300);
        int maxSessions = config.getInt(ConfigKey.SESSIONS_MAXIMUM_SIZE, 1, 100_000_000);
        this.maxBodyBytes = config.getInt(ConfigKey.MAX_BODY_BYTES, 1024, 10 * 1024 * 1024);
        this.credentials = b.credentials != null ? b.credentials : new CaffeineCredentialCache(clock, maxSessions);
        KeyRing keys = b.keys != null ? b.keys : KeyRing.fromConfig(config);
        this.tokens = new TokenService(
                keys,
                Objects.requireNonNull(config.get(ConfigKey.ISSUER)),
                Objects.requireNonNull(config.get(ConfigKey.AUDIENCE)),
                skew,
                clock,
                credentials,
                config.getInt(ConfigKey.TOKENS_VERIFIED_CACHE_SIZE, 0, 100_000_000));
        this.apiKeys = b.apiKeys != null
                ? b.apiKeys
                : instantiate(ConfigKey.API_KEY_STORE, ApiKeyStore.class)
                        .orElseGet(() -> new PropertiesApiKeyStore(config));
        this.sessions = b.sessions != null
                ? b.sessions
                : instantiate(ConfigKey.SESSION_REGISTRY, SessionRegistry.class)
                        .orElseGet(() -> new InMemorySessionRegistry(clock, maxSessions));
        Set<String> agents = new LinkedHashSet<>(config.getList(ConfigKey.AGENTS));
        for (String agent : agents) {
            if (!agent.matches("[A-Za-z0-9._-]{1,128}/[A-Za-z0-9._-]{1,128}")) {
                throw new ConfigException(
                        "embed: " + ConfigKey.AGENTS.key() + " entry '" + agent + "' must be space/agent");
            }
        }
        this.mint = new MintService(tokens, sessions, credentials, agents, skew, clock);
        this.credentialReader = new Credentials(tokens, apiKeys);
        this.errors = new ErrorWriter(Objects.requireNonNull(config.get(ConfigKey.REALM)));
        this.visitorTokens = VisitorTokenService.builder(config)
                .tokens(tokens)
                .credentials(credentialReader)
                .sessions(sessions)
                .cache(credentials)
                .mint(mint)
                .knownAgents(agents)
                .errors(errors)
                .maxBodyBytes(maxBodyBytes)
                .skewSeconds(skew)
                .clock(clock)
                .build();
        this.iframeLinks = new IframeLinkService(
                tokens, sessions, credentials, config.getBoolean(ConfigKey.IFRAME_SINGLE_USE), clock);
        String base = config.get(ConfigKey.PUBLIC_BASE_URL, "");
        if (!base.isEmpty() && !base.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            throw config.invalid(
                    ConfigKey.PUBLIC_BASE_URL, "must be an absolute http(s) URL without query or fragment");
        }
        this.publicBaseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.corsAllowedOrigins = config.getList(ConfigKey.CORS_ALLOWED_ORIGINS);
        this.frameAncestors = config.getList(ConfigKey.FRAME_ANCESTORS);
        if (apiKeys instanceof PropertiesApiKeyStore properties && properties.size() == 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: no API keys are configured (" + ConfigKey.API_KEY_PREFIX
                            + "<id> entries); every mint request will answer 401. Create one with the ApiKeyTool.");
        }
        int agentTimeout = config.getInt(ConfigKey.AGENT_TIMEOUT_SECONDS, 1, 600);
        int maxMessages = config.getInt(ConfigKey.CHAT_MAX_MESSAGES_PER_SESSION, 10, 100_000);
        EmbedAgent agent = b.agent != null
                ? b.agent
                : instantiate(ConfigKey.AGENT, EmbedAgent.class).orElse(null);
        if (agent == null) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: no agent is configured (" + ConfigKey.AGENT.key() + " or " + ConfigKey.AGENT.env()
                            + "); every chat message will get a reply saying so.");
        }
        this.chat = ChatService.builder(sessions)
                .agent(agent)
                .store(b.chatStore)
                .clock(clock)
                .agentTimeout(Duration.ofSeconds(agentTimeout))
                .maxSessions(maxSessions)
                .maxMessagesPerSession(maxMessages)
                .messageGate(iframeLinks.messageGate())
                .build();
        LOG.log(System.Logger.Level.INFO, "embed: started; tokens signed with kid " + keys.signingKid());
    }

    public static Builder builder(EmbedConfig config) {
        return new Builder(config);
    }

    /** Assembles the library from configuration alone. */
    public static Embed fromConfig(EmbedConfig config) {
        return builder(config).build();
    }

    public EmbedConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public TokenService tokens() {
        return tokens;
    }

    public ApiKeyStore apiKeys() {
        return apiKeys;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public CredentialCache credentials() {
        return credentials;
    }

    public MintService mint() {
        return mint;
    }

    /** Reads and checks credentials; shared by both adapters. */
    public Credentials credentialReader() {
        return credentialReader;
    }

    /** The one writer of error answers. */
    public ErrorWriter errors() {
        return errors;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The configured public base URL, without a trailing slash, or empty to derive it per request. */
    public Optional<String> publicBaseUrl() {
        return publicBaseUrl.isEmpty() ? Optional.empty() : Optional.of(publicBaseUrl);
    }

    public List<String> corsAllowedOrigins() {
        return corsAllowedOrigins;
    }

    public List<String> frameAncestors() {
        return frameAncestors;
    }

    /** The chat of the embed JSON endpoints (DESIGN §4); shared by both adapters. */
    public ChatService chat() {
        return chat;
    }

    /** Flow C (DESIGN §3.2): visitor tokens; shared by both adapters. */
    public VisitorTokenService visitorTokens() {
        return visitorTokens;
    }

    /** Flow D (DESIGN §3.3): cached iframe links; shared by both adapters. */
    public IframeLinkService iframeLinks() {
        return iframeLinks;
    }

    /** Stops the chat's threads. */
    @Override
    public void close() {
        chat.close();
    }

    private <T> Optional<T> instantiate(ConfigKey key, Class<T> type) {
        String className = config.get(key, "");
        if (className.isEmpty()) {
            return Optional.empty();
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> cls = Class.forName(className, true, loader != null ? loader : Embed.class.getClassLoader());
            if (!type.isAssignableFrom(cls)) {
                throw config.invalid(key, "must name a class that implements " + type.getName());
            }
            for (Constructor<?> constructor : cls.getConstructors()) {
                if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0] == EmbedConfig.class) {
                    return Optional.of(type.cast(constructor.newInstance(config)));
                }
            }
            return Optional.of(type.cast(cls.getConstructor().newInstance()));
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(
                    "embed: cannot create " + className + " named by " + key.key()
                            + ": it needs a public no-arg or (EmbedConfig) constructor (" + e + ")",
                    e);
        }
    }

    /** Builds an {@link Embed}; collaborators left unset come from configuration. */
    public static final class Builder {
        private final EmbedConfig config;
        private Clock clock = Clock.systemUTC();
        private @Nullable KeyRing keys;
        private @Nullable ApiKeyStore apiKeys;
        private @Nullable SessionRegistry sessions;
        private @Nullable CredentialCache credentials;
        private @Nullable EmbedAgent agent;
        private @Nullable ChatStore chatStore;

        private Builder(EmbedConfig config) {
            this.config = config;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder keys(KeyRing keys) {
            this.keys = keys;
            return this;
        }

        public Builder apiKeys(ApiKeyStore apiKeys) {
            this.apiKeys = apiKeys;
            return this;
        }

        public Builder sessions(SessionRegistry sessions) {
            this.sessions = sessions;
            return this;
        }

        public Builder credentials(CredentialCache credentials) {
            this.credentials = credentials;
            return this;
        }

        /** The host's agent; overrides {@code embed.agent}. */
        public Builder agent(@Nullable EmbedAgent agent) {
            this.agent = agent;
            return this;
        }

        /** Where chat messages are kept. Default: bounded, in memory. */
        public Builder chatStore(ChatStore chatStore) {
            this.chatStore = chatStore;
            return this;
        }

        public Embed build() {
            return new Embed(this);
        }
    }
}
