package dev.embed.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads what the other nodes changed, from the {@code change} table, after the last id this node
 * has seen: woken at once by PostgreSQL's {@code NOTIFY} when a listening connection is open, and
 * every {@code pollMillis} in any case, so a lost notification (or a pooler that cannot pass them)
 * only delays a change by one poll.
 *
 * <p>Ids come from an identity column, so they are handed out in order but may commit out of
 * order: an id skipped by a read is remembered as a gap and looked for again for 30 s (a rolled
 * back transaction leaves one forever). A node that could not read for a minute (the change log
 * keeps ten) reloads every revocation and drops its caches, and every 30 s it re-reads the
 * revocations of the last five minutes: revocations hold however late a change arrives.
 */
final class ChangeFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.embed.store.jdbc");
    private static final int PAGE = 500;
    private static final int MAX_GAPS = 1000;
    private static final long GAP_NANOS = 30_000_000_000L;
    private static final long RESYNC_NANOS = 60_000_000_000L;
    private static final long CATCH_UP_NANOS = 30_000_000_000L;
    private static final long CATCH_UP_WINDOW_MILLIS = 5 * 60_000L;
    /** How stale (since the start of the last good read) local copies may be and still be used. */
    private static final long FRESH_NANOS = 750_000_000L;

    private final Db db;
    private final Tables tables;
    private final Changes changes;
    private final RevocationMemory revocations;
    private final LocalCache cacheForResync;
    private final Clock clock;
    private final long pollMillis;
    private final Wakeup wakeup;
    private final String readAfter;
    private final String readRevocations;
    private final String readRecentRevocations;

    // Owned by the feed's thread (and by open(), before it starts).
    private long lastSeen;
    private final TreeMap<Long, Long> gaps = new TreeMap<>();
    private long lastGoodNanos;
    private long lastCatchUpNanos;

    private volatile long freshSinceNanos;
    /** Written by the feed's thread only, read by tests. */
    private final AtomicLong notified = new AtomicLong();

    private volatile boolean running;
    private @org.jspecify.annotations.Nullable Thread thread;

    ChangeFeed(
            Db db,
            Tables tables,
            Changes changes,
            RevocationMemory revocations,
            LocalCache cacheForResync,
            Clock clock,
            long pollMillis,
            Wakeup wakeup) {
        this.db = db;
        this.tables = tables;
        this.changes = changes;
        this.revocations = revocations;
        this.cacheForResync = cacheForResync;
        this.clock = clock;
        this.pollMillis = pollMillis;
        this.wakeup = wakeup;
        this.readAfter = "SELECT id, kind, ref, until_at, origin FROM " + tables.change()
                + " WHERE id > ? ORDER BY id LIMIT " + PAGE;
        this.readRevocations = "SELECT kind, id, until_at FROM " + tables.revocation() + " WHERE until_at > ?";
        this.readRecentRevocations = readRevocations + " AND revoked_at >= ?";
    }

    /**
     * Loads what must be local before the store serves: the last change id (first, so nothing
     * committed after the load is missed), then every revocation in force.
     */
    void load() {
        lastSeen = db.read("load revocations", connection -> {
            long last;
            try (PreparedStatement statement =
                            db.prepare(connection, "SELECT COALESCE(MAX(id), 0) FROM " + tables.change());
                    ResultSet rows = statement.executeQuery()) {
                rows.next();
                last = rows.getLong(1);
            }
            loadRevocations(connection, readRevocations, null);
            return last;
        });
        long now = System.nanoTime();
        lastGoodNanos = now;
        lastCatchUpNanos = now;
        freshSinceNanos = now;
    }

    void start() {
        wakeup.connect();
        running = true;
        Thread t = new Thread(this::run, "embed-store-jdbc-changes");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Whether local copies may be trusted: the last good read started less than 750 ms ago. */
    boolean fresh() {
        return running && System.nanoTime() - freshSinceNanos < FRESH_NANOS;
    }

    /** How many waits a notification ended (tests: proof that NOTIFY, not polling, woke the feed). */
    long notified() {
        return notified.get();
    }

    /** Whether notifications can arrive (PostgreSQL, a listening connection open). */
    boolean listening() {
        return wakeup.listening();
    }

    private void run() {
        while (running) {
            try {
                if (wakeup.await(pollMillis)) {
                    notified.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A driver's surprise must not end the feed: poll as if the wait had timed out.
                LOG.log(System.Logger.Level.DEBUG, "embed: waiting for other nodes' changes failed", e);
            }
            if (!running) {
                return;
            }
            try {
                poll();
            } catch (RuntimeException e) {
                // Db logged the outage; local copies go stale and are no longer used.
                LOG.log(System.Logger.Level.TRACE, "embed: change feed read failed", e);
            }
        }
    }

    /** One read of what changed (the feed's thread; tests call it directly). */
    void poll() {
        long started = System.nanoTime();
        boolean resync = started - lastGoodNanos > RESYNC_NANOS;
        boolean catchUp = resync || started - lastCatchUpNanos > CATCH_UP_NANOS;
        List<Changes.Row> rows = db.read("read other nodes' changes", connection -> {
            List<Changes.Row> read = new ArrayList<>();
            for (int page = 0; page < 20; page++) {
                int before = read.size();
                try (PreparedStatement statement = db.prepare(connection, readAfter)) {
                    statement.setLong(
                            1,
                            read.isEmpty()
                                    ? lastSeen
                                    : read.get(read.size() - 1).id());
                    readRows(statement, read);
                }
                if (read.size() - before < PAGE) {
                    break;
                }
            }
            if (!gaps.isEmpty()) {
                readGaps(connection, read);
            }
            if (resync) {
                loadRevocations(connection, readRevocations, null);
            } else if (catchUp) {
                loadRevocations(connection, readRecentRevocations, clock.millis() - CATCH_UP_WINDOW_MILLIS);
            }
            return read;
        });
        if (resync) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "embed: the jdbc store missed other nodes' changes for a while;"
                            + " revocations reloaded, local copies dropped");
            cacheForResync.invalidateAll();
        }
        List<Changes.Row> fresh = new ArrayList<>();
        long now = System.nanoTime();
        for (Changes.Row row : rows) {
            boolean isNew;
            if (row.id() > lastSeen) {
                for (long missing = lastSeen + 1; missing < row.id() && gaps.size() < MAX_GAPS; missing++) {
                    gaps.put(missing, now);
                }
                lastSeen = row.id();
                isNew = true;
            } else {
                isNew = gaps.remove(row.id()) != null;
            }
            if (isNew && !row.origin().equals(changes.origin())) {
                fresh.add(row);
            }
        }
        for (Iterator<Map.Entry<Long, Long>> it = gaps.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue() > GAP_NANOS) {
                it.remove();
            }
        }
        if (catchUp) {
            lastCatchUpNanos = started;
        }
        lastGoodNanos = started;
        if (!fresh.isEmpty()) {
            changes.apply(fresh);
        }
        freshSinceNanos = started;
    }

    private void readGaps(Connection connection, List<Changes.Row> read) throws SQLException {
        List<Long> ids = new ArrayList<>(gaps.keySet());
        for (int from = 0; from < ids.size(); from += 100) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 100));
            StringBuilder sql = new StringBuilder("SELECT id, kind, ref, until_at, origin FROM ")
                    .append(tables.change())
                    .append(" WHERE id IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            sql.append(") ORDER BY id");
            try (PreparedStatement statement = db.prepare(connection, sql.toString())) {
                for (int i = 0; i < chunk.size(); i++) {
                    statement.setLong(i + 1, chunk.get(i));
                }
                readRows(statement, read);
            }
        }
    }

    private static void readRows(PreparedStatement statement, List<Changes.Row> into) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                long until = rows.getLong(4);
                Long untilOrNull = rows.wasNull() ? null : until;
                into.add(new Changes.Row(
                        rows.getLong(1),
                        rows.getString(2).charAt(0),
                        rows.getString(3),
                        untilOrNull,
                        rows.getString(5)));
            }
        }
    }

    private void loadRevocations(Connection connection, String sql, @org.jspecify.annotations.Nullable Long since)
            throws SQLException {
        try (PreparedStatement statement = db.prepare(connection, sql)) {
            statement.setLong(1, clock.millis());
            if (since != null) {
                statement.setLong(2, since);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    revocations.remember(rows.getString(1).charAt(0), rows.getString(2), rows.getLong(3));
                }
            }
        }
    }

    /**
     * Stops the feed: ends its wait and lets a read in progress finish (interrupting a thread in
     * JDBC can break an H2 file), interrupting it only if it does not stop in time.
     */
    @Override
    public void close() {
        running = false;
        wakeup.close();
        Thread t = thread;
        if (t != null) {
            try {
                t.join((db.timeoutSeconds() * 2L + 1) * 1000);
                if (t.isAlive()) {
                    t.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
