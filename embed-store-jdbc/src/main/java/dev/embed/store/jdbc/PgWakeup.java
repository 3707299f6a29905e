package dev.embed.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * PostgreSQL's {@code LISTEN} on a connection of its own: another node's {@code NOTIFY} ends the
 * change feed's wait at once. The only class that touches pgjdbc; it is loaded only for
 * PostgreSQL, so the store runs with only the H2 driver present.
 *
 * <p>With a URL the connection is opened with the driver directly, outside the pool. With a
 * container's DataSource it is borrowed and handed back every minute, so the container's pool still
 * sees and checks it. A broken connection is reopened after a second; meanwhile (and whenever a
 * pooler cannot pass notifications) the feed's polling alone carries the changes, only later.
 */
final class PgWakeup implements Wakeup {
    private static final System.Logger LOG = System.getLogger("dev.embed.store.jdbc");
    private static final long RETRY_NANOS = 1_000_000_000L;
    private static final long CHECK_NANOS = 30_000_000_000L;
    private static final long RENEW_NANOS = 60_000_000_000L;

    /** Opens a connection to listen on. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    private final Wakeup.Sleeping pause = new Wakeup.Sleeping();
    private final Opener opener;
    private final String channel;
    private final int timeoutSeconds;
    private final boolean renew;
    private volatile boolean closed;
    private volatile @Nullable Connection connection;
    private volatile @Nullable PGConnection pg;
    private long openedNanos;
    private long checkedNanos;
    private long retryAtNanos;
    private boolean warned;

    /**
     * @param renew whether to hand the connection back now and then (a container's pool)
     */
    PgWakeup(Opener opener, String channel, int timeoutSeconds, boolean renew) {
        this.opener = opener;
        this.channel = channel;
        this.timeoutSeconds = timeoutSeconds;
        this.renew = renew;
    }

    @Override
    public boolean await(long millis) throws InterruptedException {
        long now = System.nanoTime();
        PGConnection listening = pg;
        if (listening == null) {
            if (now - retryAtNanos < 0 || (listening = open()) == null) {
                pause.await(millis);
                return false;
            }
        }
        try {
            PGNotification[] notifications = listening.getNotifications((int) Math.max(1, millis));
            now = System.nanoTime();
            if (now - checkedNanos > CHECK_NANOS) {
                check();
                checkedNanos = now;
            }
            if (renew && now - openedNanos > RENEW_NANOS) {
                release();
            }
            return notifications != null && notifications.length > 0;
        } catch (SQLException e) {
            if (!closed) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        () -> "embed: the LISTEN connection failed (" + e.getMessage()
                                + "); polling alone until it is back");
            }
            release();
            retryAtNanos = System.nanoTime() + RETRY_NANOS;
            return false;
        }
    }

    @Override
    public void connect() {
        if (pg == null) {
            open();
        }
    }

    @Override
    public boolean listening() {
        return pg != null;
    }

    private @Nullable PGConnection open() {
        Connection opened = null;
        try {
            opened = opener.open();
            opened.setAutoCommit(true);
            PGConnection unwrapped = opened.unwrap(PGConnection.class);
            try (Statement statement = opened.createStatement()) {
                statement.setQueryTimeout(timeoutSeconds);
                statement.execute("LISTEN " + channel);
            }
            connection = opened;
            pg = unwrapped;
            openedNanos = System.nanoTime();
            checkedNanos = openedNanos;
            if (warned) {
                LOG.log(System.Logger.Level.INFO, "embed: the jdbc store listens for other nodes' changes again");
                warned = false;
            }
            return unwrapped;
        } catch (SQLException | RuntimeException e) {
            if (!warned && !closed) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "embed: the jdbc store cannot LISTEN for other nodes' changes (" + e.getMessage()
                                + "); it polls every few hundred milliseconds instead until it can");
                warned = true;
            }
            closeQuietly(opened);
            retryAtNanos = System.nanoTime() + RETRY_NANOS;
            return null;
        }
    }

    /** Finds a connection that died without a word (no packet came back). */
    private void check() throws SQLException {
        Connection current = connection;
        if (current != null) {
            try (Statement statement = current.createStatement()) {
                statement.setQueryTimeout(timeoutSeconds);
                statement.execute("SELECT 1");
            }
        }
    }

    private void release() {
        Connection current = connection;
        connection = null;
        pg = null;
        if (current != null && renew && !closed) {
            try (Statement statement = current.createStatement()) {
                statement.setQueryTimeout(timeoutSeconds);
                statement.execute("UNLISTEN *");
            } catch (SQLException e) {
                // Closing it below is all that is left to do.
            }
        }
        closeQuietly(current);
    }

    /** Ends a wait at once: a pause returns, a blocked read fails on the closed connection. */
    @Override
    public void close() {
        closed = true;
        pause.close();
        closeQuietly(connection);
    }

    private static void closeQuietly(@Nullable Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Gone already.
            }
        }
    }
}
