package dev.embed.store.jdbc;

import dev.embed.store.EmbedStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * What changed, told to every node. A writer records the change in the {@code change} table in its
 * own transaction (on PostgreSQL the same statement sends {@code NOTIFY}), and after the commit
 * applies it here at once: caches, revocations in memory, listeners. The other nodes apply it when
 * their {@link ChangeFeed} reads the row.
 */
final class Changes {
    /** A message was stored in the session {@code ref}. */
    static final char MESSAGE = 'm';
    /** The session {@code ref} ended. */
    static final char ENDED = 'e';
    /** The session {@code ref} was extended. */
    static final char UPDATED = 'u';
    /** The session {@code ref} was revoked until {@code until_at}. */
    static final char REVOKED_SESSION = 'S';
    /** The token id {@code ref} was revoked until {@code until_at}. */
    static final char REVOKED_TOKEN = 'T';

    private static final System.Logger LOG = System.getLogger("dev.embed.store.jdbc");

    /** One row of the {@code change} table. */
    record Row(long id, char kind, String ref, @Nullable Long until, String origin) {}

    private final Db db;
    private final String origin;
    private final Clock clock;
    private final LocalCache cache;
    private final RevocationMemory revocations;
    private final CopyOnWriteArrayList<EmbedStore.Listener> listeners = new CopyOnWriteArrayList<>();
    private final String insert;

    /** @param origin this store instance's id: the feed skips the rows it wrote itself */
    Changes(Db db, Tables tables, String origin, Clock clock, LocalCache cache, RevocationMemory revocations) {
        this.db = db;
        this.origin = origin;
        this.clock = clock;
        this.cache = cache;
        this.revocations = revocations;
        String insert =
                "INSERT INTO " + tables.change() + " (kind, ref, until_at, origin, created_at) VALUES (?, ?, ?, ?, ?)";
        this.insert = db.database() == Database.POSTGRESQL
                ? "WITH c AS (" + insert + " RETURNING id) SELECT pg_notify('" + tables.channel()
                        + "', CAST(c.id AS TEXT)) FROM c"
                : insert;
    }

    String origin() {
        return origin;
    }

    void addListener(EmbedStore.Listener listener) {
        listeners.add(listener);
    }

    /** Records a change in the writer's transaction. */
    void record(Connection connection, char kind, String ref, @Nullable Long until) throws SQLException {
        try (PreparedStatement statement = db.prepare(connection, insert)) {
            statement.setString(1, String.valueOf(kind));
            statement.setString(2, ref);
            if (until == null) {
                statement.setNull(3, Types.BIGINT);
            } else {
                statement.setLong(3, until);
            }
            statement.setString(4, origin);
            statement.setLong(5, clock.millis());
            if (db.database() == Database.POSTGRESQL) {
                statement.executeQuery().close(); // pg_notify's one row
            } else {
                statement.executeUpdate();
            }
        }
    }

    /** Applies a change this node committed: at once, on the writing thread. */
    void committed(char kind, String ref, @Nullable Long until) {
        apply(List.of(new Row(0, kind, ref, until, origin)));
    }

    /** Applies changes, in order; listeners hear once per session and kind. */
    void apply(List<Row> rows) {
        Set<String> stored = new LinkedHashSet<>();
        Set<String> ended = new LinkedHashSet<>();
        for (Row row : rows) {
            switch (row.kind()) {
                case MESSAGE -> {
                    cache.invalidateMessages(row.ref());
                    stored.add(row.ref());
                }
                case ENDED -> {
                    cache.invalidate(row.ref());
                    ended.add(row.ref());
                }
                case UPDATED -> cache.invalidateSession(row.ref());
                case REVOKED_SESSION, REVOKED_TOKEN -> {
                    if (row.until() != null) {
                        revocations.remember(row.kind(), row.ref(), row.until());
                    }
                }
                default -> LOG.log(System.Logger.Level.DEBUG, () -> "embed: unknown change kind " + row.kind());
            }
        }
        for (String sessionId : stored) {
            for (EmbedStore.Listener listener : listeners) {
                try {
                    listener.messageStored(sessionId);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "embed: a store listener failed on messageStored", e);
                }
            }
        }
        for (String sessionId : ended) {
            for (EmbedStore.Listener listener : listeners) {
                try {
                    listener.sessionEnded(sessionId);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "embed: a store listener failed on sessionEnded", e);
                }
            }
        }
    }
}
