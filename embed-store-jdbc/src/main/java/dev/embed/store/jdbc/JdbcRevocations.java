package dev.embed.store.jdbc;

import dev.embed.store.RevocationStore;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;

/**
 * Revocations in the {@code revocation} table, and in every node's {@link RevocationMemory}: a
 * revocation is written with its change in one transaction, then remembered here at once; the
 * other nodes learn it from their change feed. The two questions the hot path asks never leave
 * memory.
 */
final class JdbcRevocations implements RevocationStore {
    private final Db db;
    private final Clock clock;
    private final Changes changes;
    private final RevocationMemory memory;
    private final String upsert;

    JdbcRevocations(Db db, Tables tables, Clock clock, Changes changes, RevocationMemory memory) {
        this.db = db;
        this.clock = clock;
        this.changes = changes;
        this.memory = memory;
        String t = tables.revocation();
        this.upsert = db.database() == Database.POSTGRESQL
                ? "INSERT INTO " + t + " AS r (kind, id, until_at, revoked_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (kind, id) DO UPDATE SET until_at = GREATEST(r.until_at, EXCLUDED.until_at),"
                        + " revoked_at = EXCLUDED.revoked_at"
                : "MERGE INTO " + t + " r USING (VALUES (CAST(? AS CHAR(1)), CAST(? AS VARCHAR), CAST(? AS BIGINT),"
                        + " CAST(? AS BIGINT))) v (kind, id, until_at, revoked_at) ON r.kind = v.kind AND r.id = v.id"
                        + " WHEN MATCHED THEN UPDATE SET until_at = GREATEST(r.until_at, v.until_at),"
                        + " revoked_at = v.revoked_at"
                        + " WHEN NOT MATCHED THEN INSERT (kind, id, until_at, revoked_at)"
                        + " VALUES (v.kind, v.id, v.until_at, v.revoked_at)";
    }

    @Override
    public void revokeSession(String sessionId, Instant until) {
        revoke(Changes.REVOKED_SESSION, sessionId, until);
    }

    @Override
    public void revokeToken(String tokenId, Instant until) {
        revoke(Changes.REVOKED_TOKEN, tokenId, until);
    }

    @Override
    public boolean isSessionRevoked(String sessionId) {
        return memory.revoked(Changes.REVOKED_SESSION, sessionId, clock.millis());
    }

    @Override
    public boolean isTokenRevoked(String tokenId) {
        return memory.revoked(Changes.REVOKED_TOKEN, tokenId, clock.millis());
    }

    private void revoke(char kind, String id, Instant until) {
        long untilMillis = until.toEpochMilli();
        db.update("store a revocation", connection -> {
            try (PreparedStatement statement = db.prepare(connection, upsert)) {
                statement.setString(1, String.valueOf(kind));
                statement.setString(2, id);
                statement.setLong(3, untilMillis);
                statement.setLong(4, clock.millis());
                statement.executeUpdate();
            }
            changes.record(connection, kind, id, untilMillis);
        });
        changes.committed(kind, id, untilMillis);
    }
}
