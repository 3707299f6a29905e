package dev.embed.store.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The store contract on a real PostgreSQL, with this node's caches on. */
class PostgresStoreContractIT extends JdbcStoreContract {
    private static String url;

    @Override
    protected String url() {
        synchronized (PostgresStoreContractIT.class) {
            if (url == null) {
                url = EmbeddedPg.newDatabase("contract");
            }
            return url;
        }
    }

    @Override
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }
}
