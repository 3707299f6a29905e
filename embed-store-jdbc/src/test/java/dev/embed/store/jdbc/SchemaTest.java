package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.ConfigException;
import dev.embed.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The versioned scripts, and the validate and upgrade modes (on H2; PostgreSQL in TwoNodesIT). */
class SchemaTest {
    private final MutableClock clock = MutableClock.start();
    private final String url = "jdbc:h2:mem:schema_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";

    @Test
    void openWhenValidatingAnEmptyDatabaseThenFailsNamingTheMissingVersionAndHowToApplyIt() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> TestStores.open(url, "acme_", clock, "embed.store.jdbc.schema", "validate"));

        assertTrue(e.getMessage().contains("lack schema version 1 (V1__init.sql for H2)"), e.getMessage());
        assertTrue(e.getMessage().contains("print-sql --database h2 --prefix acme_"), e.getMessage());
        assertTrue(e.getMessage().contains("embed.store.jdbc.schema=upgrade"), e.getMessage());
    }

    @Test
    void openWhenValidatingTablesADbaCreatedFromThePrintedSqlThenStarts() throws SQLException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SchemaTool.run(
                new String[] {"print-sql", "--database", "h2", "--prefix", "acme_"},
                new PrintStream(printed, true, StandardCharsets.UTF_8),
                System.err);
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            for (String sql : Scripts.statements(printed.toString(StandardCharsets.UTF_8))) {
                statement.execute(sql);
            }
        }

        try (JdbcStore store = TestStores.open(url, "acme_", clock, "embed.store.jdbc.schema", "validate")) {
            assertTrue(store.describe().contains("H2"), store.describe());
        }
    }

    @Test
    void openWhenUpgradingTwiceThenEachVersionIsAppliedAndRecordedOnce() throws SQLException {
        TestStores.open(url, "acme_", clock).close();
        TestStores.open(url, "acme_", clock).close();
        TestStores.open(url, "acme_", clock, "embed.store.jdbc.schema", "validate")
                .close();

        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM acme_schema_version")) {
            List<Integer> versions = new ArrayList<>();
            while (rows.next()) {
                versions.add(rows.getInt(1));
            }
            assertEquals(List.of(1), versions);
        }
    }

    @Test
    void openWhenAnotherPrefixHasTablesThenItsOwnAreStillMissing() {
        TestStores.open(url, "one_", clock).close();

        assertThrows(
                ConfigException.class,
                () -> TestStores.open(url, "two_", clock, "embed.store.jdbc.schema", "validate"));
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void scriptsWhenListedThenEveryFileOfTheDirectoryInOrderAndEachRecordsItsVersionLast(Database database)
            throws IOException, URISyntaxException {
        List<Scripts.Script> scripts = Scripts.list(database);
        Path directory = Path.of(getClass()
                        .getClassLoader()
                        .getResource("META-INF/embed/sql/" + database.id() + "/scripts.txt")
                        .toURI())
                .getParent();
        Set<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(directory)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".sql"))
                    .forEach(files::add);
        }

        assertEquals(
                files,
                new TreeSet<>(scripts.stream().map(Scripts.Script::fileName).toList()));
        for (Scripts.Script script : scripts) {
            List<String> statements = Scripts.statements(Scripts.text(script, "x_"));
            String last = statements.get(statements.size() - 1);
            assertTrue(
                    last.startsWith(
                            "INSERT INTO x_schema_version (version, description) VALUES (" + script.version() + ","),
                    () -> script.fileName() + " ends with " + last);
        }
    }

    @Test
    void scriptsWhenComparedThenBothDatabasesHaveTheSameVersionsAndTables() {
        List<Scripts.Script> postgres = Scripts.list(Database.POSTGRESQL);
        List<Scripts.Script> h2 = Scripts.list(Database.H2);

        assertEquals(
                postgres.stream().map(Scripts.Script::fileName).toList(),
                h2.stream().map(Scripts.Script::fileName).toList());
        for (int i = 0; i < postgres.size(); i++) {
            assertEquals(
                    tables(Scripts.text(postgres.get(i), "p_")),
                    tables(Scripts.text(h2.get(i), "p_")),
                    postgres.get(i).fileName());
        }
    }

    @Test
    void statementsWhenSplitThenCommentsDroppedAndEachEndsAtItsSemicolon() {
        List<String> statements = Scripts.statements("""
                -- a comment; with a semicolon
                CREATE TABLE a (
                  x INT
                );

                INSERT INTO a VALUES (1);
                """);

        assertEquals(List.of("CREATE TABLE a (\n  x INT\n)", "INSERT INTO a VALUES (1)"), statements);
        assertThrows(IllegalStateException.class, () -> Scripts.statements("CREATE TABLE a (x INT)\n"));
    }

    private static Set<String> tables(String script) {
        Set<String> tables = new TreeSet<>();
        for (String statement : Scripts.statements(script)) {
            if (statement.startsWith("CREATE TABLE IF NOT EXISTS ")) {
                tables.add(statement.split("\\s+", -1)[5]);
            }
        }
        return tables;
    }
}
