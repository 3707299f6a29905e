package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.ConfigException;
import dev.embed.config.EmbedConfig;
import dev.embed.testing.MutableClock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The embed.store.jdbc.* settings: defaults, and start-up errors that name the key. */
class JdbcSettingsTest {

    @Test
    void fromWhenOnlyAUrlThenDefaults() {
        JdbcSettings settings = JdbcSettings.from(EmbedConfig.of(Map.of("embed.store.jdbc.url", "jdbc:h2:mem:x")));

        assertEquals("embed_", settings.tablePrefix());
        assertFalse(settings.upgrade());
        assertEquals(10, settings.poolSize());
        assertEquals(5, settings.timeoutSeconds());
        assertEquals(250, settings.pollMillis());
        assertEquals(60, settings.sweepSeconds());
        assertEquals(64L * 1024 * 1024, settings.cacheBytes());
        assertEquals(4L * 1024 * 1024, settings.maxSessionBytes());
    }

    @Test
    void fromWhenNoDatabaseIsNamedThenBothKeysAreNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> JdbcSettings.from(EmbedConfig.of(Map.of())));

        assertTrue(e.getMessage().contains("embed.store.jdbc.dataSource"), e.getMessage());
        assertTrue(e.getMessage().contains("embed.store.jdbc.url"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "embed.store.jdbc.dataSource | java:comp/env/jdbc/embed | cannot be set together with embed.store.jdbc.url",
                "embed.store.jdbc.url | jdbc:mysql://db/embed | must be a PostgreSQL (jdbc:postgresql:...) or H2",
                "embed.store.jdbc.tablePrefix | Embed_ | must be a lowercase SQL identifier",
                "embed.store.jdbc.tablePrefix | 1embed | must be a lowercase SQL identifier",
                "embed.store.jdbc.tablePrefix | embed;drop | must be a lowercase SQL identifier",
                "embed.store.jdbc.tablePrefix | abcdefghijabcdefghijabcdefghijk | must be a lowercase SQL identifier",
                "embed.store.jdbc.schema | drop | must be validate or upgrade",
                "embed.store.jdbc.poolSize | 0 | must be between 1 and 1000",
                "embed.store.jdbc.timeoutSeconds | 0 | must be between 1 and 300",
                "embed.store.jdbc.pollMillis | 5000 | must be between 50 and 1000",
                "embed.store.jdbc.cacheMegabytes | -1 | must be between 0 and 65536",
                "embed.store.jdbc.maxSessionBytes | 100 | must be between 65536 and 1073741824",
            })
    void fromWhenASettingIsBadThenStartUpFailsNamingIt(String key, String value, String rule) {
        Map<String, String> config = new HashMap<>(Map.of("embed.store.jdbc.url", "jdbc:h2:mem:x"));
        config.put(key, value);

        ConfigException e = assertThrows(ConfigException.class, () -> JdbcSettings.from(EmbedConfig.of(config)));

        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(rule), e.getMessage());
    }

    @Test
    void settingsWhenPrintedThenNeverThePassword() {
        JdbcSettings settings = JdbcSettings.from(EmbedConfig.of(Map.of(
                "embed.store.jdbc.url", "jdbc:postgresql://db/embed?password=in-the-url",
                "embed.store.jdbc.user", "embed",
                "embed.store.jdbc.password", "hunter2-secret")));

        assertFalse(settings.toString().contains("hunter2-secret"), settings::toString);
        assertFalse(settings.toString().contains("in-the-url"), settings::toString);
        assertEquals("URL jdbc:postgresql://db/embed...", settings.source());
    }

    @Test
    void openWhenTheDatabaseCannotBeReachedThenStartUpFailsSayingWhere() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> TestStores.open(
                        "jdbc:postgresql://127.0.0.1:" + EmbeddedPg.freePort() + "/embed?password=in-the-url",
                        "embed_",
                        MutableClock.start(),
                        "embed.store.jdbc.timeoutSeconds",
                        "1"));

        assertTrue(
                e.getMessage().contains("cannot reach its database (URL jdbc:postgresql://127.0.0.1:"), e.getMessage());
        assertFalse(e.getMessage().contains("in-the-url"), e.getMessage());
    }
}
