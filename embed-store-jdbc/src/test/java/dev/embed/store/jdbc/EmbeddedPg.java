package dev.embed.store.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for the tests: zonky's binaries from Maven, started by the test JVM. One
 * shared server per JVM (each test class takes a database of its own), and servers of their own
 * for the tests that stop and start them.
 *
 * <p>PostgreSQL refuses to run as root, so the tests refuse first, with the command to use.
 */
final class EmbeddedPg {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres shared;

    private EmbeddedPg() {}

    /** The shared server, started on first use. */
    static synchronized EmbeddedPostgres shared() {
        if (shared == null) {
            shared = start(null, 0);
        }
        return shared;
    }

    /** A new, empty database on the shared server: its JDBC URL. */
    static String newDatabase(String name) {
        String database = name + "_" + DATABASES.incrementAndGet();
        try (Connection connection = shared().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database, e);
        }
        return shared().getJdbcUrl("postgres", database);
    }

    /**
     * Starts a server of its own: on {@code dataDirectory} (kept when it stops, so a server started
     * again on it finds its data) or a temporary one, on {@code port} or a free one.
     */
    static EmbeddedPostgres start(Path dataDirectory, int port) {
        requireUnprivileged();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off");
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            if (port != 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL did not start", e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PostgreSQL's initdb exits with "cannot be run as root": say so, with what to do instead. */
    static void requireUnprivileged() {
        if (isRoot()) {
            throw new IllegalStateException("The jdbc store's tests start a real PostgreSQL, and PostgreSQL refuses to"
                    + " run as root (initdb: cannot be run as root). Run Maven as an unprivileged user, as .ci/run"
                    + " does: e.g. useradd -m builder && chown -R builder . && runuser -u builder -- mvn -B verify");
        }
    }

    private static boolean isRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        try {
            Object uid = java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer value && value == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
