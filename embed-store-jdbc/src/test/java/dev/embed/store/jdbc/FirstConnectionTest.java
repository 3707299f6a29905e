package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Start-up on a busy host: a pool that is only slow to hand out its first connection (HikariCP's
 * timeout with no connection failure behind it, e.g. an H2 file still opening) is waited for; a
 * database that refuses fails start-up at once.
 */
class FirstConnectionTest {
    private final Connection connection = (Connection) Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> null);

    @Test
    void firstConnectionWhenThePoolTimesOutWithoutAFailureThenStartUpWaitsForIt() throws SQLException {
        AtomicInteger calls = new AtomicInteger();
        DataSource slow = dataSource(() -> {
            if (calls.incrementAndGet() <= 2) {
                throw new SQLTransientConnectionException("embed - Connection is not available, request timed out");
            }
            return connection;
        });

        assertSame(connection, JdbcStore.firstConnection(slow, Duration.ofSeconds(30)));
        assertEquals(3, calls.get());
    }

    @Test
    void firstConnectionWhenTheDatabaseRefusesThenItFailsAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        DataSource refusing = dataSource(() -> {
            calls.incrementAndGet();
            throw new SQLTransientConnectionException(
                    "embed - Connection is not available", "08001", new ConnectException("Connection refused"));
        });

        assertThrows(
                SQLTransientConnectionException.class,
                () -> JdbcStore.firstConnection(refusing, Duration.ofSeconds(30)));
        assertEquals(1, calls.get());
    }

    @Test
    void firstConnectionWhenStillSlowAtTheDeadlineThenTheTimeoutIsReported() {
        AtomicInteger calls = new AtomicInteger();
        DataSource neverReady = dataSource(() -> {
            calls.incrementAndGet();
            throw new SQLTransientConnectionException("embed - Connection is not available, request timed out");
        });

        assertThrows(SQLTransientConnectionException.class, () -> JdbcStore.firstConnection(neverReady, Duration.ZERO));
        assertEquals(1, calls.get());
    }

    private interface ConnectionSupplier {
        Connection get() throws SQLException;
    }

    private static DataSource dataSource(ConnectionSupplier supplier) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return supplier.get();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
