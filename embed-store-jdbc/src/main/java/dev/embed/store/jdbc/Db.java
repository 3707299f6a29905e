package dev.embed.store.jdbc;

import dev.embed.error.EmbedError;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Connections, transactions and failures: every statement has a query timeout, every connection
 * wait is bounded (by the pool, or by the network timeout set on a container's connections), and
 * any failure to reach the database becomes a 503 {@link dev.embed.error.EmbedException} with
 * {@code Retry-After}.
 * The first failure of an outage is logged as a warning, the return of the database once.
 */
final class Db implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.embed.store.jdbc");
    static final String UNAVAILABLE =
            "the chat store's database is unavailable or too slow at the moment; retry in a few seconds";

    private final DataSource dataSource;
    private final @Nullable AutoCloseable ownPool;
    private final Database database;
    private final int timeoutSeconds;
    private final boolean containerPool;
    private final AtomicBoolean failing = new AtomicBoolean();

    /** Work on a connection; a {@link SQLException} becomes a 503. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Work on a connection that answers nothing (a write); a {@link SQLException} becomes a 503. */
    @FunctionalInterface
    interface Update {
        void run(Connection connection) throws SQLException;
    }

    /**
     * @param ownPool the pool this store created and closes, or null for a container's DataSource
     *     (whose connections then get a network timeout, and on H2 a lock timeout, when borrowed)
     */
    Db(DataSource dataSource, @Nullable AutoCloseable ownPool, Database database, int timeoutSeconds) {
        this.dataSource = dataSource;
        this.ownPool = ownPool;
        this.database = database;
        this.timeoutSeconds = timeoutSeconds;
        this.containerPool = ownPool == null;
    }

    Database database() {
        return database;
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    /** Runs {@code work} in one transaction, committed when it returns, rolled back when it throws. */
    <T> T transaction(String operation, Work<T> work) {
        try (Connection connection = borrow()) {
            connection.setAutoCommit(false);
            boolean committed = false;
            try {
                T result = work.run(connection);
                connection.commit();
                committed = true;
                succeeded();
                return result;
            } finally {
                if (!committed) {
                    rollbackQuietly(connection);
                }
                restoreAutoCommit(connection);
            }
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    /** Runs {@code work}, which answers nothing, in one transaction, as {@link #transaction} does. */
    void update(String operation, Update work) {
        transaction(operation, connection -> {
            work.run(connection);
            return Boolean.TRUE;
        });
    }

    /** Runs {@code work} on a connection in auto-commit mode (reads). */
    <T> T read(String operation, Work<T> work) {
        try (Connection connection = borrow()) {
            T result = work.run(connection);
            succeeded();
            return result;
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    /** A statement with the store's query timeout. */
    PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(timeoutSeconds);
        return statement;
    }

    /** A statement with a longer timeout, for start-up work (schema changes wait for a lock). */
    Statement slowStatement(Connection connection, int seconds) throws SQLException {
        Statement statement = connection.createStatement();
        statement.setQueryTimeout(seconds);
        return statement;
    }

    Connection borrow() throws SQLException {
        Connection connection = dataSource.getConnection();
        if (containerPool) {
            try {
                // Bounds every read on the socket even if the container's pool sets no timeout.
                connection.setNetworkTimeout(Runnable::run, (timeoutSeconds * 2 + 5) * 1000);
            } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
                // The query timeout still applies.
            }
            if (database == Database.H2) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET LOCK_TIMEOUT " + timeoutSeconds * 1000);
                }
            }
        }
        return connection;
    }

    /** The exception a failed operation throws: 503, except for a broken constraint (a bug: 500). */
    RuntimeException failure(String operation, SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("23")) {
            return new IllegalStateException(
                    "embed jdbc store: " + operation + " broke a constraint (SQLState " + state + ")", e);
        }
        if (failing.compareAndSet(false, true)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: the jdbc store could not " + operation + " (" + describe(e)
                            + "); requests that need the database answer 503 until it is back",
                    e);
        } else {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    () -> "embed: the jdbc store could not " + operation + " (" + describe(e) + ")");
        }
        // EmbedException carries no cause (nor stack): the log line above has it.
        return EmbedError.serviceUnavailable(UNAVAILABLE).toException();
    }

    private void succeeded() {
        if (failing.get() && failing.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "embed: the jdbc store's database answers again");
        }
    }

    private static String describe(SQLException e) {
        return e.getClass().getSimpleName() + ", SQLState " + e.getSQLState() + ": " + e.getMessage();
    }

    /** A container's pool may hand the connection out again as it is: leave it as it came. */
    private static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            // The connection is broken; the pool discards it.
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The connection is broken; the pool discards it.
        }
    }

    @Override
    public void close() {
        if (ownPool != null) {
            try {
                ownPool.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "embed: closing the jdbc store's pool", e);
            }
        }
    }
}
