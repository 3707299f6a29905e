package dev.embed.store.jdbc;

import dev.embed.config.ConfigException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Checks, or brings up to date, the store's tables against the versioned scripts in the jar. In
 * {@code validate} mode a missing version stops the start-up with the command that prints it for a
 * DBA. In {@code upgrade} mode the missing scripts are applied under a lock: on PostgreSQL a
 * transaction-scoped advisory lock, inside the one transaction that applies them (PostgreSQL's DDL
 * is transactional), so of two nodes starting at once one applies and the other then finds the
 * versions recorded; on H2 (one node, whose DDL commits at once) a lock in this JVM, and every
 * statement is written to be repeatable ({@code IF NOT EXISTS}).
 */
final class Schema {
    private static final System.Logger LOG = System.getLogger("dev.embed.store.jdbc");
    private static final ReentrantLock H2_LOCK = new ReentrantLock();
    private static final int DDL_TIMEOUT_SECONDS = 120;
    /** Key space of the advisory lock: "embd". */
    private static final int LOCK_SPACE = 0x656d6264;

    private Schema() {}

    static void check(Db db, Tables tables, boolean upgrade, String where) {
        Database database = db.database();
        List<Scripts.Script> scripts = Scripts.list(database);
        try (Connection connection = db.borrow()) {
            if (!upgrade) {
                List<Scripts.Script> missing = missing(scripts, applied(connection, database, tables));
                if (!missing.isEmpty()) {
                    Scripts.Script first = missing.get(0);
                    throw new ConfigException("embed: the jdbc store's tables (prefix " + tables.prefix() + ", "
                            + where + ") lack schema version " + first.version() + " (" + first.fileName() + " for "
                            + database.productName() + "). A DBA prints what is missing with: "
                            + SchemaTool.command(database, tables.prefix(), first.version())
                            + " and applies it; or set embed.store.jdbc.schema=upgrade to let the library apply it.");
                }
                return;
            }
            if (database == Database.POSTGRESQL) {
                upgradePostgres(connection, tables, scripts);
            } else {
                H2_LOCK.lock();
                try {
                    upgradeH2(connection, tables, scripts);
                } finally {
                    H2_LOCK.unlock();
                }
            }
        } catch (SQLException e) {
            throw new ConfigException(
                    "embed: the jdbc store could not check its tables (prefix " + tables.prefix() + ", " + where
                            + "): SQLState " + e.getSQLState() + ": " + e.getMessage(),
                    e);
        }
    }

    private static void upgradePostgres(Connection connection, Tables tables, List<Scripts.Script> scripts)
            throws SQLException {
        connection.setAutoCommit(false);
        try {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
                lock.setQueryTimeout(DDL_TIMEOUT_SECONDS);
                lock.setInt(1, LOCK_SPACE);
                lock.setInt(2, tables.prefix().hashCode());
                lock.executeQuery().close();
            }
            List<Scripts.Script> missing = missing(scripts, applied(connection, Database.POSTGRESQL, tables));
            for (Scripts.Script script : missing) {
                apply(connection, tables, script);
            }
            connection.commit();
            log(tables, missing);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static void upgradeH2(Connection connection, Tables tables, List<Scripts.Script> scripts)
            throws SQLException {
        List<Scripts.Script> missing = missing(scripts, applied(connection, Database.H2, tables));
        for (Scripts.Script script : missing) {
            apply(connection, tables, script);
        }
        log(tables, missing);
    }

    private static void apply(Connection connection, Tables tables, Scripts.Script script) throws SQLException {
        for (String sql : Scripts.statements(Scripts.text(script, tables.prefix()))) {
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(DDL_TIMEOUT_SECONDS);
                statement.execute(sql);
            }
        }
    }

    private static void log(Tables tables, List<Scripts.Script> applied) {
        if (!applied.isEmpty()) {
            List<String> names = new ArrayList<>();
            applied.forEach(script -> names.add(script.fileName()));
            LOG.log(
                    System.Logger.Level.INFO,
                    "embed: the jdbc store applied " + names + " (table prefix " + tables.prefix() + ")");
        }
    }

    private static List<Scripts.Script> missing(List<Scripts.Script> scripts, Set<Integer> applied) {
        List<Scripts.Script> missing = new ArrayList<>();
        for (Scripts.Script script : scripts) {
            if (!applied.contains(script.version())) {
                missing.add(script);
            }
        }
        return missing;
    }

    /** The versions recorded in the schema-version table; none when it does not exist. */
    static Set<Integer> applied(Connection connection, Database database, Tables tables) throws SQLException {
        String exists = database == Database.POSTGRESQL
                ? "SELECT CASE WHEN to_regclass(?) IS NULL THEN 0 ELSE 1 END"
                : "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                        + " AND UPPER(TABLE_NAME) = UPPER(?)";
        try (PreparedStatement statement = connection.prepareStatement(exists)) {
            statement.setString(1, tables.schemaVersion());
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next() || rows.getInt(1) == 0) {
                    return Set.of();
                }
            }
        }
        Set<Integer> versions = new TreeSet<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM " + tables.schemaVersion())) {
            while (rows.next()) {
                versions.add(rows.getInt(1));
            }
        }
        return versions;
    }
}
