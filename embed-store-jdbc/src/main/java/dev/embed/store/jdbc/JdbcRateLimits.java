package dev.embed.store.jdbc;

import dev.embed.store.RateLimitStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Token buckets in the {@code rate_limit} table: one row per bucket key, under the key's SHA-256,
 * holding every bucket of that key as JSON. A request locks the row ({@code SELECT ... FOR
 * UPDATE}, after inserting it if it is new), so two nodes never both take the last permit, and
 * takes from all the key's buckets or none. The row may be swept once every bucket in it would be
 * full again ({@code full_at}), never before.
 */
final class JdbcRateLimits implements RateLimitStore {
    private final Db db;
    private final Clock clock;
    private final String lock;
    private final String insert;
    private final String update;

    /** One bucket's state: its permits at {@code at}, and when it will be full again. */
    private record Bucket(double permits, long at, long fullAt) {}

    JdbcRateLimits(Db db, Tables tables, Clock clock) {
        this.db = db;
        this.clock = clock;
        String t = tables.rateLimit();
        this.lock = "SELECT state FROM " + t + " WHERE key_hash = ? FOR UPDATE";
        this.insert = db.database() == Database.POSTGRESQL
                ? "INSERT INTO " + t
                        + " (key_hash, state, full_at) VALUES (?, '{}', 0) ON CONFLICT (key_hash) DO NOTHING"
                : "MERGE INTO " + t + " r USING (VALUES (CAST(? AS CHAR(64)))) v (key_hash) ON r.key_hash = v.key_hash"
                        + " WHEN NOT MATCHED THEN INSERT (key_hash, state, full_at) VALUES (v.key_hash, '{}', 0)";
        this.update = "UPDATE " + t + " SET state = ?, full_at = ? WHERE key_hash = ?";
    }

    @Override
    public Decision tryAcquire(String bucketKey, List<Limit> limits) {
        Objects.requireNonNull(bucketKey, "bucketKey");
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("tryAcquire needs at least one limit");
        }
        String keyHash = sha256(bucketKey);
        return db.transaction("take a rate-limit permit", connection -> {
            String state = lock(connection, keyHash);
            for (int attempt = 0; state == null; attempt++) {
                if (attempt == 3) {
                    throw new SQLException("the rate-limit row could not be created", "40001");
                }
                try (PreparedStatement statement = db.prepare(connection, insert)) {
                    statement.setString(1, keyHash);
                    statement.executeUpdate();
                } catch (SQLException e) {
                    // H2: a concurrent MERGE inserted it first (PostgreSQL's ON CONFLICT waits instead).
                    if (!"23505".equals(e.getSQLState()) || db.database() != Database.H2) {
                        throw e;
                    }
                }
                state = lock(connection, keyHash);
            }
            long now = clock.millis();
            Map<String, Bucket> buckets = parse(state, now);
            double[] level = new double[limits.size()];
            long waitMillis = 0;
            for (int i = 0; i < limits.size(); i++) {
                Limit limit = limits.get(i);
                Bucket bucket = buckets.get(limit.name());
                double permits = bucket == null
                        ? limit.burst()
                        : Math.min(
                                (double) limit.burst(),
                                bucket.permits() + (now - bucket.at()) / limit.millisPerPermit());
                level[i] = permits;
                if (permits < 1) {
                    waitMillis = Math.max(waitMillis, (long) Math.ceil((1 - permits) * limit.millisPerPermit()));
                }
            }
            if (waitMillis > 0) {
                return Decision.refused((waitMillis + 999) / 1000);
            }
            for (int i = 0; i < limits.size(); i++) {
                Limit limit = limits.get(i);
                double left = level[i] - 1;
                long fullAt = now + (long) Math.ceil((limit.burst() - left) * limit.millisPerPermit());
                buckets.put(limit.name(), new Bucket(left, now, fullAt));
            }
            long fullAt =
                    buckets.values().stream().mapToLong(Bucket::fullAt).max().orElse(now);
            try (PreparedStatement statement = db.prepare(connection, update)) {
                statement.setString(1, write(buckets));
                statement.setLong(2, fullAt);
                statement.setString(3, keyHash);
                statement.executeUpdate();
            }
            return Decision.ALLOWED;
        });
    }

    private @Nullable String lock(Connection connection, String keyHash) throws SQLException {
        try (PreparedStatement statement = db.prepare(connection, lock)) {
            statement.setString(1, keyHash);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /** The buckets of a row that are not full yet (a full bucket is the same as none). */
    private static Map<String, Bucket> parse(String state, long now) {
        Map<String, Bucket> buckets = new LinkedHashMap<>();
        JsonText.parse(state).forEach((name, value) -> {
            List<?> fields = (List<?>) value;
            Bucket bucket = new Bucket(
                    ((Number) fields.get(0)).doubleValue(),
                    ((Number) fields.get(1)).longValue(),
                    ((Number) fields.get(2)).longValue());
            if (bucket.fullAt() > now) {
                buckets.put(name, bucket);
            }
        });
        return buckets;
    }

    private static String write(Map<String, Bucket> buckets) {
        Map<String, Object> json = new LinkedHashMap<>();
        buckets.forEach((name, bucket) -> json.put(name, List.of(bucket.permits(), bucket.at(), bucket.fullAt())));
        return JsonText.write(json);
    }

    /** The lowercase hex SHA-256 of a key: all the store keeps of it. */
    static String sha256(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
