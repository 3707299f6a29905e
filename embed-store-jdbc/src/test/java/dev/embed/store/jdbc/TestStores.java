package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.EmbedConfig;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.testing.Secrets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Opening JDBC stores in tests, and looking at what they wrote. */
final class TestStores {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final ScheduledExecutorService UNUSED = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-scheduler");
        t.setDaemon(true);
        return t;
    });
    private static final Set<String> TABLES = Set.of("session", "message", "turn", "link", "revocation", "rate_limit");

    private TestStores() {}

    /** A task of a race: gets the thread's index. */
    @FunctionalInterface
    interface Racer<T> {
        T run(int index) throws Exception;
    }

    /** Runs {@code threads} tasks released at the same moment; their results in thread order. */
    static <T> List<T> race(int threads, Racer<T> racer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return racer.run(index);
                }));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A flow B session living for {@code ttl} from the clock's now, not yet stored; in whole
     * milliseconds, as the store keeps times.
     */
    static EmbedSession session(Clock clock, Duration ttl) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        return new EmbedSession(
                "ses_" + UUID.randomUUID().toString().replace("-", ""),
                "tenant-a",
                "space-1",
                "support",
                "user-1",
                null,
                "chat",
                "session",
                now,
                now.plus(ttl),
                List.of(),
                null);
    }

    static String sha256(String text) {
        return JdbcRateLimits.sha256(text);
    }

    /** A table prefix no other test of this JVM uses. */
    static String newPrefix() {
        return "t" + PREFIXES.incrementAndGet() + "_";
    }

    /** The configuration of a store on {@code url}, upgrading its schema, plus {@code extra} keys. */
    static Map<String, String> config(String url, String prefix, String... extra) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("embed.store.jdbc.url", url);
        config.put("embed.store.jdbc.tablePrefix", prefix);
        config.put("embed.store.jdbc.schema", "upgrade");
        config.put("embed.store.jdbc.sweepSeconds", "3600");
        config.put("embed.store.jdbc.pollMillis", "100");
        config.put("embed.store.jdbc.poolSize", "8");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            config.put(extra[i], extra[i + 1]);
        }
        return config;
    }

    static JdbcStore open(Map<String, String> config, Clock clock) {
        return (JdbcStore) new JdbcStoreProvider().open(EmbedConfig.of(config), clock, UNUSED);
    }

    static JdbcStore open(String url, String prefix, Clock clock, String... extra) {
        return open(config(url, prefix, extra), clock);
    }

    /** Rows of the store's session, message, turn, link, revocation and rate-limit tables. */
    static long entries(EmbedStore store) {
        JdbcStore jdbc = (JdbcStore) store;
        return jdbc.db().read("count", connection -> {
            long count = 0;
            for (String table : TABLES) {
                count += count(connection, jdbc.tables().prefix() + table);
            }
            return count;
        });
    }

    static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Reads every character column of every table in the connection's current schema and fails
     * if one holds a JWT, an API key, or a value the tests registered as secret (cache keys, raw
     * fingerprints); returns how many values it read.
     */
    static long assertNoCredentialAtRest(Connection connection) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String schema = connection.getSchema();
        List<String[]> columns = new ArrayList<>();
        try (ResultSet rows = meta.getColumns(null, schema, "%", "%")) {
            while (rows.next()) {
                int type = rows.getInt("DATA_TYPE");
                if (type == Types.VARCHAR
                        || type == Types.CHAR
                        || type == Types.CLOB
                        || type == Types.LONGVARCHAR
                        || type == Types.NVARCHAR
                        || type == Types.NCHAR
                        || type == Types.NCLOB) {
                    columns.add(new String[] {rows.getString("TABLE_NAME"), rows.getString("COLUMN_NAME")});
                }
            }
        }
        assertTrue(columns.size() > 20, () -> "too few text columns found to scan: " + columns.size());
        long values = 0;
        List<String> findings = new ArrayList<>();
        for (String[] column : columns) {
            String sql = "SELECT " + quote(column[1]) + " FROM " + quote(column[0]);
            try (PreparedStatement statement = connection.prepareStatement(sql);
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String value = rows.getString(1);
                    if (value != null) {
                        values++;
                        for (String finding : Secrets.find(value)) {
                            findings.add(column[0] + "." + column[1] + ": " + finding);
                        }
                    }
                }
            }
        }
        assertTrue(findings.isEmpty(), () -> "credentials at rest: " + findings);
        return values;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
