package dev.embed.store.jdbc;

import dev.embed.config.EmbedConfig;
import dev.embed.store.EmbedStore;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@code jdbc} store ({@code embed.store=jdbc}): sessions, messages, agent turns, revocations,
 * flow D links and rate-limit buckets in PostgreSQL 13+ (any number of nodes sharing one database)
 * or H2 2.x (one node), as DESIGN §8 describes. Found by {@link java.util.ServiceLoader}.
 *
 * <h2>Configuration</h2>
 *
 * <dl>
 *   <dt>{@code embed.store.jdbc.dataSource}
 *   <dd>JNDI name of the container's {@code DataSource} ({@code java:comp/env/jdbc/embed}), or
 *   <dt>{@code embed.store.jdbc.url}, {@code .user}, {@code .password}
 *   <dd>a JDBC URL the library pools with HikariCP ({@code .poolSize}, default 10). The driver
 *       ({@code org.postgresql:postgresql} or {@code com.h2database:h2}) is the application's.
 *   <dt>{@code embed.store.jdbc.tablePrefix}
 *   <dd>default {@code embed_}.
 *   <dt>{@code embed.store.jdbc.schema}
 *   <dd>{@code validate} (default): start-up fails when a schema version is missing, naming the
 *       command that prints its SQL ({@link SchemaTool}); {@code upgrade}: the library applies
 *       what is missing, under a lock, so nodes may start together.
 *   <dt>{@code embed.store.jdbc.timeoutSeconds}
 *   <dd>default 5: the longest wait for a connection, a login and each statement. A database
 *       that is down or slower answers {@code 503 temporarily_unavailable} with {@code
 *       Retry-After}; service resumes by itself.
 *   <dt>{@code embed.store.jdbc.pollMillis}, {@code .sweepSeconds}, {@code .cacheMegabytes},
 *       {@code .maxSessionBytes}
 *   <dd>see {@link dev.embed.config.ConfigKey}.
 * </dl>
 *
 * <h2>Design in brief</h2>
 *
 * Nothing stored is a credential: links and rate-limit buckets are keyed by SHA-256 hashes, and
 * flow D's knowledge entries live in their session's row and go with it. Every write is one
 * transaction. Revocation checks and warm reads of a session and its newest messages are answered
 * from this node's memory, which a change log kept by the database (read at once on PostgreSQL's
 * {@code NOTIFY}, and polled behind it) keeps true on every node within a second. Agent turns are
 * claimed with a lease by a conditional update ({@code FOR UPDATE SKIP LOCKED} on PostgreSQL), so
 * a node's death is covered by another and no message is answered twice.
 */
public final class JdbcStoreProvider implements EmbedStore.Provider {
    /** The value of {@code embed.store} that chooses this store. */
    public static final String NAME = "jdbc";

    /** For {@link java.util.ServiceLoader}. */
    public JdbcStoreProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Opens the store; the shared scheduler is not used: the store's own two daemon threads read
     * the change log and sweep, because both wait on the database.
     */
    @Override
    public EmbedStore open(EmbedConfig config, Clock clock, ScheduledExecutorService scheduler) {
        return JdbcStore.open(JdbcSettings.from(config), clock);
    }
}
