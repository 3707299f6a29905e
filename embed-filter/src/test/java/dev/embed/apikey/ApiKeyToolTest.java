package dev.embed.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.EmbedConfig;
import dev.embed.internal.TestAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The command-line tool that creates a key and prints its configuration line. */
class ApiKeyToolTest {
    private static final Pattern KEY_LINE = Pattern.compile("(?m)^api key: (\\S+)$");
    private static final Pattern PROPERTY_LINE = Pattern.compile("(?m)^embed\\.apiKey\\.([^=\\s]+)=(\\S+)$");
    private static final Pattern ENV_LINE = Pattern.compile("(?m)^(EMBED_API_KEY_[A-Z0-9_]+)='(\\S+)'$");

    @Test
    void runWhenTenantAndAgentsGivenThenPrintsKeyAndMatchingConfigurationLine() {
        Result result = run(
                "--id",
                "acme",
                "--tenant",
                "acme",
                "--agents",
                "demo/*",
                "--sources",
                "docs,faq",
                "--origins",
                "https://app.acme.example");

        assertEquals(0, result.exit, result.err);
        assertEquals("", result.err);
        String key = group(KEY_LINE, result.out, 1);
        assertTrue(key.startsWith("sk_"), key);
        assertTrue(ApiKeys.looksLikeKey(key), key);
        assertEquals("acme", group(PROPERTY_LINE, result.out, 1));
        String line = group(PROPERTY_LINE, result.out, 2);
        assertTrue(line.startsWith("sha256:" + ApiKeys.sha256Hex(key) + ";"), line);
        assertFalse(line.contains(key), "the configuration line must not hold the key: " + line);
    }

    @Test
    void runWhenLinePrintedThenPropertiesStoreFindsThePrintedKey() {
        Result result = run(
                "--id",
                "acme",
                "--tenant",
                "acme-tenant",
                "--agents",
                "demo/support,demo/sales",
                "--sources",
                "docs,faq",
                "--origins",
                "https://app.acme.example");
        String key = group(KEY_LINE, result.out, 1);
        String line = group(PROPERTY_LINE, result.out, 2);

        ApiKeyStore store = TestAccess.configuredKeys(EmbedConfig.of(Map.of("embed.apiKey.acme", line)));
        ApiKey found = store.findBySha256(ApiKeys.sha256(key)).orElseThrow();

        assertEquals("acme", found.id());
        assertEquals("acme-tenant", found.tenant());
        assertEquals(Set.of("demo/support", "demo/sales"), found.agents());
        assertEquals(Set.of("docs", "faq"), found.sources());
        assertEquals(List.of("https://app.acme.example"), found.frameAncestors());
        assertTrue(found.mayMintFor("demo", "sales"));
        assertFalse(found.mayMintFor("demo", "billing"));
        assertTrue(store.findBySha256(ApiKeys.sha256(ApiKeys.generate())).isEmpty());
    }

    @Test
    void runWhenEnvironmentLinePrintedThenEnvironmentConfigurationFindsTheKey() {
        Result result = run("--id", "acme-corp", "--tenant", "acme", "--agents", "demo/* other/support");
        String key = group(KEY_LINE, result.out, 1);
        String env = group(ENV_LINE, result.out, 1);
        String line = group(ENV_LINE, result.out, 2);

        ApiKeyStore store = TestAccess.configuredKeys(
                EmbedConfig.builder().environment(Map.of(env, line)).build());

        assertEquals("EMBED_API_KEY_ACME_CORP", env);
        assertEquals(
                Set.of("demo/*", "other/support"),
                store.findBySha256(ApiKeys.sha256(key)).orElseThrow().agents());
    }

    @Test
    void runWhenIdOmittedThenTenantIsTheId() {
        Result result = run("--tenant", "globex", "--agents", "*");

        assertEquals(0, result.exit, result.err);
        assertEquals("globex", group(PROPERTY_LINE, result.out, 1));
    }

    @Test
    void runWhenKeyPrintedThenOnlyOnce() {
        Result result = run("--tenant", "acme", "--agents", "demo/*");
        String key = group(KEY_LINE, result.out, 1);

        assertEquals(2, result.out.split(Pattern.quote(key), -1).length, result.out);
    }

    @Test
    void runWhenCalledTwiceThenTwoDifferentKeys() {
        String first = group(KEY_LINE, run("--tenant", "acme", "--agents", "*").out, 1);
        String second = group(KEY_LINE, run("--tenant", "acme", "--agents", "*").out, 1);

        assertNotEquals(first, second);
    }

    @Test
    void runWhenHelpThenUsageAndExitZero() {
        Result result = run("--help");

        assertEquals(0, result.exit);
        assertTrue(result.out.contains("usage:"), result.out);
        assertFalse(KEY_LINE.matcher(result.out).find(), result.out);
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of("missing --tenant", new String[] {"--agents", "demo/*"}, "--tenant"),
                Arguments.of("missing --agents", new String[] {"--tenant", "acme"}, "--agents"),
                Arguments.of("no arguments", new String[] {}, "--tenant"),
                Arguments.of("missing value", new String[] {"--tenant", "acme", "--agents"}, "--agents"),
                Arguments.of(
                        "unknown option",
                        new String[] {"--tenant", "acme", "--agents", "*", "--color", "red"},
                        "--color"),
                Arguments.of("bad id", new String[] {"--id", "acme corp", "--tenant", "acme", "--agents", "*"}, "--id"),
                Arguments.of(
                        "id whose env name is a configuration key",
                        new String[] {"--id", "store", "--tenant", "acme", "--agents", "*"},
                        "--id"),
                // A value may never smuggle another attribute into the printed line.
                Arguments.of(
                        "attribute injected through the tenant",
                        new String[] {"--id", "a", "--tenant", "a;agents=*", "--agents", "demo/support"},
                        "--tenant"),
                Arguments.of(
                        "attribute injected through the agents",
                        new String[] {"--tenant", "a", "--agents", "demo/support;sources=*"},
                        "--agents"),
                Arguments.of(
                        "attribute injected through the sources",
                        new String[] {"--tenant", "a", "--agents", "demo/*", "--sources", "docs;tenant=b"},
                        "--sources"),
                Arguments.of(
                        "attribute injected through the origins",
                        new String[] {"--tenant", "a", "--agents", "demo/*", "--origins", "https://a.example;agents=*"},
                        "--origins"),
                Arguments.of(
                        "agent without a space", new String[] {"--tenant", "a", "--agents", "support"}, "--agents"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void runWhenArgumentsBadThenExitTwoAndNoKey(String rule, String[] args, String named) {
        Result result = run(args);

        assertEquals(2, result.exit);
        assertTrue(result.err.contains(named), result.err);
        assertFalse(KEY_LINE.matcher(result.out).find(), result.out);
        assertFalse(result.out.contains("sk_"), result.out);
    }

    // ---------------------------------------------------------------- helpers

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ApiKeyTool.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                exit,
                out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"),
                err.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    private static String group(Pattern pattern, String text, int group) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), () -> pattern + " not found in:\n" + text);
        String value = m.group(group);
        assertFalse(m.find(), () -> pattern + " printed twice in:\n" + text);
        return value;
    }
}
