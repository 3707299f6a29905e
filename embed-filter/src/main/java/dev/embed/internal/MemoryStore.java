package dev.embed.internal;

import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.store.EmbedStore;
import dev.embed.store.LinkStore;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.store.RevocationStore;
import dev.embed.store.SessionStore;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The library's default store, {@code embed.store=memory} (DESIGN §8): Caffeine maps in this JVM,
 * each entry expiring when what it holds stops mattering, on the library's clock. One node only,
 * and nothing survives a restart: start-up says so.
 *
 * <p>Bounded in bytes (DESIGN §10, findings 2 and 5 of issue 13) by a {@link MemoryBudget}: in all,
 * per tenant and per session, plus counts ({@code embed.sessions.maximumSize} sessions and
 * rate-limit keys, {@code embed.memory.maxSessionsPerTenant}, {@code
 * embed.chat.maxMessagesPerSession} messages per session, the oldest of a session going first).
 * Nothing live is evicted to make room: a session, message or rate-limit key that does not fit
 * answers 429.
 *
 * <p>Listeners are told of a write on the writing thread, before the write returns.
 */
final class MemoryStore implements EmbedStore {
    /** The value of {@code embed.store} that chooses it (the default). */
    static final String NAME = "memory";

    private static final long SWEEP_MINUTES = 1;

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final long maximumSize;
    private final int maxMessagesPerSession;
    private final MemorySessions sessions;
    private final MemoryMessages messages;
    private final MemoryRevocations revocations;
    private final MemoryLinks links;
    private final MemoryRateLimits rateLimits;
    private final MemoryBudget budget;
    private volatile @Nullable ScheduledFuture<?> sweeper;

    /** A store bounded by counts only (budgets too large to matter): for tests of other behaviour. */
    MemoryStore(Clock clock, long maximumSize, int maxMessagesPerSession) {
        this(clock, maximumSize, maxMessagesPerSession, MemoryBudget.unlimited());
    }

    MemoryStore(Clock clock, long maximumSize, int maxMessagesPerSession, MemoryBudget budget) {
        if (maximumSize < 1) {
            throw new IllegalArgumentException("maximumSize must be positive: " + maximumSize);
        }
        this.maximumSize = maximumSize;
        this.maxMessagesPerSession = maxMessagesPerSession;
        Listener fanOut = new FanOut(listeners);
        this.budget = budget;
        this.sessions = new MemorySessions(clock, maximumSize, budget, fanOut);
        this.messages = new MemoryMessages(sessions, clock, maxMessagesPerSession, fanOut);
        this.revocations = new MemoryRevocations(clock, budget, sessions::tenantOf);
        this.links = new MemoryLinks(clock, budget, sessions::tenantOf);
        this.rateLimits = new MemoryRateLimits(clock, maximumSize, budget);
    }

    /**
     * The store {@code config} describes, sweeping expired entries every minute on {@code
     * scheduler} (Caffeine otherwise drops them as the maps are used).
     */
    static MemoryStore open(EmbedConfig config, Clock clock, ScheduledExecutorService scheduler) {
        int maximumSize = config.getInt(ConfigKey.SESSIONS_MAXIMUM_SIZE, 1, 100_000_000);
        MemoryStore store = new MemoryStore(
                clock,
                maximumSize,
                config.getInt(ConfigKey.CHAT_MAX_MESSAGES_PER_SESSION, 10, 100_000),
                MemoryBudget.of(config, Runtime.getRuntime().maxMemory(), maximumSize));
        store.sweeper = scheduler.scheduleWithFixedDelay(store::sweep, SWEEP_MINUTES, SWEEP_MINUTES, TimeUnit.MINUTES);
        return store;
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public MessageStore messages() {
        return messages;
    }

    @Override
    public RevocationStore revocations() {
        return revocations;
    }

    @Override
    public LinkStore links() {
        return links;
    }

    @Override
    public RateLimitStore rateLimits() {
        return rateLimits;
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public String describe() {
        return NAME + " (at most " + maximumSize + " sessions, " + maxMessagesPerSession + " messages each; "
                + budget.describe() + ")";
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public void close() {
        ScheduledFuture<?> task = sweeper;
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Drops every expired entry now. */
    void sweep() {
        sessions.sweep();
        revocations.sweep();
        links.sweep();
        rateLimits.sweep();
    }

    /** Entries held: live sessions, their messages and turns, revocations, links, rate-limit keys. */
    long entries() {
        sweep();
        return sessions.entries() + revocations.entries() + links.entries() + rateLimits.entries();
    }

    /** The byte budgets, and what they hold now. */
    MemoryBudget budget() {
        return budget;
    }

    /** Live sessions (approximate, for metrics and tests). */
    long sessionCount() {
        return sessions.size();
    }

    /** Tells every registered listener, in order; a listener that throws does not stop the others. */
    private static final class FanOut implements Listener {
        private static final System.Logger LOG = System.getLogger("dev.embed.store");
        private final List<Listener> listeners;

        FanOut(List<Listener> listeners) {
            this.listeners = listeners;
        }

        @Override
        public void messageStored(String sessionId) {
            for (Listener listener : listeners) {
                try {
                    listener.messageStored(sessionId);
                } catch (RuntimeException e) {
                    log(e);
                }
            }
        }

        @Override
        public void sessionEnded(String sessionId) {
            for (Listener listener : listeners) {
                try {
                    listener.sessionEnded(sessionId);
                } catch (RuntimeException e) {
                    log(e);
                }
            }
        }

        private static void log(RuntimeException e) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: a store listener failed: " + e.getClass().getName(),
                    e);
        }
    }
}
