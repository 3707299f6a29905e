package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeyStore;
import dev.embed.chat.EmbedAgent;
import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.store.EmbedStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The library's running core: every service, built once from configuration by {@code
 * dev.embed.Embed}, and the endpoint table ({@link Endpoints}) that both adapters serve through it:
 * they hand it an {@link Exchange} and hold no route, CORS, cache-header or base-URL rule of their
 * own. Not an API: {@code dev.embed.internal} changes without notice.
 */
public final class Core implements AutoCloseable {
    /** Threads that call the agent: a call that blocks holds one of them. */
    static final int AGENT_THREADS = 16;

    /** Turns that may wait for an agent thread; beyond them a message gets an apology at once. */
    static final int AGENT_QUEUE = 10_000;

    /** Threads that complete long polls, so that no request thread writes another request's answer. */
    static final int DELIVERY_THREADS = 4;

    private static final System.Logger LOG = System.getLogger("dev.embed");

    private final EmbedConfig config;
    private final Clock clock;
    private final List<ExecutorService> ownExecutors;
    private final EmbedStore store;
    private final @Nullable EmbedAgent agent;
    private final TokenService tokens;
    private final ApiKeyStore apiKeys;
    private final MintService mint;
    private final Credentials credentials;
    private final ErrorWriter errors;
    private final VisitorTokenService visitorTokens;
    private final IframeLinkService iframeLinks;
    private final HostedPages pages;
    private final ChatService chat;
    private final Dispatcher dispatcher;

    private Core(Parts parts) {
        this.config = parts.config;
        this.clock = parts.clock;
        this.ownExecutors = parts.ownExecutors;
        this.store = Objects.requireNonNull(parts.store);
        this.agent = parts.agent;
        this.tokens = Objects.requireNonNull(parts.tokens);
        this.apiKeys = parts.apiKeys;
        int skew = parts.skew;
        AgentDirectory agents = new AgentDirectory(parts.agents);
        this.mint = new MintService(tokens, store, agents, skew, clock);
        this.credentials = new Credentials(tokens, apiKeys);
        this.errors = new ErrorWriter(Objects.requireNonNull(config.get(ConfigKey.REALM)));
        this.visitorTokens = VisitorTokenService.builder(config)
                .tokens(tokens)
                .store(store)
                .agents(agents)
                .clock(clock)
                .build();
        this.iframeLinks = new IframeLinkService(tokens, store, config.getBoolean(ConfigKey.IFRAME_SINGLE_USE), clock);
        this.pages = new HostedPages(
                new PageAssets(),
                new PageFraming(store.sessions(), tokens, iframeLinks, config.getList(ConfigKey.FRAME_ANCESTORS)),
                HostedPages.Options.from(config));
        LongPolls polls = new LongPolls(parts.scheduler, Objects.requireNonNull(parts.delivery));
        HeldRequests held = new HeldRequests(parts.maxHeld);
        EventStreams streams = new EventStreams(
                store, held, clock, parts.scheduler, Objects.requireNonNull(parts.delivery), parts.keepAliveMillis);
        AgentTurns turns = new AgentTurns(
                store,
                agent,
                clock,
                parts.scheduler,
                Objects.requireNonNull(parts.agentPool),
                Duration.ofSeconds(parts.agentTimeout),
                parts.maxMessages,
                streams);
        store.addListener(polls);
        store.addListener(streams);
        store.addListener(turns);
        turns.start();
        this.chat = new ChatService(store, turns, polls, streams, held, clock);
        this.dispatcher = new Dispatcher(
                Endpoints.table(
                        mint,
                        visitorTokens,
                        iframeLinks,
                        chat,
                        pages,
                        Json.write(tokens.keys().jwks()),
                        config.getBoolean(ConfigKey.OPENAPI_ENABLED) ? Endpoints.openApi() : null),
                credentials,
                errors,
                new CorsPolicy(config.getList(ConfigKey.CORS_ALLOWED_ORIGINS)),
                parts.maxBodyBytes,
                parts.publicBase);
    }

    // ---------------------------------------------------------------------------- the adapters' API

    /** Answers a request to one of the library's paths: the endpoint table's row, or its error. */
    public void handle(Exchange exchange) {
        dispatcher.handle(exchange);
    }

    /**
     * For a filter mapped in front of the host's own endpoints under a library prefix ({@code
     * /api/v1/embed/*}, {@code /api/v1/spaces/*}): answers preflights and refused credentials, lets
     * the library's own rows through to its servlet, and otherwise says who the caller is.
     */
    public Admission admit(Exchange exchange) {
        return dispatcher.admit(exchange);
    }

    /**
     * For a host endpoint behind the embed token check of JAX-RS ({@code @EmbedTokenRequired}):
     * the verified claims of a token of {@code sessionId} (the path's parameter; null answers 404),
     * and the headers the answer carries; empty when the refusal was answered through the exchange.
     */
    public Optional<Admission> admitEmbedToken(Exchange exchange, @Nullable String sessionId) {
        return dispatcher.admitEmbedToken(exchange, sessionId);
    }

    /**
     * For a host endpoint behind the API key check of JAX-RS ({@code @ApiKeyRequired}): the {@link
     * ApiKey} of {@code Authorization: Bearer sk_...} and the headers the answer carries; empty when
     * the refusal was answered through the exchange.
     */
    public Optional<Admission> admitApiKey(Exchange exchange) {
        return dispatcher.admitApiKey(exchange);
    }

    /**
     * Answers {@code error} (DESIGN §5) through the exchange: for a library error a host endpoint
     * raised (JAX-RS's exception mapper), written by the one error writer.
     */
    public void refuse(Exchange exchange, dev.embed.error.EmbedException error) {
        dispatcher.refuse(exchange, error.error());
    }

    /** Answers a browser preflight under a library prefix (or refuses a server-to-server one); false when none. */
    public boolean preflight(Exchange exchange) {
        return dispatcher.preflight(exchange);
    }

    /** The endpoint table, as Markdown. */
    public String endpoints() {
        return Endpoints.describe(dispatcher.mounts());
    }

    /** The endpoint table. */
    List<Mount> mounts() {
        return dispatcher.mounts();
    }

    /**
     * Assembles the library: reads and checks the configuration first (a mistake fails start-up
     * with a message naming the key, before anything is opened), then opens the store and starts
     * the threads.
     *
     * @param scheduler the host's scheduler, or null for the library's own
     * @param agent the host's agent, or null for none
     * @param apiKeys the host's key store, or null for the {@code embed.apiKey.<id>} lines
     * @param store the host's store, or null for the one {@code embed.store} names
     */
    public static Core start(
            EmbedConfig config,
            Clock clock,
            @Nullable ScheduledExecutorService scheduler,
            @Nullable EmbedAgent agent,
            @Nullable ApiKeyStore apiKeys,
            @Nullable EmbedStore store) {
        Parts parts = new Parts(config, clock);
        parts.skew = config.getInt(ConfigKey.CLOCK_SKEW_SECONDS, 0, 300);
        parts.maxBodyBytes = config.getInt(ConfigKey.MAX_BODY_BYTES, 1024, 10 * 1024 * 1024);
        parts.agentTimeout = config.getInt(ConfigKey.AGENT_TIMEOUT_SECONDS, 1, 600);
        parts.maxMessages = config.getInt(ConfigKey.CHAT_MAX_MESSAGES_PER_SESSION, 10, 100_000);
        parts.maxHeld = config.getInt(ConfigKey.CHAT_MAX_HELD_PER_SESSION, 1, 100);
        parts.keepAliveMillis =
                config.getInt(ConfigKey.EVENTS_KEEP_ALIVE_MILLIS, 10, (int) EventStreams.MAX_KEEP_ALIVE_MILLIS);
        int verifiedCacheSize = config.getInt(ConfigKey.TOKENS_VERIFIED_CACHE_SIZE, 0, 100_000_000);
        parts.publicBase = PublicBase.of(config);
        parts.agents = agents(config);
        KeyRing keys = KeyRing.fromConfig(config);
        if (apiKeys == null) {
            PropertiesApiKeyStore properties = new PropertiesApiKeyStore(config);
            if (properties.size() == 0) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: no API keys are configured (" + ConfigKey.API_KEY_PREFIX
                                + "<id> entries); every mint request will answer 401. Create one with the ApiKeyTool.");
            }
            parts.apiKeys = properties;
        } else {
            parts.apiKeys = apiKeys;
        }
        parts.agent = agent;
        try {
            if (scheduler == null) {
                ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(2, daemon("embed-scheduler"));
                own.setRemoveOnCancelPolicy(true);
                parts.ownExecutors.add(own);
                parts.scheduler = own;
            } else {
                parts.scheduler = scheduler;
            }
            ThreadPoolExecutor agentPool = new ThreadPoolExecutor(
                    AGENT_THREADS,
                    AGENT_THREADS,
                    60,
                    TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(AGENT_QUEUE),
                    daemon("embed-agent"));
            agentPool.allowCoreThreadTimeOut(true);
            parts.ownExecutors.add(agentPool);
            parts.agentPool = agentPool;
            ThreadPoolExecutor delivery = new ThreadPoolExecutor(
                    DELIVERY_THREADS,
                    DELIVERY_THREADS,
                    60,
                    TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(),
                    daemon("embed-delivery"));
            delivery.allowCoreThreadTimeOut(true);
            parts.ownExecutors.add(delivery);
            parts.delivery = delivery;
            parts.store = store != null ? store : openStore(config, clock, parts.scheduler);
            parts.tokens = new TokenService(
                    keys,
                    Objects.requireNonNull(config.get(ConfigKey.ISSUER)),
                    Objects.requireNonNull(config.get(ConfigKey.AUDIENCE)),
                    parts.skew,
                    clock,
                    parts.store.revocations(),
                    verifiedCacheSize);
            Core core = new Core(parts);
            if (agent == null) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: no agent is configured (" + ConfigKey.AGENT.key() + " or " + ConfigKey.AGENT.env()
                                + "); every chat message will get a reply saying so.");
            }
            if (!parts.store.durable()) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "embed: the store is " + parts.store.describe() + ": sessions, messages and links live in"
                                + " this JVM only, and nothing survives a restart (embed.store=jdbc keeps them in a"
                                + " database)");
            }
            LOG.log(
                    System.Logger.Level.INFO,
                    "embed: started; tokens signed with kid " + keys.signingKid() + "; store "
                            + parts.store.describe());
            return core;
        } catch (RuntimeException | Error e) {
            parts.ownExecutors.forEach(ExecutorService::shutdownNow);
            if (store == null && parts.store != null) {
                parts.store.close();
            }
            throw e;
        }
    }

    /** The store {@code embed.store} names: {@code memory} (the default), or a provider on the class path. */
    static EmbedStore openStore(EmbedConfig config, Clock clock, ScheduledExecutorService scheduler) {
        String name = config.get(ConfigKey.STORE, MemoryStore.NAME).strip();
        if (MemoryStore.NAME.equals(name)) {
            return MemoryStore.open(config, clock, scheduler);
        }
        Set<String> known = new TreeSet<>(List.of(MemoryStore.NAME));
        for (EmbedStore.Provider provider : providers()) {
            if (name.equals(provider.name())) {
                return provider.open(config, clock, scheduler);
            }
            known.add(provider.name());
        }
        throw config.invalid(
                ConfigKey.STORE,
                "names no store on the class path (found: " + String.join(", ", known)
                        + "); add the module that provides it, e.g. embed-store-jdbc for jdbc");
    }

    private static List<EmbedStore.Provider> providers() {
        List<EmbedStore.Provider> found = new ArrayList<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        for (ClassLoader loader : new LinkedHashSet<>(
                context == null
                        ? List.of(Core.class.getClassLoader())
                        : List.of(context, Core.class.getClassLoader()))) {
            ServiceLoader.load(EmbedStore.Provider.class, loader).forEach(found::add);
        }
        return found;
    }

    private static Set<String> agents(EmbedConfig config) {
        Set<String> agents = new LinkedHashSet<>(config.getList(ConfigKey.AGENTS));
        for (String agent : agents) {
            if (!agent.matches("[A-Za-z0-9._-]{1,128}/[A-Za-z0-9._-]{1,128}")) {
                throw new ConfigException(
                        "embed: " + ConfigKey.AGENTS.key() + " entry '" + agent + "' must be space/agent");
            }
        }
        return Set.copyOf(agents);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    EmbedConfig config() {
        return config;
    }

    Clock clock() {
        return clock;
    }

    public EmbedStore store() {
        return store;
    }

    TokenService tokens() {
        return tokens;
    }

    ApiKeyStore apiKeys() {
        return apiKeys;
    }

    MintService mint() {
        return mint;
    }

    /** Reads and checks credentials; shared by both adapters. */
    Credentials credentialReader() {
        return credentials;
    }

    /** The one writer of error answers. */
    ErrorWriter errors() {
        return errors;
    }

    /** The chat of the embed JSON endpoints (DESIGN §4). */
    ChatService chat() {
        return chat;
    }

    /** Flow C (DESIGN §3.2). */
    VisitorTokenService visitorTokens() {
        return visitorTokens;
    }

    /** Flow D (DESIGN §3.3). */
    IframeLinkService iframeLinks() {
        return iframeLinks;
    }

    /** The hosted pages (DESIGN §6), one instance for both adapters. */
    HostedPages pages() {
        return pages;
    }

    /** Event streams open right now. */
    public int openStreams() {
        return chat.openStreams();
    }

    /** Requests waiting for a message right now. */
    public int waitingRequests() {
        return chat.waitingCount();
    }

    /** Stops the chat and the library's own threads, then closes the store and the agent. */
    @Override
    public void close() {
        chat.close();
        ownExecutors.forEach(ExecutorService::shutdownNow);
        closeQuietly("the store", store);
        if (agent instanceof AutoCloseable closeable) {
            closeQuietly("the agent", closeable);
        }
    }

    private static void closeQuietly(String what, AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: closing " + what + " failed: " + e.getClass().getName(),
                    e);
        }
    }

    /**
     * What a filter in front of the host's endpoints does with a request ({@link #admit}).
     *
     * @param kind pass it on untouched, stop (the library answered), or pass it on as {@code caller}
     * @param caller the verified {@code dev.embed.token.EmbedClaims} or {@link ApiKey}, when admitted
     * @param headers what the answer to an admitted request carries (the library prefix's rules)
     */
    public record Admission(Kind kind, @Nullable Object caller, Map<String, String> headers) {
        static final Admission PASS = new Admission(Kind.PASS, null, Map.of());
        static final Admission ANSWERED = new Admission(Kind.ANSWERED, null, Map.of());

        Admission(Object caller, Map<String, String> headers) {
            this(Kind.ADMITTED, caller, headers);
        }

        public Admission {
            headers = Map.copyOf(headers);
        }

        /** What to do with the request. */
        public enum Kind {
            /** Not the filter's to check: the library's own endpoint (its servlet checks it), or no library prefix. */
            PASS,
            /** The library answered it (a preflight, a refused credential): stop. */
            ANSWERED,
            /** A host endpoint's request with a valid credential: pass it on with {@link #caller()}. */
            ADMITTED
        }
    }

    /** What {@link #start} has assembled so far. */
    private static final class Parts {
        final EmbedConfig config;
        final Clock clock;
        final List<ExecutorService> ownExecutors = new ArrayList<>();
        int skew;
        int maxBodyBytes;
        int agentTimeout;
        int maxMessages;
        int maxHeld;
        int keepAliveMillis;

        @SuppressWarnings("NullAway.Init") // set by start() before the core is built
        PublicBase publicBase;

        Set<String> agents = Set.of();

        @Nullable
        EmbedAgent agent;

        @SuppressWarnings("NullAway.Init") // set by start() before the core is built
        ApiKeyStore apiKeys;

        @SuppressWarnings("NullAway.Init")
        ScheduledExecutorService scheduler;

        @Nullable
        ExecutorService agentPool;

        @Nullable
        ExecutorService delivery;

        @Nullable
        EmbedStore store;

        @Nullable
        TokenService tokens;

        Parts(EmbedConfig config, Clock clock) {
            this.config = config;
            this.clock = clock;
        }
    }
}
