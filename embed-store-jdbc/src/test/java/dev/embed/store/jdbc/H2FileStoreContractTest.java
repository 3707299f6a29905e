package dev.embed.store.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The store contract on an H2 file database, with the caches off: every read goes to the database. */
class H2FileStoreContractTest extends JdbcStoreContract {
    private static final String URL = "jdbc:h2:file:"
            + Path.of("target", "h2", "contract-" + System.nanoTime()).toAbsolutePath();

    @Override
    protected String url() {
        return URL;
    }

    @Override
    protected String[] extra() {
        return new String[] {"embed.store.jdbc.cacheMegabytes", "0"};
    }

    @Override
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection(URL);
    }
}
