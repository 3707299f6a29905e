package dev.embed.store.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What a store acknowledged survives a restart of the store and of PostgreSQL itself (stopped,
 * then started again on the same data directory).
 */
class PostgresRestartIT {
    @Test
    void restartWhenStoreAndDatabaseRestartThenNothingAcknowledgedIsLost() throws IOException {
        Path data = Path.of("target", "pg-restart-" + System.nanoTime()).toAbsolutePath();
        int port = EmbeddedPg.freePort();
        String prefix = TestStores.newPrefix();
        EmbeddedPostgres[] server = {EmbeddedPg.start(data, port)};
        boolean[] first = {true};
        try {
            RestartScenario.run(clock -> {
                if (!first[0]) {
                    try {
                        server[0].close();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    server[0] = EmbeddedPg.start(data, port);
                }
                first[0] = false;
                return TestStores.open(server[0].getJdbcUrl("postgres", "postgres"), prefix, clock);
            });
        } finally {
            server[0].close();
        }
    }
}
