package dev.embed.store.jdbc;

import java.util.Locale;
import java.util.Optional;

/**
 * The databases the store supports, and the few places where their SQL differs. Uses nothing but
 * the JDK: {@link SchemaTool} prints the SQL with no other jar present.
 */
enum Database {
    /** PostgreSQL 13 or later: any number of nodes. */
    POSTGRESQL("postgresql", "PostgreSQL", 13),
    /** H2 2.x: one node (embedded in the application). */
    H2("h2", "H2", 2);

    private final String id;
    private final String productName;
    private final int minimumMajorVersion;

    Database(String id, String productName, int minimumMajorVersion) {
        this.id = id;
        this.productName = productName;
        this.minimumMajorVersion = minimumMajorVersion;
    }

    /** The name used in script paths and on the command line: {@code postgresql}, {@code h2}. */
    String id() {
        return id;
    }

    /** What {@link java.sql.DatabaseMetaData#getDatabaseProductName()} answers. */
    String productName() {
        return productName;
    }

    int minimumMajorVersion() {
        return minimumMajorVersion;
    }

    /** The database of a command-line or script name, case-insensitive. */
    static Optional<Database> byId(String id) {
        for (Database database : values()) {
            if (database.id.equals(id.toLowerCase(Locale.ROOT))) {
                return Optional.of(database);
            }
        }
        return Optional.empty();
    }

    /** The database of a JDBC product name, e.g. {@code PostgreSQL}, {@code H2}. */
    static Optional<Database> byProductName(String productName) {
        for (Database database : values()) {
            if (database.productName.equalsIgnoreCase(productName)) {
                return Optional.of(database);
            }
        }
        return Optional.empty();
    }

    /** The JDBC driver class for a URL of this database. */
    String driverClassName() {
        return this == POSTGRESQL ? "org.postgresql.Driver" : "org.h2.Driver";
    }

    /** The database a JDBC URL names, if it is one of ours. */
    static Optional<Database> byUrl(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return Optional.of(POSTGRESQL);
        }
        if (url.startsWith("jdbc:h2:")) {
            return Optional.of(H2);
        }
        return Optional.empty();
    }

    /**
     * An {@code UPDATE} or {@code DELETE} that also answers the affected rows' {@code columns}:
     * {@code RETURNING} on PostgreSQL, a data change delta table on H2.
     */
    String returning(String dml, String columns) {
        if (this == POSTGRESQL) {
            return dml + " RETURNING " + columns;
        }
        String table = dml.startsWith("DELETE") ? "OLD TABLE" : "FINAL TABLE";
        return "SELECT " + columns + " FROM " + table + " (" + dml + ")";
    }

    /**
     * A bounded delete of the rows whose {@code column} is at most the one parameter: {@code
     * batch} rows at most per statement (PostgreSQL has no {@code DELETE ... LIMIT}; a row changed
     * meanwhile has a new {@code ctid} and is left alone).
     */
    String sweep(String table, String column, int batch) {
        if (this == POSTGRESQL) {
            return "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table + " WHERE " + column
                    + " <= ? LIMIT " + batch + ")";
        }
        return "DELETE FROM " + table + " WHERE " + column + " <= ? LIMIT " + batch;
    }

    /**
     * The locking clause of a claim: on PostgreSQL, rows another node is claiming are skipped, so
     * nodes never wait for each other; H2 serves one node, where the conditional {@code UPDATE}
     * that follows decides alone (every H2 2.x accepts a query without a locking clause).
     */
    String claimLock(String alias) {
        return this == POSTGRESQL ? " FOR UPDATE OF " + alias + " SKIP LOCKED" : "";
    }
}
