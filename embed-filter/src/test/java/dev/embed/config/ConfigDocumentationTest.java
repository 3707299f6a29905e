package dev.embed.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Readme;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's configuration table and {@link ConfigKey} say the same thing (STYLE §3). */
class ConfigDocumentationTest {
    private static final String START = "<!-- embed:config:start -->";
    private static final String END = "<!-- embed:config:end -->";
    /** A table row: {@code | `key` | `ENV` | default | meaning |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|\\s*`([^`]+)`\\s*\\|(.*)$");

    private static final String API_KEY_ROW = ConfigKey.API_KEY_PREFIX + "<id>";
    private static final String API_KEY_ENV_ROW = ConfigKey.API_KEY_ENV_PREFIX + "<ID>";

    @ParameterizedTest
    @EnumSource(ConfigKey.class)
    void readmeTableWhenReadThenDocumentsKeyWithItsEnvironmentVariable(ConfigKey key) throws IOException {
        Map<String, String> rows = rows();

        assertTrue(rows.containsKey(key.key()), () -> "README's configuration table lacks " + key.key());
        assertEquals(
                key.env(), rows.get(key.key()), () -> "README names the wrong environment variable for " + key.key());
    }

    @Test
    void readmeTableWhenReadThenEveryKeyExistsInConfigKey() throws IOException {
        Set<String> known = new TreeSet<>();
        for (ConfigKey key : ConfigKey.values()) {
            known.add(key.key());
        }
        known.add(API_KEY_ROW);

        List<String> unknown = new ArrayList<>();
        for (String documented : rows().keySet()) {
            if (!known.contains(documented)) {
                unknown.add(documented);
            }
        }

        assertEquals(List.of(), unknown, "README documents keys that ConfigKey does not define");
    }

    @Test
    void readmeTableWhenReadThenDocumentsTheApiKeyEntries() throws IOException {
        assertEquals(API_KEY_ENV_ROW, rows().get(API_KEY_ROW));
    }

    @Test
    void readmeTableWhenReadThenHasOneRowPerKey() throws IOException {
        String table = Readme.between(Readme.text(), START, END);
        List<String> keys = new ArrayList<>();
        for (String line : table.split("\n", -1)) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                keys.add(m.group(1));
            }
        }

        assertEquals(ConfigKey.values().length + 1, keys.size(), "rows: " + keys);
        assertEquals(new TreeSet<>(keys).size(), keys.size(), "a key is documented twice: " + keys);
    }

    @ParameterizedTest
    @EnumSource(ConfigKey.class)
    void configKeyWhenDefinedThenEnvironmentNameFollowsTheKey(ConfigKey key) {
        assertTrue(key.key().startsWith("embed."), key.key());
        assertTrue(key.env().matches("EMBED_[A-Z0-9_]+"), key.env());
        assertFalse(key.description().isBlank(), key.name());
        String expectedEnv = "EMBED_"
                + key.key()
                        .substring("embed.".length())
                        .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                        .replace('.', '_')
                        .toUpperCase(java.util.Locale.ROOT);
        assertEquals(expectedEnv, key.env());
    }

    /** Key → environment variable of every row between the README's config markers. */
    private static Map<String, String> rows() throws IOException {
        String table = Readme.between(Readme.text(), START, END);
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : table.split("\n", -1)) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                rows.put(m.group(1), m.group(2));
            }
        }
        assertFalse(rows.isEmpty(), "no rows between " + START + " and " + END);
        return rows;
    }
}
