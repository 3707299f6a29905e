package dev.embed.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a store acknowledged survives its restart on the same H2 file. */
class H2RestartTest {
    @Test
    void restartWhenOnTheSameFileThenNothingAcknowledgedIsLost() {
        String url = "jdbc:h2:file:"
                + Path.of("target", "h2", "restart-" + System.nanoTime()).toAbsolutePath();
        String prefix = TestStores.newPrefix();

        RestartScenario.run(clock -> TestStores.open(url, prefix, clock));
    }
}
