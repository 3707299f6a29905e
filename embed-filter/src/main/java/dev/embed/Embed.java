package dev.embed;

import dev.embed.apikey.ApiKeyStore;
import dev.embed.chat.EmbedAgent;
import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.internal.Core;
import dev.embed.store.EmbedStore;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The library, assembled once per web application from its configuration: keys, API-key store,
 * store, agent and the HTTP endpoints both adapters serve. Immutable and thread-safe.
 *
 * <p>The servlet adapter builds it from {@code web.xml} ({@code dev.embed.servlet.EmbedListener})
 * and keeps it in the {@code ServletContext} attribute {@link #ATTRIBUTE}; the JAX-RS adapter takes
 * one in {@code new EmbedFeature(embed)}. A host app that supplies collaborators in code builds one
 * with {@link #builder(EmbedConfig)} and sets that attribute from its own {@code
 * ServletContextListener} before the library's components start:
 *
 * <pre>{@code
 * Embed embed = Embed.builder(config)
 *         .agent(new SupportAgent())               // else embed.agent names the class
 *         .apiKeys(new JdbcApiKeyStore(dataSource)) // else embed.apiKeyStore, else embed.apiKey.<id> lines
 *         .build();
 * servletContext.setAttribute(Embed.ATTRIBUTE, embed);
 * }</pre>
 *
 * {@link #close()} stops its threads and closes the store and the agent when they are {@link
 * AutoCloseable}.
 */
public final class Embed implements AutoCloseable {
    /** {@code ServletContext} attribute that holds the application's instance. */
    public static final String ATTRIBUTE = Embed.class.getName();

    private final EmbedConfig config;
    private final Core core;

    private final AtomicBoolean closed = new AtomicBoolean();

    private Embed(Builder b) {
        this.config = b.config;
        EmbedAgent agent = b.agent != null ? b.agent : instantiate(config, ConfigKey.AGENT, EmbedAgent.class);
        try {
            ApiKeyStore apiKeys =
                    b.apiKeys != null ? b.apiKeys : instantiate(config, ConfigKey.API_KEY_STORE, ApiKeyStore.class);
            this.core = Core.start(config, b.clock, b.scheduler, agent, apiKeys, b.store);
        } catch (RuntimeException | Error e) {
            // The start failed: an agent this class created from configuration is nobody else's to close.
            if (b.agent == null && agent instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /** A builder; collaborators left unset come from configuration. */
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

    /** The store that keeps sessions, messages, revocations, links and rate limits ({@code embed.store}). */
    public EmbedStore store() {
        return core.store();
    }

    /** Requests held open right now waiting for a message (long polls), across sessions: a gauge for metrics. */
    public int waitingRequests() {
        return core.waitingRequests();
    }

    /**
     * The library's internal core, for its own servlet and JAX-RS adapters. {@code dev.embed.internal}
     * is not an API: it changes without notice.
     */
    public Core core() {
        return core;
    }

    /**
     * Stops the library's threads, then closes the store and the agent if they are {@link
     * AutoCloseable}. Only the first call does anything.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            core.close();
        }
    }

    /**
     * A host class named by configuration: its public {@code (EmbedConfig)} constructor, else its
     * public no-arg one; null when the key is not set. What the constructor throws reaches the
     * caller as is when it is a {@link ConfigException}, else wrapped in one that names the key.
     */
    static <T> @Nullable T instantiate(EmbedConfig config, ConfigKey key, Class<T> type) {
        String className = config.get(key, "");
        if (className.isEmpty()) {
            return null;
        }
        Class<?> cls;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            cls = Class.forName(className, true, loader != null ? loader : Embed.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException(
                    "embed: " + key.key() + " names the class " + className + ", which is not found on the class path",
                    e);
        } catch (LinkageError e) {
            // Found, but it (or a class it needs) cannot be loaded or initialized: say which.
            Throwable why = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            throw new ConfigException(
                    "embed: " + key.key() + " names the class " + className + ", which cannot be loaded ("
                            + why.getClass().getName() + (why.getMessage() == null ? "" : ": " + why.getMessage())
                            + ")",
                    e);
        }
        if (!type.isAssignableFrom(cls)) {
            throw config.invalid(key, "must name a class that implements " + type.getName());
        }
        Constructor<?> constructor = null;
        boolean withConfig = false;
        for (Constructor<?> candidate : cls.getConstructors()) {
            if (candidate.getParameterCount() == 1 && candidate.getParameterTypes()[0] == EmbedConfig.class) {
                constructor = candidate;
                withConfig = true;
            } else if (candidate.getParameterCount() == 0 && constructor == null) {
                constructor = candidate;
            }
        }
        if (constructor == null) {
            throw new ConfigException("embed: cannot create " + className + " named by " + key.key()
                    + ": it needs a public no-arg or (EmbedConfig) constructor");
        }
        try {
            return type.cast(withConfig ? constructor.newInstance(config) : constructor.newInstance());
        } catch (InvocationTargetException e) {
            Throwable cause = Objects.requireNonNullElse(e.getCause(), e);
            if (cause instanceof ConfigException configuration) {
                throw configuration;
            }
            throw new ConfigException(
                    "embed: " + className + " named by " + key.key() + " failed in its constructor ("
                            + cause.getClass().getName() + ")",
                    cause);
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(
                    "embed: cannot create " + className + " named by " + key.key()
                            + ": it needs a public no-arg or (EmbedConfig) constructor ("
                            + e.getClass().getSimpleName()
                            + ")",
                    e);
        }
    }

    /**
     * Builds an {@link Embed}. Each option is set at most once; collaborators left unset come from
     * configuration, or are the library's own.
     */
    public static final class Builder {
        private final EmbedConfig config;
        private Clock clock = Clock.systemUTC();
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable ApiKeyStore apiKeys;
        private @Nullable EmbedAgent agent;
        private @Nullable EmbedStore store;

        private Builder(EmbedConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The clock of every expiry, lease and timestamp. Default: {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The scheduler of the library's timers (long-poll waits, agent timeouts, housekeeping);
         * it runs short tasks only. Default: the library's own, stopped by {@link Embed#close()}
         * (a scheduler passed here is the host's to stop).
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The host's API keys; overrides {@code embed.apiKeyStore} and the {@code embed.apiKey.<id>} lines. */
        public Builder apiKeys(ApiKeyStore apiKeys) {
            this.apiKeys = Objects.requireNonNull(apiKeys, "apiKeys");
            return this;
        }

        /** The host's agent; overrides {@code embed.agent}. Null: none (every message gets a reply saying so). */
        public Builder agent(@Nullable EmbedAgent agent) {
            this.agent = agent;
            return this;
        }

        /** The store; overrides {@code embed.store}. {@link Embed#close()} closes it. */
        public Builder store(EmbedStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        public Embed build() {
            return new Embed(this);
        }
    }
}
