package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The default API-key store (DESIGN §2: keys kept as hashes, compared in constant time). */
class PropertiesApiKeyStoreTest {
    private final PropertiesApiKeyStore store = new PropertiesApiKeyStore(EmbedConfig.of(Map.of(
            "embed.apiKey.acme", TestKeys.acmeLine(),
            "embed.apiKey.globex", TestKeys.globexLine())));

    // ---------------------------------------------------------------- hashing

    @Test
    void sha256HexWhenKnownVectorThenMatchesFips180() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.sha256Hex("abc"));
    }

    @Test
    void sha256WhenKeyThenDigestOfItsUtf8Bytes() throws Exception {
        byte[] expected =
                MessageDigest.getInstance("SHA-256").digest(TestKeys.ACME_KEY.getBytes(StandardCharsets.UTF_8));

        assertArrayEquals(expected, ApiKeys.sha256(TestKeys.ACME_KEY));
        assertEquals(32, ApiKeys.sha256(TestKeys.ACME_KEY).length);
        assertEquals(64, ApiKeys.sha256Hex(TestKeys.ACME_KEY).length());
    }

    @Test
    void generateWhenCalledThenSkPrefixedRandomKeysOfTheDocumentedShape() {
        String first = ApiKeys.generate();
        String second = ApiKeys.generate();

        assertTrue(first.startsWith("sk_"), first);
        assertEquals(3 + 43, first.length(), first);
        assertTrue(ApiKeys.looksLikeKey(first), first);
        assertNotEquals(first, second);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "sk_",
                "sk_short",
                "pk_0123456789abcdefghijklmn",
                "sk_0123456789abcdef ghijklmn",
                "sk_0123456789abcdef+ghijklmn",
                "Bearer sk_0123456789abcdefghijklmn"
            })
    void looksLikeKeyWhenNotOurShapeThenFalse(String text) {
        assertFalse(ApiKeys.looksLikeKey(text));
    }

    // ---------------------------------------------------------------- lookup

    @Test
    void findBySha256WhenKnownKeyThenItsTenantAgentsSourcesAndOrigins() {
        ApiKey acme = store.findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY)).orElseThrow();

        assertEquals("acme", acme.id());
        assertEquals("acme", acme.tenant());
        assertEquals(Set.of("demo/*"), acme.agents());
        assertEquals(Set.of("docs", "faq"), acme.sources());
        assertEquals(List.of("https://shop.example"), acme.frameAncestors());
    }

    @Test
    void findBySha256WhenOtherKnownKeyThenThatTenantAndNoOptionalAttributes() {
        ApiKey globex = store.findBySha256(ApiKeys.sha256(TestKeys.GLOBEX_KEY)).orElseThrow();

        assertEquals("globex", globex.tenant());
        assertEquals(Set.of("other/*"), globex.agents());
        assertEquals(Set.of(), globex.sources());
        assertEquals(List.of(), globex.frameAncestors());
        assertEquals(2, store.size());
    }

    static Stream<Arguments> unknownDigests() {
        byte[] lastByteFlipped = ApiKeys.sha256(TestKeys.ACME_KEY);
        lastByteFlipped[31] ^= 1;
        byte[] prefix = new byte[31];
        System.arraycopy(ApiKeys.sha256(TestKeys.ACME_KEY), 0, prefix, 0, 31);
        byte[] longer = new byte[33];
        System.arraycopy(ApiKeys.sha256(TestKeys.ACME_KEY), 0, longer, 0, 32);
        return Stream.of(
                Arguments.of("digest of an unknown key", ApiKeys.sha256("sk_unknownKey_0123456789abcdefghijklmnopqrs")),
                Arguments.of("digest of the key's hex digest", ApiKeys.sha256(ApiKeys.sha256Hex(TestKeys.ACME_KEY))),
                Arguments.of("known digest with its last byte flipped", lastByteFlipped),
                Arguments.of("first 31 bytes of a known digest", prefix),
                Arguments.of("known digest plus one byte", longer),
                Arguments.of("empty", new byte[0]),
                Arguments.of("the clear key's bytes", TestKeys.ACME_KEY.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownDigests")
    void findBySha256WhenDigestUnknownThenEmpty(String name, byte[] digest) {
        assertEquals(Optional.empty(), store.findBySha256(digest));
    }

    @Test
    void findBySha256WhenStoreEmptyThenEmpty() {
        assertEquals(
                Optional.empty(),
                new PropertiesApiKeyStore(EmbedConfig.of(Map.of())).findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY)));
    }

    @Test
    void findBySha256WhenKeyComesFromEnvironmentThenFound() {
        PropertiesApiKeyStore fromEnv = new PropertiesApiKeyStore(EmbedConfig.builder()
                .environment(Map.of("EMBED_API_KEY_ACME", TestKeys.acmeLine()))
                .build());

        assertEquals(
                "acme",
                fromEnv.findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY))
                        .orElseThrow()
                        .tenant());
    }

    @Test
    void parseWhenDigestInUpperCaseHexThenSameKey() {
        String line = "sha256:" + ApiKeys.sha256Hex(TestKeys.ACME_KEY).toUpperCase(java.util.Locale.ROOT)
                + ";tenant=acme;agents=*";

        PropertiesApiKeyStore upper = new PropertiesApiKeyStore(EmbedConfig.of(Map.of("embed.apiKey.acme", line)));

        assertEquals(
                "acme",
                upper.findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY))
                        .orElseThrow()
                        .tenant());
    }

    @Test
    void configurationWhenKeyConfiguredThenHoldsOnlyItsDigestNeverTheClearKey() {
        EmbedConfig config = EmbedConfig.of(Map.of("embed.apiKey.acme", TestKeys.acmeLine()));

        for (String value : config.withPrefix("").values()) {
            assertFalse(value.contains(TestKeys.ACME_KEY), value);
        }
        assertTrue(new PropertiesApiKeyStore(config)
                .findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY))
                .isPresent());
    }

    // ---------------------------------------------------------------- constant time by construction

    /**
     * Every lookup compares the presented digest with every stored digest, wherever the match is,
     * and hands the comparison nothing but the two digests: observed through the store's comparison
     * seam, which by default is {@code MessageDigest.isEqual} (checked on the bytecode by {@code
     * ArchitectureTest}).
     */
    @Test
    void findBySha256WhenMatchIsFirstOrLastOrAbsentThenComparesEveryEntryWithThePresentedDigest() {
        int n = 50;
        Map<String, String> lines = new LinkedHashMap<>();
        List<byte[]> stored = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "sk_key" + i + "_0123456789abcdefghijklmnopqrstuvwxyzABC";
            lines.put("embed.apiKey.k" + i, "sha256:" + ApiKeys.sha256Hex(key) + ";tenant=t" + i + ";agents=*");
            stored.add(ApiKeys.sha256(key));
        }
        List<byte[][]> comparisons = new ArrayList<>();
        PropertiesApiKeyStore big = new PropertiesApiKeyStore(EmbedConfig.of(lines), (digest, presented) -> {
            comparisons.add(new byte[][] {digest.clone(), presented.clone()});
            return MessageDigest.isEqual(digest, presented);
        });

        Map<String, String> tenants = new LinkedHashMap<>();
        tenants.put("sk_key0_0123456789abcdefghijklmnopqrstuvwxyzABC", "t0");
        tenants.put("sk_key" + (n - 1) + "_0123456789abcdefghijklmnopqrstuvwxyzABC", "t" + (n - 1));
        tenants.put("sk_nobody_0123456789abcdefghijklmnopqrstuvwxyz", "-");
        for (String key : tenants.keySet()) {
            comparisons.clear();
            String tenant =
                    big.findBySha256(ApiKeys.sha256(key)).map(ApiKey::tenant).orElse("-");

            assertEquals(n, comparisons.size(), "a lookup must compare every entry, wherever the match is: " + key);
            Set<String> comparedWith = new java.util.HashSet<>();
            for (byte[][] pair : comparisons) {
                assertArrayEquals(ApiKeys.sha256(key), pair[1], "the comparison sees the presented digest only");
                comparedWith.add(HexFormat.of().formatHex(pair[0]));
            }
            assertEquals(n, comparedWith.size(), "each stored digest once: " + key);
            for (byte[] digest : stored) {
                assertTrue(comparedWith.contains(HexFormat.of().formatHex(digest)));
            }
            assertEquals(tenants.get(key), tenant);
        }
    }

    @Test
    void findBySha256WhenTheComparisonSaysSeveralMatchThenTheFirstWinsAndAllAreStillCompared() {
        int[] calls = {0};
        PropertiesApiKeyStore always = new PropertiesApiKeyStore(
                EmbedConfig.of(Map.of(
                        "embed.apiKey.acme", TestKeys.acmeLine(),
                        "embed.apiKey.globex", TestKeys.globexLine())),
                (digest, presented) -> {
                    calls[0]++;
                    return true;
                });

        assertTrue(always.findBySha256(new byte[32]).isPresent());
        assertEquals(2, calls[0], "no early exit after a match");
    }

    // ---------------------------------------------------------------- what a key may mint for

    static Stream<Arguments> mintPermissions() {
        return Stream.of(
                Arguments.of(Set.of("demo/support"), "demo", "support", true),
                Arguments.of(Set.of("demo/support"), "demo", "sales", false),
                Arguments.of(Set.of("demo/support"), "other", "support", false),
                Arguments.of(Set.of("demo/support", "demo/sales"), "demo", "sales", true),
                Arguments.of(Set.of("demo/*"), "demo", "support", true),
                Arguments.of(Set.of("demo/*"), "demo", "anything", true),
                Arguments.of(Set.of("demo/*"), "demo2", "support", false),
                Arguments.of(Set.of("demo/*"), "dem", "o/support", false),
                Arguments.of(Set.of("demo/*"), "other", "support", false),
                Arguments.of(Set.of("*"), "demo", "support", true),
                Arguments.of(Set.of("*"), "any-space", "any-agent", true),
                Arguments.of(Set.of("*/support"), "demo", "support", false),
                Arguments.of(Set.of("demo/sup*"), "demo", "support", false));
    }

    @ParameterizedTest(name = "{0} may mint for {1}/{2}: {3}")
    @MethodSource("mintPermissions")
    void mayMintForWhenPatternThenExpected(Set<String> agents, String space, String agent, boolean expected) {
        ApiKey key = new ApiKey("k", "t", agents, Set.of(), List.of());

        assertEquals(expected, key.mayMintFor(space, agent));
    }

    static Stream<Arguments> sourcePermissions() {
        return Stream.of(
                Arguments.of(Set.of("docs", "faq"), List.of("docs"), true),
                Arguments.of(Set.of("docs", "faq"), List.of("docs", "faq"), true),
                Arguments.of(Set.of("docs", "faq"), List.of("docs", "secret"), false),
                Arguments.of(Set.of(), List.of("docs"), false),
                Arguments.of(Set.of("*"), List.of("anything"), true));
    }

    @ParameterizedTest(name = "{0} may use {1}: {2}")
    @MethodSource("sourcePermissions")
    void mayUseSourcesWhenRequestedThenExpected(Set<String> sources, List<String> requested, boolean expected) {
        assertEquals(expected, new ApiKey("k", "t", Set.of("*"), sources, List.of()).mayUseSources(requested));
    }

    @Test
    void parseWhenAgentsListedWithSpacesOrCommasThenEachPatternKept() {
        String line =
                "sha256:" + ApiKeys.sha256Hex(TestKeys.ACME_KEY) + "; tenant = acme ; agents=demo/support, demo/sales"
                        + " other/*;sources=docs faq;origins=https://a.example https://b.example";

        ApiKey key = new PropertiesApiKeyStore(EmbedConfig.of(Map.of("embed.apiKey.acme", line)))
                .findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY))
                .orElseThrow();

        assertEquals(Set.of("demo/support", "demo/sales", "other/*"), key.agents());
        assertEquals(Set.of("docs", "faq"), key.sources());
        assertEquals(List.of("https://a.example", "https://b.example"), key.frameAncestors());
        assertTrue(key.mayMintFor("other", "x"));
        assertFalse(key.mayMintFor("demo", "x"));
    }

    // ---------------------------------------------------------------- bad lines

    static Stream<Arguments> badLines() {
        String digest = "sha256:" + ApiKeys.sha256Hex(TestKeys.ACME_KEY);
        return Stream.of(
                Arguments.of(
                        "no sha256: prefix (hex only)", ApiKeys.sha256Hex(TestKeys.ACME_KEY) + ";tenant=a;agents=*"),
                Arguments.of("the clear key instead of its digest", TestKeys.ACME_KEY + ";tenant=a;agents=*"),
                Arguments.of("sha1: prefix", "sha1:" + "a".repeat(40) + ";tenant=a;agents=*"),
                Arguments.of("short digest", "sha256:abcdef0123;tenant=a;agents=*"),
                Arguments.of("63 hex digits", "sha256:" + "a".repeat(63) + ";tenant=a;agents=*"),
                Arguments.of("65 hex digits", "sha256:" + "a".repeat(65) + ";tenant=a;agents=*"),
                Arguments.of("digest not hex", "sha256:" + "z".repeat(64) + ";tenant=a;agents=*"),
                Arguments.of("empty line", ""),
                Arguments.of("missing tenant", digest + ";agents=*"),
                Arguments.of("empty tenant", digest + ";tenant=;agents=*"),
                Arguments.of("missing agents", digest + ";tenant=a"),
                Arguments.of("empty agents", digest + ";tenant=a;agents="),
                Arguments.of("agent without space", digest + ";tenant=a;agents=support"),
                Arguments.of("agent with two slashes", digest + ";tenant=a;agents=a/b/c"),
                Arguments.of("unknown attribute", digest + ";tenant=a;agents=*;color=red"),
                Arguments.of("misspelt attribute", digest + ";tenant=a;agent=*"),
                Arguments.of("attribute without value", digest + ";tenant=a;agents=*;sources"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void constructorWhenLineBadThenConfigExceptionNamingTheEntry(String rule, String line) {
        EmbedConfig config =
                EmbedConfig.of(Map.of("embed.apiKey.broken", line, "embed.apiKey.acme", TestKeys.acmeLine()));

        ConfigException e = assertThrows(ConfigException.class, () -> new PropertiesApiKeyStore(config));

        assertTrue(e.getMessage().contains(ConfigKey.API_KEY_PREFIX + "broken"), e.getMessage());
        assertFalse(e.getMessage().contains(TestKeys.ACME_KEY), e.getMessage());
    }

    static Stream<Arguments> clearKeyPasted() {
        String digest = "sha256:" + ApiKeys.sha256Hex(TestKeys.GLOBEX_KEY);
        return Stream.of(
                Arguments.of("as the whole line", TestKeys.ACME_KEY),
                Arguments.of("as the digest", "sha256:" + TestKeys.ACME_KEY + ";tenant=a;agents=*"),
                Arguments.of("as an extra part", digest + ";" + TestKeys.ACME_KEY + ";tenant=a;agents=*"),
                Arguments.of("as an attribute name", digest + ";tenant=a;agents=*;" + TestKeys.ACME_KEY + "=x"),
                Arguments.of("as an agent", digest + ";tenant=a;agents=" + TestKeys.ACME_KEY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clearKeyPasted")
    void constructorWhenClearKeyPastedIntoLineThenConfigExceptionNeverEchoesIt(String where, String line) {
        EmbedConfig config = EmbedConfig.of(Map.of("embed.apiKey.acme", line));

        ConfigException e = assertThrows(ConfigException.class, () -> new PropertiesApiKeyStore(config));

        assertTrue(e.getMessage().contains("embed.apiKey.acme"), e.getMessage());
        assertFalse(e.getMessage().contains(TestKeys.ACME_KEY), e.getMessage());
        assertFalse(e.getMessage().contains(TestKeys.ACME_KEY.substring(0, 16)), e.getMessage());
    }

    @Test
    void constructorWhenTwoEntriesHoldTheSameDigestThenConfigExceptionNamingBoth() {
        String digest = "sha256:" + ApiKeys.sha256Hex("sk_sameKeyTwice_0123456789abcdefghijklmnop");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> new PropertiesApiKeyStore(EmbedConfig.of(Map.of(
                        "embed.apiKey.first", digest + ";tenant=a;agents=*",
                        "embed.apiKey.second", digest + ";tenant=b;agents=demo/*"))));
        assertTrue(
                e.getMessage().contains("embed.apiKey.first") && e.getMessage().contains("embed.apiKey.second"),
                e.getMessage());
    }

    @Test
    void constructorWhenLineNamesTwoTenantsThenConfigException() {
        String line =
                "sha256:" + ApiKeys.sha256Hex("sk_twoTenants_0123456789abcdefghijklmnopqr") + ";tenant=a,b;agents=*";
        assertThrows(
                ConfigException.class, () -> new PropertiesApiKeyStore(EmbedConfig.of(Map.of("embed.apiKey.x", line))));
    }
}
