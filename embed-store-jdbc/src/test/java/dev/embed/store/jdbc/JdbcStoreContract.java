package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.store.EmbedStore;
import dev.embed.store.StoreContract;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The store contract on one database; every test gets tables of its own (a new prefix) in it, and
 * after the whole suite every text column of every table is scanned for credentials.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class JdbcStoreContract extends StoreContract {

    /** The JDBC URL of this suite's database. */
    protected abstract String url();

    /** A connection to it, for the scan. */
    protected abstract Connection connect() throws SQLException;

    /** Extra configuration keys and values. */
    protected String[] extra() {
        return new String[0];
    }

    @Override
    protected EmbedStore open(Clock clock) {
        return TestStores.open(url(), TestStores.newPrefix(), clock, extra());
    }

    @Override
    protected void sweep(EmbedStore store) {
        ((JdbcStore) store).sweep();
    }

    @Override
    protected long entries(EmbedStore store) {
        return TestStores.entries(store);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void tablesWhenTheSuiteHasRunThenNoColumnHoldsACredential() throws SQLException {
        try (Connection connection = connect()) {
            long values = TestStores.assertNoCredentialAtRest(connection);
            assertTrue(values > 100, () -> "the scan read only " + values + " values: did the suite run first?");
        }
    }
}
