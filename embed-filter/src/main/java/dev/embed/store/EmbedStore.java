package dev.embed.store;

import dev.embed.config.EmbedConfig;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything the library keeps between requests (DESIGN §8): sessions, their messages and the
 * agent's work on them, revocations, flow D links waiting to be redeemed, and rate-limit buckets.
 * One instance serves one application; every node of a cluster opens its own over the same shared
 * state.
 *
 * <p>The library's default is the {@code memory} store (bounded, one JVM, nothing survives a
 * restart). The {@code embed-store-jdbc} module adds {@code jdbc} (PostgreSQL for any number of
 * nodes, H2 for one). A store is chosen with {@code embed.store=<name>}, found with {@link
 * java.util.ServiceLoader} as a {@link Provider} of that name, or passed in code with {@code
 * Embed.builder(config).store(...)}.
 *
 * <h2>Guarantees every store keeps</h2>
 *
 * <ul>
 *   <li><b>Acknowledged means kept.</b> When a write method returns, what it wrote is visible to
 *       every later call on every node, and (for a durable store) survives a restart. Two reads
 *       may answer from a copy the store keeps on each node, and then see another node's write
 *       as late as its listeners hear of it (within 1 s): {@link SessionStore#find} and {@link
 *       MessageStore#page}; a node that was told is never behind.
 *   <li><b>Changes reach every node.</b> A store calls its {@link Listener}s on every node when a
 *       session gets a new message or ends: at once on the node that wrote, within 1 s elsewhere
 *       (a lost notification only delays it, never loses it).
 *   <li><b>Reads on the hot path are local.</b> {@link RevocationStore#isSessionRevoked} and {@link
 *       RevocationStore#isTokenRevoked} answer from this node's memory, kept true by the store.
 *   <li><b>Failures are errors, never hangs.</b> A store that cannot reach its back end throws
 *       {@link dev.embed.error.EmbedException} with {@link
 *       dev.embed.error.EmbedError#serviceUnavailable} (503, {@code Retry-After}) within a bounded
 *       time; a store over one of its budgets throws it with {@link
 *       dev.embed.error.EmbedError#rateLimited} (429). Any other exception is a bug (500).
 *   <li><b>No credential at rest.</b> Nothing a store is given is a credential: the library hands
 *       it hashes (flow D cache keys), never tokens, API keys or raw fingerprints.
 * </ul>
 *
 * Implementations are thread-safe.
 */
public interface EmbedStore extends AutoCloseable {

    /** Sessions and their owners. */
    SessionStore sessions();

    /** Chat messages, and the agent's turns on the users' messages. */
    MessageStore messages();

    /** Revoked sessions and token ids; checked from local memory on every embed request. */
    RevocationStore revocations();

    /** Flow D links waiting to be redeemed, under the SHA-256 of their cache key. */
    LinkStore links();

    /** Token buckets of the rate limits (flow C visitors, flow D per-uid limits). */
    RateLimitStore rateLimits();

    /**
     * Registers a listener for changes made on any node. Listeners are called on the store's own
     * threads (or the writing thread, on the node that wrote); they must be quick and must not
     * block.
     */
    void addListener(Listener listener);

    /** What this store is, for the start-up log line: {@code memory}, {@code jdbc (PostgreSQL 16.4)}, ... */
    String describe();

    /** Whether what this store keeps survives a restart of this JVM. */
    boolean durable();

    /** Stops the store's threads and releases its connections; idempotent. */
    @Override
    void close();

    /** Told about changes of sessions, on every node. */
    interface Listener {
        /** A message (the user's or the agent's) was stored in the session. */
        void messageStored(String sessionId);

        /** The session was ended (and revoked); streams and long polls on it should close. */
        void sessionEnded(String sessionId);
    }

    /**
     * Creates a store from configuration: registered in {@code
     * META-INF/services/dev.embed.store.EmbedStore$Provider} and chosen by {@code embed.store}.
     */
    interface Provider {
        /** The value of {@code embed.store} that chooses this provider, e.g. {@code jdbc}. */
        String name();

        /**
         * Opens the store: connects, checks (or upgrades) its schema, loads what must be local.
         *
         * @param config the library's configuration (the store reads its own keys)
         * @param clock the library's clock: expiry and leases are measured on it
         * @param scheduler a shared scheduler the store may use for its housekeeping; never blocked
         *     for long by the store
         * @throws dev.embed.config.ConfigException for a bad or missing setting, naming the key
         */
        EmbedStore open(EmbedConfig config, Clock clock, ScheduledExecutorService scheduler);
    }
}
