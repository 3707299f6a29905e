package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeyStore;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.ManualScheduler;
import dev.embed.testing.MutableClock;
import dev.embed.testing.ObjectGraph;
import dev.embed.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every way an API key comes in reaches the key store the same way: as the SHA-256 digest of the
 * key, once per request, and nothing else; and nothing the library holds afterwards contains the
 * key in clear. Driven through every row of the endpoint table that takes an API key ({@code
 * Authorization: Bearer} of flows A, B and D and of the {@code DELETE}s, the {@code api-secret}
 * header of flow C), through the filters' admission of a host endpoint under a library prefix and
 * through JAX-RS's {@code @ApiKeyRequired}: a new row that takes a key is covered without touching
 * this test. With {@link PropertiesApiKeyStore}'s lookup, which compares every stored digest and
 * never stops early ({@code PropertiesApiKeyStoreTest}, and {@code ArchitectureTest} for {@code
 * MessageDigest.isEqual}), the comparison is constant-time by construction, for every flow. No
 * timing is measured.
 */
class ApiKeyLookupTest {
    private static final String UNKNOWN = "sk_unknownKey_0123456789abcdefghijklmnopqrstu";

    /** Sample values of the table's path parameters. */
    private static final Map<String, String> SAMPLE_PARAMETERS =
            Map.of("spaceId", "demo", "agentId", "support", "sessionId", "ses_sample");

    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z]+)}");

    private final MutableClock clock = MutableClock.start();
    private final List<byte[]> looked = Collections.synchronizedList(new ArrayList<>());
    private final Core core;

    ApiKeyLookupTest() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("embed.signing.secret", TestKeys.SECRET);
        config.put("embed.apiKey.acme", TestKeys.acmeLine());
        config.put("embed.agents", "demo/support");
        PropertiesApiKeyStore keys = new PropertiesApiKeyStore(EmbedConfig.of(config));
        ApiKeyStore recording = digest -> {
            looked.add(digest.clone());
            return keys.findBySha256(digest);
        };
        core = Core.start(EmbedConfig.of(config), clock, new ManualScheduler(clock), null, recording, null);
    }

    @AfterEach
    void close() {
        core.close();
    }

    /** A request to a row of the table that takes an API key, with {@code key} where that row reads it. */
    private record KeyedRow(String method, String template, Endpoint.Auth auth) {
        FakeExchange request(String key) {
            Matcher parameter = PARAMETER.matcher(template);
            StringBuilder path = new StringBuilder();
            while (parameter.find()) {
                parameter.appendReplacement(path, SAMPLE_PARAMETERS.getOrDefault(parameter.group(1), "x1"));
            }
            parameter.appendTail(path);
            FakeExchange request = FakeExchange.request(method, path.toString());
            if (auth == Endpoint.Auth.API_SECRET) {
                request.header(Credentials.API_SECRET_HEADER, key);
            } else {
                request.header("Authorization", "Bearer " + key);
            }
            return "POST".equals(method) ? request.json("{}") : request;
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    /** Every row whose caller authenticates with an API key (its own rule, or its prefix's). */
    private List<KeyedRow> keyedRows() {
        List<KeyedRow> rows = new ArrayList<>();
        for (Mount mount : core.mounts()) {
            for (Endpoint row : mount.rows()) {
                Endpoint.Auth auth = mount.authFirst() != Endpoint.Auth.NONE ? mount.authFirst() : row.auth();
                if (auth == Endpoint.Auth.API_KEY || auth == Endpoint.Auth.API_SECRET) {
                    rows.add(new KeyedRow(row.method(), row.path().toString(), auth));
                }
            }
        }
        return rows;
    }

    @Test
    void keyedRowsWhenListedThenEveryFlowThatTakesAKeyIsAmongThem() {
        Set<String> rows = new TreeSet<>();
        keyedRows().forEach(row -> rows.add(row.toString()));

        assertTrue(
                rows.containsAll(Set.of(
                        "POST /api/v1/spaces/{spaceId}/agents/{agentId}/embed-urls",
                        "POST /api/v1/spaces/{spaceId}/agents/{agentId}/embed-sessions",
                        "DELETE /api/v1/spaces/{spaceId}/agents/{agentId}/embed-sessions/{sessionId}",
                        "DELETE /api/v1/embed-sessions/{sessionId}",
                        "POST /v1/embed-tokens/request",
                        "POST /api/v1/iframe/create")),
                rows.toString());
    }

    @Test
    void everyKeyedRowWhenKnownKeyThenTheStoreSeesOnlyItsSha256OnceAndTheKeyIsAccepted() {
        for (KeyedRow row : keyedRows()) {
            looked.clear();

            FakeExchange answer = row.request(TestKeys.ACME_KEY).sendTo(core);

            assertNotEquals(401, answer.status(), row + ": " + answer.text());
            assertEquals(1, looked.size(), row + ": one lookup per request");
            assertArrayEquals(ApiKeys.sha256(TestKeys.ACME_KEY), looked.get(0), row.toString());
        }
    }

    @Test
    void everyKeyedRowWhenUnknownKeyThenOneDigestLookupAndUnauthorized() {
        for (KeyedRow row : keyedRows()) {
            looked.clear();

            FakeExchange answer = row.request(UNKNOWN).sendTo(core);

            assertEquals(401, answer.status(), row + ": " + answer.text());
            assertEquals(1, looked.size(), row.toString());
            assertArrayEquals(ApiKeys.sha256(UNKNOWN), looked.get(0), row.toString());
        }
    }

    @Test
    void hostEndpointsWhenAdmittedByTheFiltersOrJaxrsThenTheSameDigestLookup() {
        FakeExchange hostEndpoint = FakeExchange.request("GET", "/api/v1/spaces/demo/reports")
                .header("Authorization", "Bearer " + TestKeys.ACME_KEY);

        Core.Admission admitted = core.admit(hostEndpoint);
        ApiKey jaxrs = core.admitApiKey(
                        FakeExchange.request("GET", "/reports").header("Authorization", "Bearer " + TestKeys.ACME_KEY))
                .map(admission -> (ApiKey) admission.caller())
                .orElseThrow();

        assertEquals(Core.Admission.Kind.ADMITTED, admitted.kind());
        assertEquals("acme", ((ApiKey) admitted.caller()).tenant());
        assertEquals("acme", jaxrs.tenant());
        assertEquals(2, looked.size());
        for (byte[] digest : looked) {
            assertArrayEquals(ApiKeys.sha256(TestKeys.ACME_KEY), digest);
        }
    }

    @Test
    void apiKeyWhenNotShapedLikeAKeyThenRefusedBeforeAnyLookup() {
        for (String notAKey : List.of(
                "eyJhbGciOiJIUzI1NiJ9.e30.sig",
                "sk_",
                "sk_\u0430cmeTestKey_0123456789abcdefghijklmn",
                "SK_acmeTestKey_0123456789abcdefghijklmnopqrstu")) {
            assertEquals(
                    401,
                    assertThrows(
                                    EmbedException.class,
                                    () -> core.credentialReader().apiKey(notAKey))
                            .error()
                            .status());
            for (KeyedRow row : keyedRows()) {
                assertEquals(401, row.request(notAKey).sendTo(core).status(), row + " with " + notAKey);
            }
        }
        assertTrue(looked.isEmpty(), "only the shape of a key, which is public, decides before the lookup");
    }

    /**
     * After every keyed row has been called with the key (minting sessions, URLs, links and visitor
     * tokens), nothing reachable from the running core holds the key in clear: not as a string,
     * not as its bytes, not inside a larger text (the store, the caches, the services).
     */
    @Test
    void coreWhenEveryKeyedRowCalledThenTheClearKeyIsHeldNowhere() {
        List<KeyedRow> rows = keyedRows();
        for (KeyedRow row : rows) {
            row.request(TestKeys.ACME_KEY).sendTo(core);
        }
        core.admitApiKey(
                FakeExchange.request("GET", "/reports").header("Authorization", "Bearer " + TestKeys.ACME_KEY));
        assertEquals(rows.size() + 1, looked.size(), "every call reached the store");

        List<String> texts = ObjectGraph.texts(core);
        String keyBytes = new String(TestKeys.ACME_KEY.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertTrue(texts.size() > 100, "the walk reached the services: " + texts.size());
        for (String text : texts) {
            assertFalse(text.contains(TestKeys.ACME_KEY) || text.contains(keyBytes), "the clear key is held: " + text);
            assertFalse(text.contains(TestKeys.ACME_KEY.substring(3, 27)), "part of the clear key is held: " + text);
        }
    }
}
