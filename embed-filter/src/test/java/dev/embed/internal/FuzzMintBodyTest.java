package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Fuzzes what the mint endpoints do with a body (issue 8): {@link JsonBodies#readObject} (UTF-8,
 * size, {@link Json#parseObject}), then the field rules of flows A and B ({@link MintService}), C
 * ({@code VisitorTokenService}) and D ({@code IframeLinkService}, create and redeem). Each step
 * answers, or refuses with an {@link EmbedException} of status 4xx; never another exception, never
 * a 5xx. An answer must be writable as JSON.
 *
 * <p>In the normal test run each target replays its seed corpus, the files in {@code
 * src/test/resources/dev/embed/mint/FuzzMintBodyTestInputs/<method>/}. To fuzz, see SECURITY.md
 * ("Fuzzing").
 */
class FuzzMintBodyTest {
    static final MutableClock CLOCK = MutableClock.start();
    static final Embed EMBED;
    static final ApiKey KEY;

    static {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("embed.signing.secret", TestKeys.SECRET);
        config.put("embed.apiKey.acme", TestKeys.acmeLine());
        config.put("embed.agents", "demo/support,demo/sales");
        config.put("embed.sessions.maximumSize", "10000");
        EMBED = Embed.builder(EmbedConfig.of(config)).clock(CLOCK).build();
        KEY = EMBED.core()
                .apiKeys()
                .findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY))
                .orElseThrow();
    }

    /** Raw bytes as a body, through the reader and every flow's rules. */
    @FuzzTest
    @DictionaryEntries({
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"",
        "\\u0000",
        "\\ud800",
        "1e309",
        "-0",
        "null",
        "true",
        "\"externalUserId\"",
        "\"displayName\"",
        "\"ttlSeconds\"",
        "\"sessionId\"",
        "\"mode\"",
        "\"chat\"",
        "\"agent_id\"",
        "\"fingerprint\"",
        "\"0123456789abcdef\"",
        "\"support\"",
        "\"demo/support\"",
        "\"uid\"",
        "\"srcs\"",
        "\"docs\"",
        "\"ttl\"",
        "\"knowledge_base_entries\"",
        "\"reference_queries\"",
        "\"title\"",
        "\"query\"",
        "\"model\"",
        "\"sonnet-4.5\"",
        "\"response_mode\"",
        "\"theme\"",
        "\"theme_mode\"",
        "\"custom_css_vars\"",
        "\"--a\"",
        "\"start_message\"",
        "\"theme_id\"",
        "\"show_sidebar\"",
        "\"show_dashboards\"",
        "\"limits\"",
        "\"hourly\"",
        "\"cache_key\""
    })
    void readAndValidateWhenArbitraryBodyThenAnswerOrClientError(byte[] body) {
        Map<String, Object> parsed;
        try {
            parsed = JsonBodies.readObject("application/json", body.length, new ByteArrayInputStream(body), 64 * 1024);
        } catch (EmbedException e) {
            assertClientError(e);
            return;
        } catch (IOException e) {
            throw new AssertionError("a byte array cannot fail to read", e);
        }
        assertNotNull(parsed);
        validateEveryFlow(parsed);
    }

    /**
     * Bodies built member by member from the fields the flows know and values of every JSON type,
     * so that the fuzzer spends its time in the field rules rather than in JSON syntax.
     */
    @FuzzTest
    void validateWhenMembersFuzzedThenAnswerOrClientError(FuzzedDataProvider data) {
        Map<String, Object> body = new LinkedHashMap<>();
        int members = data.consumeInt(0, 8);
        for (int i = 0; i < members; i++) {
            body.put(data.pickValue(FIELDS), value(data, 0));
        }
        // Through the codec and back, as a real request would be.
        String json;
        try {
            json = Json.write(body);
        } catch (RuntimeException e) {
            return; // a value the codec cannot write (NaN) is no request
        }
        Map<String, Object> parsed;
        try {
            parsed = Json.parseObject(json);
        } catch (EmbedException e) {
            assertClientError(e);
            return;
        }
        validateEveryFlow(parsed);
    }

    static final List<String> FIELDS = List.of(
            "externalUserId",
            "displayName",
            "ttlSeconds",
            "sessionId",
            "mode",
            "agent_id",
            "fingerprint",
            "uid",
            "srcs",
            "ttl",
            "knowledge_base_entries",
            "reference_queries",
            "model",
            "response_mode",
            "theme",
            "theme_mode",
            "custom_css_vars",
            "start_message",
            "theme_id",
            "show_sidebar",
            "show_dashboards",
            "limits",
            "hourly",
            "daily",
            "title",
            "query",
            "cache_key",
            "message",
            "--accent");

    static Object value(FuzzedDataProvider data, int depth) {
        switch (data.consumeInt(0, depth < 3 ? 8 : 5)) {
            case 0 -> {
                return null;
            }
            case 1 -> {
                return data.consumeBoolean();
            }
            case 2 -> {
                return data.consumeLong();
            }
            case 3 -> {
                return data.consumeRegularDouble();
            }
            case 4 -> {
                return data.consumeString(300);
            }
            case 5 -> {
                return data.pickValue(List.of(
                        "chat",
                        "agent",
                        "docs",
                        "faq",
                        "support",
                        "demo/support",
                        "sonnet-4.5",
                        "full",
                        "dark",
                        "0123456789abcdef",
                        "ses_x",
                        "customer-123",
                        "#0a7"));
            }
            case 6 -> {
                List<Object> list = new ArrayList<>();
                int items = data.consumeInt(0, 4);
                for (int i = 0; i < items; i++) {
                    list.add(value(data, depth + 1));
                }
                return list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                int members = data.consumeInt(0, 4);
                for (int i = 0; i < members; i++) {
                    map.put(data.pickValue(FIELDS), value(data, depth + 1));
                }
                return map;
            }
        }
    }

    /** Runs the body through flows A, B, C, D (create and redeem): answers or 4xx only. */
    static void validateEveryFlow(Map<String, Object> body) {
        List<Supplier<Map<String, Object>>> flows = List.of(
                () -> EMBED.core().mint().mintEmbedUrl(KEY, "demo", "support", body, "https://app.example"),
                () -> EMBED.core().mint().mintEmbedSession(KEY, "demo", "support", body, "https://app.example"),
                () -> EMBED.core().visitorTokens().mint(KEY, body),
                () -> EMBED.core().iframeLinks().create(KEY, body, "https://app.example"),
                () -> EMBED.core().iframeLinks().redeem(body));
        for (Supplier<Map<String, Object>> flow : flows) {
            Map<String, Object> answer;
            try {
                answer = flow.get();
            } catch (EmbedException e) {
                assertClientError(e);
                continue;
            }
            assertNotNull(Json.write(answer));
        }
    }

    static void assertClientError(EmbedException e) {
        int status = e.error().status();
        assertTrue(
                status >= 400 && status < 500,
                "not a client error: " + status + " " + e.error().description());
        assertTrue(!e.error().description().isBlank());
    }
}
