package dev.embed.demo.deploy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for the demo's tests: zonky's binaries from Maven, started by the test JVM, as
 * the store's own tests do. One server is shared by every test class of the Failsafe JVM (each
 * takes a database of its own), since starting one is the expensive part; a test that stops and
 * starts PostgreSQL runs a server of its own ({@link #start(Path, int)}).
 *
 * <p>PostgreSQL refuses to run as root, so this refuses first, saying what to do.
 */
public final class Pg {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres shared;

    private Pg() {}

    /** The shared server, started on first use and stopped when the JVM exits. */
    public static synchronized EmbeddedPostgres shared() {
        if (shared == null) {
            EmbeddedPostgres server = start(null, 0);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "embedded-pg-stop"));
            shared = server;
        }
        return shared;
    }

    /** A new, empty database on the shared server: its JDBC URL (user {@code postgres}, no password). */
    public static String newDatabase(String name) {
        String database = name + "_" + DATABASES.incrementAndGet();
        try (Connection connection = shared().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database, e);
        }
        return shared().getJdbcUrl("postgres", database);
    }

    /** The port of the shared server. */
    public static int sharedPort() {
        return shared().getPort();
    }

    /** A connection to a database of the shared server, by its JDBC URL. */
    public static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    /**
     * Starts a server of its own: on {@code dataDirectory} (kept when it stops, so a server started
     * again on it finds its data) or a temporary one, on {@code port} or a free one.
     */
    public static EmbeddedPostgres start(Path dataDirectory, int port) {
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

    static void close(EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException e) {
            // stopping at JVM exit: nothing more to do
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PostgreSQL's initdb exits with "cannot be run as root": say so, with what to do instead. */
    static void requireUnprivileged() {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            root |= uid instanceof Integer value && value == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not Linux: user.name decides
        }
        if (root) {
            throw new IllegalStateException("These tests start a real PostgreSQL, and PostgreSQL refuses to run as"
                    + " root (initdb: cannot be run as root). Run Maven as an unprivileged user, as .ci/run does:"
                    + " e.g. useradd -m builder && chown -R builder . && runuser -u builder -- mvn -B verify");
        }
    }
}
