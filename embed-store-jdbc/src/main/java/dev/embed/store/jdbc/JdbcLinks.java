package dev.embed.store.jdbc;

import dev.embed.store.LinkStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Flow D links in the {@code link} table under the SHA-256 of their cache key. {@link #take}
 * deletes the row and answers what it deleted, in one statement: the database's row lock lets
 * exactly one of any number of concurrent deletes, on any nodes, see the row.
 */
final class JdbcLinks implements LinkStore {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final String COLUMNS = "session_id, subject, data, created_at, expires_at";

    private final Db db;
    private final Clock clock;
    private final String insert;
    private final String take;
    private final String peek;

    JdbcLinks(Db db, Tables tables, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.insert = "INSERT INTO " + tables.link() + " (key_hash, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)";
        this.take = db.database().returning("DELETE FROM " + tables.link() + " WHERE key_hash = ?", COLUMNS);
        this.peek = "SELECT " + COLUMNS + " FROM " + tables.link() + " WHERE key_hash = ? AND expires_at > ?";
    }

    @Override
    public void put(String keyHash, Link link) {
        requireHash(keyHash);
        db.update("store a link", connection -> {
            try (PreparedStatement statement = db.prepare(connection, insert)) {
                statement.setString(1, keyHash);
                statement.setString(2, link.sessionId());
                statement.setString(3, link.subject());
                statement.setString(4, JsonText.sources(link.sources()));
                statement.setLong(5, link.createdAt().toEpochMilli());
                statement.setLong(6, link.expiresAt().toEpochMilli());
                statement.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Link> take(String keyHash) {
        if (!HASH.matcher(keyHash).matches()) {
            return Optional.empty();
        }
        Optional<Link> link = db.transaction("redeem a link", connection -> one(connection, take, keyHash, null));
        return link.filter(taken -> taken.expiresAt().toEpochMilli() > clock.millis());
    }

    @Override
    public Optional<Link> peek(String keyHash) {
        if (!HASH.matcher(keyHash).matches()) {
            return Optional.empty();
        }
        return db.read("read a link", connection -> one(connection, peek, keyHash, clock.millis()));
    }

    private Optional<Link> one(Connection connection, String sql, String keyHash, @Nullable Long now)
            throws SQLException {
        try (PreparedStatement statement = db.prepare(connection, sql)) {
            statement.setString(1, keyHash);
            if (now != null) {
                statement.setLong(2, now);
            }
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Link(
                        rows.getString(1),
                        rows.getString(2),
                        JsonText.sources(rows.getString(3)),
                        Instant.ofEpochMilli(rows.getLong(4)),
                        Instant.ofEpochMilli(rows.getLong(5))));
            }
        }
    }

    private static void requireHash(String keyHash) {
        if (!HASH.matcher(keyHash).matches()) {
            // Never echo it: a caller that passes the cache key itself must not see it in a log.
            throw new IllegalArgumentException("a link is kept under the lowercase hex SHA-256 of its cache key"
                    + " (64 characters), never the key itself");
        }
    }
}
