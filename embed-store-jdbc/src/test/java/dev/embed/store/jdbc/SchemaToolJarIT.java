package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The DBA path with the packaged jar: {@code java -jar embed-store-jdbc-<version>.jar print-sql}
 * needs no other jar, and what it prints, applied to an empty PostgreSQL database, is what a store
 * in {@code validate} mode accepts.
 */
class SchemaToolJarIT {
    @Test
    void printSqlWhenRunFromTheJarThenAppliedByHandAStoreValidatesIt() throws Exception {
        Path jar = jar();
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "print-sql",
                        "--database",
                        "postgresql",
                        "--prefix",
                        "dba_")
                .redirectErrorStream(true)
                .start();
        String sql = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), sql);
        assertTrue(sql.startsWith("-- embed-store-jdbc " + SchemaToolJarIT.version(jar)), sql);

        String url = EmbeddedPg.newDatabase("dba");
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            for (String statement : Scripts.statements(sql)) {
                try (Statement s = connection.createStatement()) {
                    s.execute(statement);
                }
            }
            connection.commit();
        }
        try (JdbcStore store = TestStores.open(url, "dba_", Clock.systemUTC(), "embed.store.jdbc.schema", "validate")) {
            assertTrue(store.describe().contains("PostgreSQL"), store.describe());
        }
    }

    private static Path jar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "embed-store-jdbc-*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (!name.endsWith("-tests.jar") && !name.endsWith("-sources.jar")) {
                    return jar;
                }
            }
        }
        throw new IllegalStateException("no packaged jar in target/: run mvn verify (failsafe runs after package)");
    }

    private static String version(Path jar) {
        String name = jar.getFileName().toString();
        return name.substring("embed-store-jdbc-".length(), name.length() - ".jar".length());
    }
}
