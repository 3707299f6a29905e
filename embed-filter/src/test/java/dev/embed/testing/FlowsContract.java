package dev.embed.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.internal.TestStores;
import dev.embed.store.EmbedSession;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The HTTP contract of flows C and D (DESIGN §3.2, §3.3) that both adapters keep, written once:
 * the servlet adapter's and the JAX-RS adapter's integration tests extend it with their own
 * {@link Deployment} of the same configuration, under the context path {@code /shop}. The agent is
 * {@link ContextEchoTestAgent}; the rate limits are the defaults users get.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FlowsContract {
    private static final SecureRandom RANDOM = new SecureRandom();

    protected Deployment server;

    /** Serves an application with this configuration at context path {@code /shop}. */
    protected abstract Deployment deploy(Map<String, String> configuration) throws Exception;

    /** {@link AdapterContract#configuration()}, with the agent that echoes its context. */
    public static Map<String, String> configuration() {
        Map<String, String> params = new LinkedHashMap<>(AdapterContract.configuration());
        params.put("embed.agent", ContextEchoTestAgent.class.getName());
        return params;
    }

    @BeforeAll
    void start() throws Exception {
        server = deploy(configuration());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    // ---- helpers ----

    /** A fresh device fingerprint: 32 hex characters. */
    static String fingerprint() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** What the seed's Node backend sends: {@code fetch(url, {method: "POST", headers: {"api-secret", "Content-Type"}, body})}. */
    HttpResponse<String> visitor(String apiSecret, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/v1/embed-tokens/request"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiSecret != null) {
            request.header("api-secret", apiSecret);
        }
        return Http.send(request.build());
    }

    HttpResponse<String> visitor(String agent, String fingerprint) throws Exception {
        return visitor(
                TestKeys.ACME_KEY,
                "application/json",
                "{\"agent_id\": \"" + agent + "\", \"fingerprint\": \"" + fingerprint + "\"}");
    }

    /** Mints a visitor token: the envelope's {@code data}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> visitorData(String fingerprint) throws Exception {
        HttpResponse<String> response = visitor("support", fingerprint);
        assertEquals(200, response.statusCode(), response.body());
        return (Map<String, Object>) Http.json(response).get("data");
    }

    HttpResponse<String> create(String key, String body) throws Exception {
        return Http.postJson(server.uri("/api/v1/iframe/create"), key, body);
    }

    HttpResponse<String> redeem(String cacheKey) throws Exception {
        return Http.postJson(server.uri("/api/v1/iframe/token"), null, "{\"cache_key\": \"" + cacheKey + "\"}");
    }

    /** Creates a link and redeems it: the redemption's answer. */
    Map<String, Object> link(String body) throws Exception {
        HttpResponse<String> created = create(TestKeys.ACME_KEY, body);
        assertEquals(200, created.statusCode(), created.body());
        HttpResponse<String> redeemed = redeem((String) Http.json(created).get("cache_key"));
        assertEquals(200, redeemed.statusCode(), redeemed.body());
        return Http.json(redeemed);
    }

    URI sessionUri(String sid) {
        return server.uri("/api/v1/embed/chat-sessions/" + sid);
    }

    HttpResponse<String> send(String sid, String token, String message) throws Exception {
        return Http.postJson(URI.create(sessionUri(sid) + "/messages"), token, "{\"message\": \"" + message + "\"}");
    }

    /** Long-polls the session until an assistant message arrives; returns its content. */
    @SuppressWarnings("unchecked")
    String awaitReply(String sid, String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = Http.get(URI.create(sessionUri(sid) + "?wait=5"), token);
            assertEquals(200, response.statusCode(), response.body());
            for (Object message : (List<Object>) Http.json(response).get("messages")) {
                Map<String, Object> m = (Map<String, Object>) message;
                if ("assistant".equals(m.get("role"))) {
                    return (String) m.get("content");
                }
            }
        }
        throw new AssertionError("the agent did not answer within 20 s");
    }

    static Map<String, Object> header(String jwt) {
        return decode(jwt.split("\\.", -1)[0]);
    }

    static Map<String, Object> payload(String jwt) {
        return decode(jwt.split("\\.", -1)[1]);
    }

    private static Map<String, Object> decode(String part) {
        return Json.parseObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
    }

    private long sessionCount() {
        return TestStores.sessionCount(server.embed());
    }

    // ---- Flow C: visitor tokens (§3.2) ----

    @Test
    @SuppressWarnings("unchecked")
    void visitorRequestWhenSeedFetchThenSuccessWithTokenAndSessionId() throws Exception {
        String fingerprint = fingerprint();
        HttpResponse<String> response = visitor(
                TestKeys.ACME_KEY,
                "application/json",
                "{\"agent_id\":\"support\",\"fingerprint\":\"" + fingerprint + "\"}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(
                "application/json;charset=utf-8",
                response.headers()
                        .firstValue("Content-Type")
                        .orElseThrow()
                        .toLowerCase(Locale.ROOT)
                        .replace(" ", ""));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        Map<String, Object> body = Http.json(response);
        assertEquals(true, body.get("success"));
        Map<String, Object> data = (Map<String, Object>) body.get("data");
        String token = (String) data.get("token");
        String sid = (String) data.get("session_id");
        assertNotNull(token);
        assertTrue(sid.startsWith("ses_"), sid);
        assertEquals(3600L, data.get("expires_in"));
        assertEquals("HS256", header(token).get("alg"));
        assertNotNull(header(token).get("kid"));
        Map<String, Object> claims = payload(token);
        assertEquals("visitor", claims.get("kty"));
        assertEquals(sid, claims.get("sid"));
        assertEquals(3600L, (Long) claims.get("exp") - (Long) claims.get("iat"));
        assertEquals("demo", claims.get("spc"));
        assertEquals("support", claims.get("agt"));
        String fp = (String) claims.get("fp");
        assertNotNull(fp);
        assertEquals("v_" + fp, claims.get("sub"));
        String decoded = new String(Base64.getUrlDecoder().decode(token.split("\\.", -1)[1]), StandardCharsets.UTF_8);
        assertFalse(
                decoded.toLowerCase(Locale.ROOT).contains(fingerprint),
                "the raw fingerprint never appears in the token");
        assertFalse(fp.toLowerCase(Locale.ROOT).contains(fingerprint.substring(0, 8)));

        // The session is in the registry, with the key's frame ancestors.
        EmbedSession session = server.embed().store().sessions().find(sid).orElseThrow();
        assertEquals(List.of("https://shop.example"), session.frameAncestors());

        // The same device again: a new session, the same fp (case does not matter).
        Map<String, Object> again = visitorData(fingerprint.toUpperCase(Locale.ROOT));
        assertNotEquals(sid, again.get("session_id"));
        assertEquals(fp, payload((String) again.get("token")).get("fp"));
    }

    /** Every refusal uses the §3.2 envelope, with the §5 status and code, and creates nothing. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "missing agent_id         | 400 | invalid_request    | acme   | application/json | {\"fingerprint\": \"FP\"}",
                "missing fingerprint      | 400 | invalid_request    | acme   | application/json | {\"agent_id\": \"support\"}",
                "fingerprint of 7         | 400 | invalid_request    | acme   | application/json | {\"agent_id\": \"support\", \"fingerprint\": \"abcdef1\"}",
                "fingerprint of 129       | 400 | invalid_request    | acme   | application/json | LONG_FP",
                "fingerprint not hex      | 400 | invalid_request    | acme   | application/json | {\"agent_id\": \"support\", \"fingerprint\": \"fingerprint\"}",
                "fingerprint a number     | 400 | invalid_request    | acme   | application/json | {\"agent_id\": \"support\", \"fingerprint\": 12345678}",
                "agent_id a number        | 400 | invalid_request    | acme   | application/json | {\"agent_id\": 7, \"fingerprint\": \"FP\"}",
                "agent_id malformed       | 400 | invalid_request    | acme   | application/json | {\"agent_id\": \"a/b/c\", \"fingerprint\": \"FP\"}",
                "malformed JSON           | 400 | invalid_request    | acme   | application/json | {\"agent_id\": ",
                "not an object            | 400 | invalid_request    | acme   | application/json | [\"support\"]",
                "no api-secret            | 401 | invalid_token      | none   | application/json | {\"agent_id\": \"support\", \"fingerprint\": \"FP\"}",
                "unknown key              | 401 | invalid_token      | bogus  | application/json | {\"agent_id\": \"support\", \"fingerprint\": \"FP\"}",
                "a JWT as key             | 401 | invalid_token      | jwt    | application/json | {\"agent_id\": \"support\", \"fingerprint\": \"FP\"}",
                "key of another tenant    | 403 | insufficient_scope | globex | application/json | {\"agent_id\": \"support\", \"fingerprint\": \"FP\"}",
                "agent the key may not    | 403 | insufficient_scope | acme   | application/json | {\"agent_id\": \"bot\", \"fingerprint\": \"FP\"}",
                "space/agent it may not   | 403 | insufficient_scope | acme   | application/json | {\"agent_id\": \"other/bot\", \"fingerprint\": \"FP\"}",
                "unknown agent            | 404 | not_found          | acme   | application/json | {\"agent_id\": \"nobody\", \"fingerprint\": \"FP\"}",
                "body over 64 KiB         | 413 | invalid_request    | acme   | application/json | HUGE",
                "not JSON                 | 415 | invalid_request    | acme   | text/plain       | agent_id=support",
            })
    @SuppressWarnings("unchecked")
    void visitorRequestWhenBadThenEnvelopeWithDesignedError(
            String name, int status, String code, String key, String contentType, String body) throws Exception {
        String fingerprint = fingerprint();

        String credential = switch (key) {
            case "acme" -> TestKeys.ACME_KEY;
            case "globex" -> TestKeys.GLOBEX_KEY;
            case "bogus" -> "sk_thisKeyIsNotConfiguredAnywhere_0123456789";
            case "jwt" -> (String) visitorData(fingerprint()).get("token");
            default -> null;
        };
        body = switch (body) {
            case "LONG_FP" -> "{\"agent_id\": \"support\", \"fingerprint\": \"" + "a".repeat(129) + "\"}";
            case "HUGE" -> "{\"agent_id\": \"support\", \"pad\": \"" + "x".repeat(70_000) + "\"}";
            default -> body.replace("FP", fingerprint);
        };
        long sessions = sessionCount();

        HttpResponse<String> response = visitor(credential, contentType, body);

        assertEquals(status, response.statusCode(), response.body());
        Map<String, Object> envelope = Http.json(response);
        assertEquals(false, envelope.get("success"));
        Map<String, Object> error = (Map<String, Object>) envelope.get("error");
        assertEquals(code, error.get("code"));
        assertFalse(((String) error.get("message")).isBlank());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        assertFalse(response.body().contains(fingerprint), "errors never echo the fingerprint");
        if (credential != null) {
            assertFalse(response.body().contains(credential), "errors never echo the credential");
        }
        assertEquals(sessions, sessionCount(), "a refused request creates no session");
    }

    @Test
    @SuppressWarnings("unchecked")
    void visitorRequestWhenBurstFromOneFingerprintThenRateLimitedWhileAnotherIsServed() throws Exception {
        String noisy = fingerprint();
        HttpResponse<String> limited = null;
        int served = 0;
        for (int i = 0; i < 30 && limited == null; i++) {
            HttpResponse<String> response = visitor("support", noisy);
            if (response.statusCode() == 429) {
                limited = response;
            } else {
                assertEquals(200, response.statusCode(), response.body());
                served++;
            }
        }

        assertNotNull(limited, "30 mints in a row from one fingerprint were never limited");
        assertTrue(served >= 5, "the default burst of 5 was not served: " + served);
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 6, "Retry-After: " + retryAfter);
        Map<String, Object> envelope = Http.json(limited);
        assertEquals(false, envelope.get("success"));
        assertEquals("rate_limited", ((Map<String, Object>) envelope.get("error")).get("code"));
        // Another visitor is served at once, and so is the noisy one with another agent.
        assertEquals(200, visitor("support", fingerprint()).statusCode());
        assertEquals(200, visitor("sales", noisy).statusCode());
        assertEquals(429, visitor("support", noisy).statusCode());
    }

    @Test
    void visitorTokenWhenUsedThenReachesItsOwnSessionOnly() throws Exception {
        Map<String, Object> mine = visitorData(fingerprint());
        String token = (String) mine.get("token");
        String sid = (String) mine.get("session_id");

        HttpResponse<String> sent = send(sid, token, "hello from a visitor");
        assertEquals(202, sent.statusCode(), sent.body());
        assertTrue(awaitReply(sid, token).startsWith("You said: hello from a visitor"));

        String other = (String) visitorData(fingerprint()).get("session_id");
        HttpResponse<String> read = Http.get(sessionUri(other), token);
        assertEquals(403, read.statusCode(), read.body());
        assertEquals("insufficient_scope", Http.json(read).get("error"));
        assertEquals(403, send(other, token, "not mine").statusCode());
    }

    @Test
    void visitorRequestWhenBrowserPreflightThenNoCorsAllowance() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(server.uri("/v1/embed-tokens/request"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "api-secret, content-type")
                .build());
        assertTrue(response.statusCode() >= 400, "preflight must not succeed: " + response.statusCode());
        assertTrue(
                response.headers().map().keySet().stream()
                        .noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("access-control-allow")),
                response.headers().map().toString());
    }

    /**
     * Issue 13 finding 4 (DESIGN §3.4): a flow C or D session, which has no space or agent in the
     * §3.1 path, is ended by {@code DELETE /api/v1/embed-sessions/{sessionId}} with a key of its
     * tenant: 204, then its token answers 401 at once; another tenant's key gets 403.
     */
    @Test
    void endAnySessionWhenFlowCOrDThenTheirTokensAnswer401AtOnce() throws Exception {
        Map<String, Object> visitor = visitorData(fingerprint());
        Map<String, Object> link = link("{\"uid\": \"user-ended\", \"srcs\": [\"docs\"]}");
        for (Map<String, Object> minted : List.of(visitor, link)) {
            String sid = (String) minted.get("session_id");
            String token = (String) minted.get("token");
            assertEquals(202, send(sid, token, "before").statusCode());
            URI end = server.uri("/api/v1/embed-sessions/" + sid);

            assertEquals(403, Http.delete(end, TestKeys.GLOBEX_KEY).statusCode(), "another tenant's key");
            HttpResponse<String> ended = Http.delete(end, TestKeys.ACME_KEY);

            assertEquals(204, ended.statusCode(), ended.body());
            assertEquals(401, send(sid, token, "after").statusCode(), sid + ": its token still works");
            assertEquals(
                    401,
                    Http.get(server.uri("/api/v1/embed/chat-sessions/" + sid), token)
                            .statusCode());
            assertEquals(404, Http.delete(end, TestKeys.ACME_KEY).statusCode());
        }
    }

    // ---- Flow D: cached iframe links (§3.3) ----

    @Test
    void iframeCreateWhenUidAndSrcsThenUrlWithCacheKeyAndDefaultLifetime() throws Exception {
        HttpResponse<String> response = create(TestKeys.ACME_KEY, "{\"uid\": \"user-42\", \"srcs\": [\"docs\"]}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        Map<String, Object> body = Http.json(response);
        String cacheKey = (String) body.get("cache_key");
        assertTrue(cacheKey.matches("[A-Za-z0-9_-]{22,}"), "at least 128 bits, base64url: " + cacheKey);
        assertTrue(Base64.getUrlDecoder().decode(cacheKey).length >= 16);
        assertEquals(server.base() + "/embed/iframe/" + cacheKey, body.get("iframe_url"));
        assertEquals(900L, body.get("expires_in"));
        assertFalse(response.body().contains("eyJ"), "no JWT in the answer, let alone in iframe_url");
    }

    @Test
    @SuppressWarnings("unchecked")
    void iframeTokenWhenRedeemedThenJwtOnceAndThenTheSameNotFoundAsAnUnknownKey() throws Exception {
        Map<String, Object> created = Http.json(
                create(TestKeys.ACME_KEY, "{\"uid\": \"user-42\", \"srcs\": [\"docs\", \"faq\"], \"ttl\": 600}"));
        String cacheKey = (String) created.get("cache_key");

        HttpResponse<String> first = redeem(cacheKey);

        assertEquals(200, first.statusCode(), first.body());
        assertEquals("DENY", first.headers().firstValue("X-Frame-Options").orElseThrow());
        assertEquals("no-store", first.headers().firstValue("Cache-Control").orElseThrow());
        Map<String, Object> answer = Http.json(first);
        String token = (String) answer.get("token");
        Map<String, Object> claims = payload(token);
        assertEquals("user-42", claims.get("sub"));
        assertEquals(List.of("docs", "faq"), claims.get("src"));
        assertEquals("iframe", claims.get("kty"));
        assertEquals(600L, (Long) claims.get("exp") - (Long) claims.get("iat"));
        assertEquals(answer.get("session_id"), claims.get("sid"));
        assertTrue((Long) answer.get("expires_in") > 590);
        Map<String, Object> settings = (Map<String, Object>) answer.get("settings");
        assertEquals("full", settings.get("response_mode"));
        assertEquals(true, settings.get("show_sidebar"));
        assertEquals(true, settings.get("show_dashboards"));
        // The JWT reaches its session's embed endpoints.
        assertEquals(
                200, Http.get(sessionUri((String) claims.get("sid")), token).statusCode());
        EmbedSession session = server.embed()
                .store()
                .sessions()
                .find((String) claims.get("sid"))
                .orElseThrow();
        assertEquals(List.of("https://shop.example"), session.frameAncestors());

        HttpResponse<String> second = redeem(cacheKey);
        HttpResponse<String> unknown =
                redeem(Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]));
        assertEquals(404, second.statusCode(), second.body());
        assertEquals("not_found", Http.json(second).get("error"));
        assertEquals(404, unknown.statusCode());
        assertEquals(second.body(), unknown.body(), "used and unknown keys look the same");
    }

    @Test
    void iframeTokenWhenCalledFromTheBrowserThenCorsWithoutCredentials() throws Exception {
        HttpResponse<String> preflight = Http.send(HttpRequest.newBuilder(server.uri("/api/v1/iframe/token"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://shop.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .build());
        assertEquals(204, preflight.statusCode());
        assertEquals(
                "*",
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(preflight
                .headers()
                .firstValue("Access-Control-Allow-Headers")
                .orElseThrow()
                .contains("Content-Type"));
        assertTrue(preflight
                .headers()
                .firstValue("Access-Control-Allow-Credentials")
                .isEmpty());

        String cacheKey = (String) Http.json(create(TestKeys.ACME_KEY, "{\"uid\": \"u\", \"srcs\": [\"faq\"]}"))
                .get("cache_key");
        HttpResponse<String> redeemed = Http.send(HttpRequest.newBuilder(server.uri("/api/v1/iframe/token"))
                .header("Origin", "https://shop.example")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"cache_key\": \"" + cacheKey + "\"}"))
                .build());
        assertEquals(200, redeemed.statusCode(), redeemed.body());
        assertEquals(
                "*",
                redeemed.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(redeemed.headers()
                .firstValue("Access-Control-Allow-Credentials")
                .isEmpty());

        HttpResponse<String> createPreflight = Http.send(HttpRequest.newBuilder(server.uri("/api/v1/iframe/create"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .build());
        assertTrue(createPreflight.statusCode() >= 400, "create is server-to-server: " + createPreflight.statusCode());
        assertTrue(createPreflight.headers().map().keySet().stream()
                .noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("access-control-allow")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "missing cache_key     | 400 | application/json | {}",
                "cache_key a number    | 400 | application/json | {\"cache_key\": 42}",
                "malformed cache_key   | 404 | application/json | {\"cache_key\": \"../../etc\"}",
                "malformed JSON        | 400 | application/json | {\"cache_key\": ",
                "not JSON              | 415 | text/plain       | cache_key=abc",
            })
    void iframeTokenWhenBadBodyThenDesignedError(String name, int status, String contentType, String body)
            throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(server.uri("/api/v1/iframe/token"))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertEquals(status, response.statusCode(), response.body());
        assertFalse(((String) Http.json(response).get("error_description")).isBlank());
    }

    /** Every field rule of §3.3: a 400, or a 403 for sources the key may not use; nothing is created. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "uid missing                   | 400 | acme   | {\"srcs\": [\"docs\"]}",
                "uid empty                     | 400 | acme   | {\"uid\": \"\", \"srcs\": [\"docs\"]}",
                "uid too long                  | 400 | acme   | LONG_UID",
                "uid a number                  | 400 | acme   | {\"uid\": 42, \"srcs\": [\"docs\"]}",
                "uid with a control character  | 400 | acme   | {\"uid\": \"a\\u0007b\", \"srcs\": [\"docs\"]}",
                "srcs missing                  | 400 | acme   | {\"uid\": \"u\"}",
                "srcs empty                    | 400 | acme   | {\"uid\": \"u\", \"srcs\": []}",
                "srcs a string                 | 400 | acme   | {\"uid\": \"u\", \"srcs\": \"docs\"}",
                "srcs with a number            | 400 | acme   | {\"uid\": \"u\", \"srcs\": [1]}",
                "srcs with an empty id         | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"\"]}",
                "srcs beyond the key's         | 403 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\", \"payroll\"]}",
                "key without sources           | 403 | globex | {\"uid\": \"u\", \"srcs\": [\"docs\"]}",
                "ttl 59                        | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"ttl\": 59}",
                "ttl 3601                      | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"ttl\": 3601}",
                "ttl a string                  | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"ttl\": \"900\"}",
                "ttl a fraction                | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"ttl\": 900.5}",
                "model unknown                 | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"model\": \"gpt-2\"}",
                "response_mode unknown         | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"response_mode\": \"verbose\"}",
                "theme with theme_id           | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"theme_mode\": \"dark\"}, \"theme_id\": 3}",
                "theme a string                | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": \"dark\"}",
                "theme unknown member          | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"colour\": \"red\"}}",
                "theme_mode unknown            | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"theme_mode\": \"neon\"}}",
                "css var without --            | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"custom_css_vars\": {\"color\": \"red\"}}}",
                "css value breaking out        | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"custom_css_vars\": {\"--a\": \"red} body {display: none\"}}}",
                "css vars a string             | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"custom_css_vars\": \"--a: red\"}}",
                "start_message too long        | 400 | acme   | LONG_START",
                "theme.show_sidebar a string   | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"show_sidebar\": \"yes\"}}",
                "theme_id zero                 | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme_id\": 0}",
                "theme_id a string             | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme_id\": \"3\"}",
                "show_sidebar a number         | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"show_sidebar\": 1}",
                "show_dashboards a string      | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"show_dashboards\": \"false\"}",
                "knowledge a string            | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": \"fact\"}",
                "knowledge with a number       | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [1]}",
                "knowledge with an empty entry | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [\" \"]}",
                "knowledge of 101 entries      | 400 | acme   | MANY_KNOWLEDGE",
                "knowledge over 32000 in all   | 400 | acme   | BIG_KNOWLEDGE",
                "knowledge entry over 8000     | 400 | acme   | LONG_KNOWLEDGE",
                "knowledge unknown member      | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [{\"name\": \"n\", \"content\": \"c\"}]}",
                "knowledge text with a title   | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [{\"text\": \"t\", \"title\": \"x\"}]}",
                "knowledge object, no content  | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [{\"title\": \"x\"}]}",
                "knowledge content a number    | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [{\"content\": 5}]}",
                "reference query a string      | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"reference_queries\": [\"q\"]}",
                "reference query without query | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"reference_queries\": [{\"title\": \"t\"}]}",
                "reference query extra member  | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"reference_queries\": [{\"title\": \"t\", \"query\": \"q\", \"sql\": \"x\"}]}",
                "reference title too long      | 400 | acme   | LONG_TITLE",
                "reference_queries an object   | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"reference_queries\": {\"title\": \"t\"}}",
                "limits a number               | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"limits\": 5}",
                "limits unknown window         | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"limits\": {\"minutely\": 1}}",
                "limits zero                   | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"limits\": {\"hourly\": 0}}",
                "limits a string               | 400 | acme   | {\"uid\": \"u\", \"srcs\": [\"docs\"], \"limits\": {\"daily\": \"5\"}}",
                "no key                        | 401 | none   | {\"uid\": \"u\", \"srcs\": [\"docs\"]}",
            })
    void iframeCreateWhenFieldBreaksARuleThenBadRequestOrForbidden(String name, int status, String key, String body)
            throws Exception {
        String credential = "acme".equals(key) ? TestKeys.ACME_KEY : "globex".equals(key) ? TestKeys.GLOBEX_KEY : null;
        switch (body) {
            case "LONG_UID" -> body = "{\"uid\": \"" + "u".repeat(257) + "\", \"srcs\": [\"docs\"]}";
            case "LONG_START" ->
                body = "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": {\"start_message\": \"" + "s".repeat(501)
                        + "\"}}";
            case "LONG_TITLE" ->
                body = "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"reference_queries\": [{\"title\": \"" + "t".repeat(201)
                        + "\", \"query\": \"q\"}]}";
            case "BIG_KNOWLEDGE" ->
                body = "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": ["
                        + String.join(
                                ", ", java.util.Collections.nCopies(5, "{\"content\": \"" + "k".repeat(6500) + "\"}"))
                        + "]}";
            case "LONG_KNOWLEDGE" ->
                body = "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [{\"text\": \""
                        + "k".repeat(8001) + "\"}]}";
            case "MANY_KNOWLEDGE" ->
                body = "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"knowledge_base_entries\": [\"k\""
                        + ", \"k\"".repeat(100) + "]}";
            default -> {}
        }
        long sessions = sessionCount();

        HttpResponse<String> response = create(credential, body);

        assertEquals(status, response.statusCode(), response.body());
        Map<String, Object> error = Http.json(response);
        String expected = status == 400 ? "invalid_request" : status == 403 ? "insufficient_scope" : "invalid_token";
        assertEquals(expected, error.get("error"));
        assertFalse(((String) error.get("error_description")).isBlank());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals(sessions, sessionCount(), "a refused request creates no session");
    }

    @Test
    @SuppressWarnings("unchecked")
    void iframeCreateWhenThemeOmitsOptionsThenDeprecatedFieldsFallBack() throws Exception {
        Map<String, Object> themed = (Map<String, Object>) link("{\"uid\": \"u\", \"srcs\": [\"docs\"],"
                        + " \"theme\": {\"theme_mode\": \"dark\", \"response_mode\": \"basic\", \"custom_css_vars\": {\"--accent\":"
                        + " \"#0a7\"}, \"start_message\": \"Hi!\"}, \"response_mode\": \"full\", \"show_sidebar\": false}")
                .get("settings");
        assertEquals("dark", themed.get("theme_mode"));
        assertEquals("basic", themed.get("response_mode"), "the theme wins over the deprecated field");
        assertEquals(false, themed.get("show_sidebar"), "the deprecated field fills what the theme omits");
        assertEquals(true, themed.get("show_dashboards"), "default");
        assertEquals(Map.of("--accent", "#0a7"), themed.get("custom_css_vars"));
        assertEquals("Hi!", themed.get("start_message"));

        Map<String, Object> byId = (Map<String, Object>) link("{\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme_id\": 7,"
                        + " \"show_dashboards\": false, \"response_mode\": \"basic\"}")
                .get("settings");
        assertEquals(7L, byId.get("theme_id"));
        assertEquals(false, byId.get("show_dashboards"));
        assertEquals("basic", byId.get("response_mode"));
        assertEquals(true, byId.get("show_sidebar"));
    }

    /**
     * Issue 13 finding 11: knowledge entries may be strings or objects ({@code {"title",
     * "content"}}, {@code {"text"}}), and every kind reaches the agent.
     */
    @Test
    void iframeSessionWhenKnowledgeEntriesAreObjectsThenTheyReachTheAgent() throws Exception {
        Map<String, Object> link = link("{\"uid\": \"user-kb-objects\", \"srcs\": [\"docs\"],"
                + " \"knowledge_base_entries\": [{\"title\": \"Warranty\", \"content\": \"It lasts 24 months.\"},"
                + " {\"text\": \"Support hours: 9-17 CET.\"}, {\"content\": \"Returns within 30 days.\"},"
                + " \"Shipping is free.\", {\"content\": \"" + "k".repeat(8000) + "\"}]}");
        String token = (String) link.get("token");
        String sid = (String) link.get("session_id");

        assertEquals(202, send(sid, token, "how long?").statusCode());
        String reply = awaitReply(sid, token);

        assertTrue(reply.contains("It lasts 24 months."), reply);
        assertTrue(reply.contains("Warranty"), "the title reaches the agent too: " + reply);
        assertTrue(reply.contains("Support hours: 9-17 CET."), reply);
        assertTrue(reply.contains("Returns within 30 days."), reply);
        assertTrue(reply.contains("Shipping is free."), reply);
    }

    @Test
    void iframeSessionWhenMessageSentThenKnowledgeAndQueriesReachTheAgent() throws Exception {
        Map<String, Object> link = link("{\"uid\": \"user-kb\", \"srcs\": [\"docs\"], \"model\": \"sonnet-4.5\","
                + " \"knowledge_base_entries\": [\"The warranty lasts 24 months.\", \"Support hours: 9-17 CET.\"],"
                + " \"reference_queries\": [{\"title\": \"Warranty\", \"query\": \"How long is the warranty?\"}]}");
        String token = (String) link.get("token");
        String sid = (String) link.get("session_id");

        assertEquals(202, send(sid, token, "how long?").statusCode());
        String reply = awaitReply(sid, token);

        assertTrue(reply.contains("knowledge: The warranty lasts 24 months.; Support hours: 9-17 CET."), reply);
        assertTrue(reply.contains("queries: Warranty"), reply);
        assertTrue(reply.contains("model: sonnet-4.5"), reply);
        assertTrue(reply.contains("sources: docs"), reply);
    }

    @Test
    void iframeSessionWhenLimitsReachedThenRateLimitedPerUid() throws Exception {
        String uid = "limited-" + fingerprint();
        String withLimits =
                "{\"uid\": \"" + uid + "\", \"srcs\": [\"docs\"], \"limits\": {\"hourly\": 2, \"daily\": 10}}";
        Map<String, Object> first = link(withLimits);
        String token = (String) first.get("token");
        String sid = (String) first.get("session_id");

        assertEquals(202, send(sid, token, "one").statusCode());
        assertEquals(202, send(sid, token, "two").statusCode());
        HttpResponse<String> third = send(sid, token, "three");

        assertEquals(429, third.statusCode(), third.body());
        assertEquals("rate_limited", Http.json(third).get("error"));
        long retryAfter =
                Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 60 && retryAfter <= 1800, "Retry-After: " + retryAfter);
        // The limits belong to the uid: a new link for it is limited as well.
        Map<String, Object> second = link(withLimits);
        assertEquals(
                429,
                send((String) second.get("session_id"), (String) second.get("token"), "four")
                        .statusCode());
        // Another uid has its own budget.
        Map<String, Object> other = link(withLimits.replace(uid, uid + "-other"));
        assertEquals(
                202,
                send((String) other.get("session_id"), (String) other.get("token"), "hi")
                        .statusCode());
    }
}
