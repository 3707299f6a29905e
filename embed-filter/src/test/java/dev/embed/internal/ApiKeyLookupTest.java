package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeyStore;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every way an API key comes in (the {@code Authorization} header of flows A, B and D and of the
 * {@code DELETE}, the {@code api-secret} header of flow C) reaches the key store the same way: as
 * the SHA-256 digest of the key, through {@link Credentials#apiKey}, and nothing else. With {@link
 * PropertiesApiKeyStore}'s lookup, which compares every stored digest with {@code
 * MessageDigest.isEqual} and never stops early ({@code PropertiesApiKeyStoreTest
 * .findBySha256WhenMatchIsFirstOrLastThenComparesAgainstEveryEntry} and {@code
 * .sourceWhenReadThenLookupUsesMessageDigestIsEqualAndNoEarlyExit}), the comparison is constant-time
 * by construction, for every flow. No timing is measured.
 */
class ApiKeyLookupTest {
    private final MutableClock clock = MutableClock.start();
    private final List<byte[]> looked = new ArrayList<>();
    private Embed embed;

    @AfterEach
    void close() {
        if (embed != null) {
            embed.close();
        }
    }

    /** An application whose key store records what it is asked. */
    private Embed embed() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("embed.signing.secret", TestKeys.SECRET);
        config.put("embed.apiKey.acme", TestKeys.acmeLine());
        config.put("embed.agents", "demo/support");
        PropertiesApiKeyStore store = new PropertiesApiKeyStore(EmbedConfig.of(config));
        ApiKeyStore recording = digest -> {
            looked.add(digest.clone());
            return store.findBySha256(digest);
        };
        embed = Embed.builder(EmbedConfig.of(config))
                .clock(clock)
                .apiKeys(recording)
                .build();
        return embed;
    }

    @Test
    void apiKeyWhenAuthorizationHeaderKeyThenStoreSeesOnlyItsSha256() {
        Embed embed = embed();

        ApiKey key = embed.core()
                .credentialReader()
                .apiKey(Credentials.bearer(List.of("Bearer " + TestKeys.ACME_KEY), false));

        assertEquals("acme", key.tenant());
        assertEquals(1, looked.size());
        assertArrayEquals(ApiKeys.sha256(TestKeys.ACME_KEY), looked.get(0));
    }

    @Test
    void visitorRequestWhenApiSecretHeaderThenTheSameDigestLookupAndNothingElse() {
        Embed embed = embed();
        String body = "{\"agent_id\": \"support\", \"fingerprint\": \"0123456789abcdef\"}";

        Reply reply = embed.core()
                .visitorTokens()
                .request(
                        List.of(" " + TestKeys.ACME_KEY + " "),
                        false,
                        "application/json",
                        -1,
                        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));

        assertEquals(200, reply.status(), reply.body());
        assertEquals(1, looked.size(), "one lookup per request");
        assertArrayEquals(ApiKeys.sha256(TestKeys.ACME_KEY), looked.get(0));
    }

    @Test
    void apiKeyWhenUnknownKeyThenOneDigestLookupAndUnauthorized() {
        Embed embed = embed();
        String unknown = "sk_unknownKey_0123456789abcdefghijklmnopqrstu";

        EmbedException e = assertThrows(
                EmbedException.class, () -> embed.core().credentialReader().apiKey(unknown));
        Reply reply = embed.core()
                .visitorTokens()
                .request(
                        List.of(unknown),
                        false,
                        "application/json",
                        -1,
                        new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)));

        assertEquals(401, e.error().status());
        assertEquals(401, reply.status());
        assertEquals(2, looked.size());
        for (byte[] digest : looked) {
            assertArrayEquals(ApiKeys.sha256(unknown), digest);
        }
    }

    @Test
    void apiKeyWhenNotShapedLikeAKeyThenRefusedBeforeAnyLookup() {
        Embed embed = embed();
        for (String notAKey : List.of(
                "eyJhbGciOiJIUzI1NiJ9.e30.sig",
                "sk_",
                "sk_\u0430cmeTestKey_0123456789abcdefghijklmn",
                "SK_acmeTestKey_0123456789abcdefghijklmnopqrstu")) {
            assertEquals(
                    401,
                    assertThrows(
                                    EmbedException.class,
                                    () -> embed.core().credentialReader().apiKey(notAKey))
                            .error()
                            .status());
        }
        assertTrue(looked.isEmpty(), "only the shape of a key, which is public, decides before the lookup");
    }

    /**
     * By construction: in the library's code, one line asks a key store for a key, and it hands it
     * a digest. A second path (a lookup by the key itself, a cache in front of the store) would
     * have to pass here first.
     */
    @Test
    void sourceWhenReadThenTheOnlyKeyLookupIsCredentialsApiKeyByDigest() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> callers = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                if (text.contains(".findBySha256(")) {
                    callers.add(main.relativize(file).toString().replace('\\', '/'));
                }
            }
        }
        assertEquals(List.of("dev/embed/internal/Credentials.java"), callers);
        String credentials = Files.readString(main.resolve("dev/embed/internal/Credentials.java"));
        assertTrue(credentials.contains("apiKeys.findBySha256(ApiKeys.sha256(credential))"), "looked up by its digest");
        String visitor = Files.readString(main.resolve("dev/embed/internal/VisitorTokenService.java"));
        assertTrue(visitor.contains("return credentials.apiKey(secret);"), "flow C goes through Credentials.apiKey");
        assertFalse(visitor.contains("findBySha256"));
    }
}
