package dev.embed.store.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The store contract on an H2 file database, with the caches off: every read goes to the database.
 *
 * <p>The database stays open between the tests ({@code DB_CLOSE_DELAY=-1}): H2 2.3.232 can corrupt
 * a file that is closed and reopened many times in a row ("Double mark", h2database#2752, #4123),
 * which is not what this suite is about. {@link H2RestartTest} closes and reopens once.
 */
class H2FileStoreContractTest extends JdbcStoreContract {
    private static final String URL = "jdbc:h2:file:"
            + Path.of("target", "h2", "contract-" + System.nanoTime()).toAbsolutePath() + ";DB_CLOSE_DELAY=-1";

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
