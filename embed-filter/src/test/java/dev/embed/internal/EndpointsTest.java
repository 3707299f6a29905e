package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.EmbedConfig;
import dev.embed.testing.ManualScheduler;
import dev.embed.testing.MutableClock;
import dev.embed.testing.Readme;
import dev.embed.testing.TestKeys;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The endpoint table itself: the README's copy, and rows that cannot be confused. */
class EndpointsTest {
    private static Core core(Map<String, String> extra) {
        MutableClock clock = MutableClock.start();
        Map<String, String> config = new java.util.HashMap<>(extra);
        config.put("embed.signing.secret", TestKeys.SECRET);
        return Core.start(EmbedConfig.of(config), clock, new ManualScheduler(clock), null, null, null);
    }

    @Test
    void readmeWhenReadThenItsEndpointTableIsTheCoresTable() throws Exception {
        try (Core core = core(Map.of("embed.openapi.enabled", "true"))) {
            assertEquals(
                    core.endpoints().strip(),
                    Readme.between(Readme.text(), "<!-- embed:endpoints:start -->", "<!-- embed:endpoints:end -->")
                            .strip(),
                    "README.md's endpoint table: copy Embed.core().endpoints() again");
        }
    }

    @Test
    void tableWhenBuiltThenEveryRowIsUnderItsMountAndNoTwoRowsShareMethodAndPath() {
        try (Core core = core(Map.of())) {
            Set<String> seen = new HashSet<>();
            for (Mount mount : core.mounts()) {
                for (Endpoint row : mount.rows()) {
                    String path = row.path().toString();
                    assertTrue(mount.covers(path.replaceAll("\\{[A-Za-z]+}", "x")), path + " under " + mount.prefix());
                    assertTrue(seen.add(row.method() + " " + path), "twice: " + row.method() + " " + path);
                }
            }
            List<String> prefixes = core.mounts().stream().map(Mount::prefix).toList();
            assertEquals(prefixes.size(), Set.copyOf(prefixes).size(), "one mount per prefix: " + prefixes);
        }
    }
}
