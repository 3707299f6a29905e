package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code print-sql}: the DBA's view of the schema. */
class SchemaToolTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void printSqlWhenPostgresqlWithAPrefixThenEveryStatementUsesIt() {
        assertEquals(0, run("print-sql", "--database", "postgresql", "--prefix", "app_"));

        String sql = out.toString(StandardCharsets.UTF_8);
        assertTrue(sql.contains("-- ==== V1__init.sql ===="), sql);
        assertTrue(sql.contains("CREATE TABLE IF NOT EXISTS app_session ("), sql);
        assertTrue(sql.contains("CREATE TABLE IF NOT EXISTS app_schema_version ("), sql);
        assertTrue(sql.contains("INSERT INTO app_schema_version (version, description) VALUES (1, 'init');"), sql);
        assertFalse(sql.contains("${prefix}"), sql);
        assertFalse(sql.contains("embed_session"), sql);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printSqlWhenH2ThenItsOwnTypesAndTheDefaultPrefix() {
        assertEquals(0, run("print-sql", "--database", "h2"));

        String sql = out.toString(StandardCharsets.UTF_8);
        assertTrue(sql.contains("CREATE TABLE IF NOT EXISTS embed_message ("), sql);
        assertTrue(sql.contains("content CHARACTER LARGE OBJECT NOT NULL"), sql);
    }

    @Test
    void printSqlWhenFromIsPastTheLatestVersionThenNothingToApply() {
        assertEquals(0, run("print-sql", "--database", "postgresql", "--from", "99"));

        String sql = out.toString(StandardCharsets.UTF_8);
        assertTrue(sql.contains("(nothing: this library's latest schema version is 1)"), sql);
        assertFalse(sql.contains("CREATE TABLE"), sql);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "print-sql --database oracle | --database must be postgresql or h2",
                "print-sql --database postgresql --prefix Embed- | --prefix must be a lowercase SQL identifier",
                "print-sql --database postgresql --prefix 1x | --prefix must be a lowercase SQL identifier",
                "print-sql --database postgresql --from zero | --from must be a schema version",
                "print-sql --database | --database needs a value",
                "print-sql | --database is required",
                "print-sql --database h2 --drop all | unknown option: --drop",
                "drop-tables | unknown command: drop-tables",
            })
    void runWhenArgumentsAreWrongThenUsageOnStandardErrorAndStatus2(String args, String message) {
        assertEquals(2, run(args.strip().split(" ")));

        assertTrue(err.toString(StandardCharsets.UTF_8).contains(message), err::toString);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: java -jar embed-store-jdbc-"), err::toString);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mainWhenOnlyThisModulesClassesAreOnTheClassPathThenItPrints() throws Exception {
        URL classes = Path.of("target", "classes").toUri().toURL();
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader alone = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Method main = alone.loadClass("dev.embed.store.jdbc.SchemaTool").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {"print-sql", "--database", "postgresql"});
        } finally {
            System.setOut(original);
        }
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("CREATE TABLE IF NOT EXISTS embed_turn ("));
    }

    private int run(String... args) {
        return SchemaTool.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
