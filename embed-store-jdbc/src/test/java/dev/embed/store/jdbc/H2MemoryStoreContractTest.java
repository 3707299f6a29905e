package dev.embed.store.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The store contract on an in-memory H2 database, with this node's caches on. */
class H2MemoryStoreContractTest extends JdbcStoreContract {
    private static final String URL = "jdbc:h2:mem:contract_memory;DB_CLOSE_DELAY=-1";

    @Override
    protected String url() {
        return URL;
    }

    @Override
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection(URL);
    }
}
