package dev.embed.store.jdbc;

import dev.embed.store.EmbedSession;
import dev.embed.store.SessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Sessions in the {@code session} table; {@link #find} answers from this node's cache when it can.
 * Ending deletes the row, and with it (foreign keys) the messages and turns, and the flow D data
 * in its {@code data} column; links waiting for it are deleted in the same transaction.
 */
final class JdbcSessions implements SessionStore {
    static final String COLUMNS =
            "id, tenant, space_id, agent_id, external_user_id, display_name, mode, kind, created_at, expires_at, data";

    private final Db db;
    private final Clock clock;
    private final LocalCache cache;
    private final Changes changes;
    private final String insert;
    private final String select;
    private final String selectForUpdate;
    private final String extend;
    private final String delete;
    private final String deleteLinks;

    JdbcSessions(Db db, Tables tables, Clock clock, LocalCache cache, Changes changes) {
        this.db = db;
        this.clock = clock;
        this.cache = cache;
        this.changes = changes;
        String t = tables.session();
        this.insert = "INSERT INTO " + t + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        this.select = "SELECT " + COLUMNS + " FROM " + t + " WHERE id = ?";
        this.selectForUpdate = select + " FOR UPDATE";
        this.extend = "UPDATE " + t + " SET expires_at = ? WHERE id = ?";
        this.delete = db.database().returning("DELETE FROM " + t + " WHERE id = ?", COLUMNS);
        this.deleteLinks = "DELETE FROM " + tables.link() + " WHERE session_id = ?";
    }

    @Override
    public void create(EmbedSession session) {
        long generation = cache.generation(session.id());
        db.update("store a session", connection -> {
            try (PreparedStatement statement = db.prepare(connection, insert)) {
                statement.setString(1, session.id());
                statement.setString(2, session.tenant());
                setNullable(statement, 3, session.spaceId());
                setNullable(statement, 4, session.agentId());
                statement.setString(5, session.externalUserId());
                setNullable(statement, 6, session.displayName());
                statement.setString(7, session.mode());
                statement.setString(8, session.kind());
                statement.setLong(9, session.createdAt().toEpochMilli());
                statement.setLong(10, session.expiresAt().toEpochMilli());
                statement.setString(11, JsonText.sessionData(session.frameAncestors(), session.link()));
                statement.executeUpdate();
            }
        });
        // As every node reads it back: times in milliseconds.
        cache.putSession(inMillis(session), generation);
    }

    @Override
    public Optional<EmbedSession> extend(String sessionId, Instant until) {
        long generation = cache.generation(sessionId);
        boolean[] changed = new boolean[1];
        Optional<EmbedSession> extended = db.transaction("extend a session", connection -> {
            Optional<EmbedSession> found =
                    selectOne(connection, selectForUpdate, sessionId).filter(this::live);
            if (found.isEmpty() || !until.isAfter(found.get().expiresAt())) {
                return found;
            }
            EmbedSession current = found.get();
            try (PreparedStatement statement = db.prepare(connection, extend)) {
                statement.setLong(1, until.toEpochMilli());
                statement.setString(2, sessionId);
                statement.executeUpdate();
            }
            changes.record(connection, Changes.UPDATED, sessionId, null);
            changed[0] = true;
            return Optional.of(current.extendedTo(Instant.ofEpochMilli(until.toEpochMilli())));
        });
        if (extended.isEmpty()) {
            return Optional.empty();
        }
        EmbedSession session = extended.get();
        if (changed[0]) {
            changes.committed(Changes.UPDATED, sessionId, null);
            cache.putSession(session, cache.generation(sessionId));
        } else {
            cache.putSession(session, generation);
        }
        return Optional.of(session);
    }

    @Override
    public Optional<EmbedSession> find(String sessionId) {
        EmbedSession cached = cache.session(sessionId);
        if (cached != null) {
            return live(cached) ? Optional.of(cached) : Optional.empty();
        }
        long generation = cache.generation(sessionId);
        Optional<EmbedSession> session = db.read(
                        "read a session", connection -> selectOne(connection, select, sessionId))
                .filter(this::live);
        session.ifPresent(found -> cache.putSession(found, generation));
        return session;
    }

    /** Whether the session is live without asking the database when the cache knows it. */
    boolean isLive(String sessionId) {
        return find(sessionId).isPresent();
    }

    @Override
    public Optional<EmbedSession> end(String sessionId) {
        Optional<EmbedSession> ended = db.transaction("end a session", connection -> {
            Optional<EmbedSession> deleted = selectOne(connection, delete, sessionId);
            try (PreparedStatement statement = db.prepare(connection, deleteLinks)) {
                statement.setString(1, sessionId);
                statement.executeUpdate();
            }
            if (deleted.isPresent()) {
                changes.record(connection, Changes.ENDED, sessionId, null);
            }
            return deleted;
        });
        if (ended.isEmpty()) {
            cache.invalidate(sessionId);
            return Optional.empty();
        }
        changes.committed(Changes.ENDED, sessionId, null);
        return ended.filter(this::live);
    }

    private static EmbedSession inMillis(EmbedSession s) {
        return new EmbedSession(
                s.id(),
                s.tenant(),
                s.spaceId(),
                s.agentId(),
                s.externalUserId(),
                s.displayName(),
                s.mode(),
                s.kind(),
                Instant.ofEpochMilli(s.createdAt().toEpochMilli()),
                Instant.ofEpochMilli(s.expiresAt().toEpochMilli()),
                s.frameAncestors(),
                s.link());
    }

    private boolean live(EmbedSession session) {
        return session.expiresAt().toEpochMilli() > clock.millis();
    }

    private Optional<EmbedSession> selectOne(Connection connection, String sql, String sessionId) throws SQLException {
        try (PreparedStatement statement = db.prepare(connection, sql)) {
            statement.setString(1, sessionId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(session(rows)) : Optional.empty();
            }
        }
    }

    /** A session from a row of {@link #COLUMNS}. */
    static EmbedSession session(ResultSet rows) throws SQLException {
        Map<String, Object> data = JsonText.parse(rows.getString(11));
        return new EmbedSession(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                rows.getString(6),
                rows.getString(7),
                rows.getString(8),
                Instant.ofEpochMilli(rows.getLong(9)),
                Instant.ofEpochMilli(rows.getLong(10)),
                JsonText.frameAncestors(data),
                JsonText.link(data));
    }

    static void setNullable(PreparedStatement statement, int index, @Nullable String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }
}
