package dev.embed.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.store.EmbedSession;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP contract both adapters keep (DESIGN §3.1, §4, §5), written once: the servlet adapter's
 * and the JAX-RS adapter's integration tests extend it with their own {@link Deployment} of the
 * same configuration, under the context path {@code /shop}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AdapterContract {
    static final String SEED =
            "{\"externalUserId\": \"customer-123\", \"displayName\": \"Kelly\", \"ttlSeconds\": 3600,"
                    + " \"mode\": \"chat\"}";

    protected Deployment server;

    /**
     * Serves an application with this configuration at context path {@code /shop}, with one extra
     * endpoint behind the token check: {@code GET /api/v1/embed/chat-sessions/{sessionId}/whoami}
     * answering {@code {"principal"}}, the name of the request's authenticated principal.
     */
    protected abstract Deployment deploy(Map<String, String> configuration) throws Exception;

    /** The configuration every adapter is deployed with. */
    public static Map<String, String> configuration() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("embed.signing.secret", TestKeys.SECRET);
        params.put("embed.apiKey.acme", TestKeys.acmeLine());
        params.put("embed.apiKey.globex", TestKeys.globexLine());
        params.put("embed.agents", "demo/support,demo/sales,other/bot");
        params.put("embed.agent", EchoTestAgent.class.getName());
        params.put("embed.agent.timeoutSeconds", "10");
        params.put("embed.openapi.enabled", "true");
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

    URI mintUri(String space, String agent, String collection) {
        return server.uri("/api/v1/spaces/" + space + "/agents/" + agent + "/" + collection);
    }

    HttpResponse<String> mint(String collection, String key, String body) throws Exception {
        return Http.postJson(mintUri("demo", "support", collection), key, body);
    }

    URI sessionUri(String sid) {
        return server.uri("/api/v1/embed/chat-sessions/" + sid);
    }

    static String tokenFromEmbedUrl(String embedUrl) {
        return embedUrl.substring(embedUrl.indexOf("#token=") + "#token=".length());
    }

    static Map<String, Object> payload(String jwt) {
        String part = jwt.split("\\.", -1)[1];
        return Json.parseObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
    }

    @Test
    void mintEmbedUrlWhenSeedRequestThenUrlWithTokenInFragment() throws Exception {
        HttpResponse<String> response = mint("embed-urls", TestKeys.ACME_KEY, SEED);
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
        String sid = (String) body.get("sessionId");
        String embedUrl = (String) body.get("embedUrl");
        assertTrue(embedUrl.startsWith(server.base() + "/embed/chat/" + sid + "#token="), embedUrl);
        String token = tokenFromEmbedUrl(embedUrl);
        Map<String, Object> claims = payload(token);
        assertEquals("customer-123", claims.get("sub"));
        assertEquals(sid, claims.get("sid"));
        assertEquals("Kelly", claims.get("name"));
        assertEquals("chat", claims.get("mode"));
        assertEquals("demo", claims.get("spc"));
        assertEquals("support", claims.get("agt"));
        long exp = (Long) claims.get("exp");
        assertEquals(3600L, exp - (Long) claims.get("iat"));
        String expiresAt = (String) body.get("expiresAt");
        assertTrue(expiresAt.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), expiresAt);
        assertEquals(Instant.ofEpochSecond(exp), Instant.parse(expiresAt));

        // The token reaches its own session, as the external user.
        HttpResponse<String> own = Http.get(sessionUri(sid), token);
        assertEquals(200, own.statusCode(), own.body());
        assertEquals(sid, Http.json(own).get("sessionId"));
        assertEquals("DENY", own.headers().firstValue("X-Frame-Options").orElseThrow());
        HttpResponse<String> whoami = Http.get(URI.create(sessionUri(sid) + "/whoami"), token);
        assertEquals(200, whoami.statusCode(), whoami.body());
        assertEquals("customer-123", Http.json(whoami).get("principal"));
    }

    /**
     * Issue 13 finding 6: without {@code embed.publicBaseUrl}, a mint sent with a {@code Host} that
     * is not in {@code embed.allowedHosts} gets no URL built on it (flows A, B and D): 400 naming
     * the setting, and no token. A request to an allowed host (127.0.0.1, every other test) works.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/api/v1/spaces/demo/agents/support/embed-urls, {\"externalUserId\": \"u\"}",
        "/api/v1/spaces/demo/agents/support/embed-sessions, {\"externalUserId\": \"u\"}",
        "/api/v1/iframe/create, '{\"uid\": \"u\", \"srcs\": [\"docs\"]}'"
    })
    void mintWhenHostHeaderNotAllowedThenBadRequestAndNoUrl(String path, String body) throws Exception {
        String head = "POST " + server.base().getRawPath() + path + " HTTP/1.1\nAuthorization: Bearer "
                + TestKeys.ACME_KEY + "\nContent-Type: application/json";

        RawHttp.Answer evil = RawHttp.send(server.base(), "evil.example", head, body);

        assertEquals(400, evil.status(), evil.body());
        Map<String, Object> error = Json.parseObject(evil.body());
        assertEquals("invalid_request", error.get("error"));
        assertTrue(((String) error.get("error_description")).contains("embed.publicBaseUrl"), evil.body());
        assertFalse(evil.body().contains("evil.example"), evil.body());
        assertFalse(evil.body().contains("eyJ"), "no token minted: " + evil.body());
        RawHttp.Answer loopback =
                RawHttp.send(server.base(), "localhost:" + server.base().getPort(), head, body);
        assertEquals(200, loopback.status(), loopback.body());
    }

    @Test
    void mintEmbedSessionWhenValidThenTokenAndEmbedApiUrlsWithContextPath() throws Exception {
        HttpResponse<String> response =
                mint("embed-sessions", TestKeys.ACME_KEY, "{\"externalUserId\": \"wechat-openid-oABC123\"}");
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> body = Http.json(response);
        String sid = (String) body.get("sessionId");
        @SuppressWarnings("unchecked")
        Map<String, Object> api = (Map<String, Object>) body.get("embedApi");
        assertEquals(server.base() + "/api/v1/embed/chat-sessions/" + sid, api.get("sessionUrl"));
        assertEquals(server.base() + "/api/v1/embed/chat-sessions/" + sid + "/messages", api.get("messagesUrl"));
        String token = (String) body.get("token");
        assertEquals("session", payload(token).get("kty"));
        assertEquals(
                Instant.ofEpochSecond((Long) payload(token).get("exp")), Instant.parse((String) body.get("expiresAt")));
        assertEquals(
                200, Http.get(URI.create((String) api.get("sessionUrl")), token).statusCode());
    }

    @ParameterizedTest(name = "ttlSeconds {0} -> {1}")
    @CsvSource({"59, 400", "60, 200", "86400, 200", "86401, 400", "0, 400", "-1, 400", "3600.5, 400", "'\"3600\"', 400"
    })
    void mintWhenTtlAtOrBeyondBoundsThenStatus(String ttl, int status) throws Exception {
        HttpResponse<String> response = mint(
                "embed-urls", TestKeys.ACME_KEY, "{\"externalUserId\": \"customer-123\", \"ttlSeconds\": " + ttl + "}");
        assertEquals(status, response.statusCode(), response.body());
        if (status == 200) {
            Map<String, Object> claims =
                    payload(tokenFromEmbedUrl((String) Http.json(response).get("embedUrl")));
            assertEquals(Long.parseLong(ttl), (Long) claims.get("exp") - (Long) claims.get("iat"));
        } else {
            assertEquals("invalid_request", Http.json(response).get("error"));
            assertTrue(((String) Http.json(response).get("error_description")).contains("ttlSeconds"));
        }
    }

    @Test
    void embedEndpointWhenTokenOfAnotherSessionThenForbidden() throws Exception {
        String tokenA = tokenFromEmbedUrl(
                (String) Http.json(mint("embed-urls", TestKeys.ACME_KEY, SEED)).get("embedUrl"));
        String sidB =
                (String) Http.json(mint("embed-urls", TestKeys.ACME_KEY, SEED)).get("sessionId");
        HttpResponse<String> response = Http.get(sessionUri(sidB), tokenA);
        assertEquals(403, response.statusCode());
        assertEquals("insufficient_scope", Http.json(response).get("error"));
        assertTrue(response.headers()
                .firstValue("WWW-Authenticate")
                .orElseThrow()
                .contains("error=\"insufficient_scope\""));
    }

    /** Tokens crafted outside the service: expired, alg none, tampered, signed with another key. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"expired", "alg-none", "tampered-payload", "tampered-signature", "wrong-key", "garbage"})
    void embedEndpointWhenBadTokenThenUnauthorizedWithChallenge(String kind) throws Exception {
        Map<String, Object> minted = Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED));
        String sid = (String) minted.get("sessionId");
        String good = (String) minted.get("token");
        String kid = (String) Json.parseObject(
                        new String(Base64.getUrlDecoder().decode(good.split("\\.", -1)[0]), StandardCharsets.UTF_8))
                .get("kid");
        long now = Instant.now().getEpochSecond();
        String token;
        switch (kind) {
            case "expired" ->
                token = sign(
                        claims(sid, now - 7200, now - 3600), TestKeys.SECRET, kid, AlgorithmIdentifiers.HMAC_SHA256);
            case "alg-none" -> token = sign(claims(sid, now, now + 600), null, kid, AlgorithmIdentifiers.NONE);
            case "tampered-payload" -> {
                String[] parts = good.split("\\.", -1);
                Map<String, Object> p = new LinkedHashMap<>(payload(good));
                p.put("sub", "someone-else");
                token = parts[0] + "."
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(Json.write(p).getBytes(StandardCharsets.UTF_8))
                        + "." + parts[2];
            }
            case "tampered-signature" -> {
                char last = good.charAt(good.length() - 2);
                token = good.substring(0, good.length() - 2)
                        + (last == 'A' ? 'B' : 'A')
                        + good.charAt(good.length() - 1);
            }
            case "wrong-key" ->
                token = sign(claims(sid, now, now + 600), TestKeys.OTHER_SECRET, kid, AlgorithmIdentifiers.HMAC_SHA256);
            default -> token = "not-a-jwt";
        }
        HttpResponse<String> response = Http.get(sessionUri(sid), token);
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("invalid_token", Http.json(response).get("error"));
        String challenge = response.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertTrue(
                challenge.startsWith("Bearer realm=\"embed\", error=\"invalid_token\", error_description=\""),
                challenge);
        assertFalse(response.body().contains(token), "the error must not echo the token");
    }

    static JwtClaims claims(String sid, long iat, long exp) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer("embed");
        claims.setAudience("embed");
        claims.setSubject("customer-123");
        claims.setClaim("sid", sid);
        claims.setClaim("kty", "session");
        claims.setIssuedAt(NumericDate.fromSeconds(iat));
        claims.setNotBefore(NumericDate.fromSeconds(iat));
        claims.setExpirationTime(NumericDate.fromSeconds(exp));
        claims.setJwtId("jti-" + iat);
        return claims;
    }

    static String sign(JwtClaims claims, String base64Secret, String kid, String alg) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(alg);
        jws.setKeyIdHeaderValue(kid);
        if (base64Secret == null) {
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        } else {
            jws.setKey(new SecretKeySpec(Base64.getDecoder().decode(base64Secret), "HmacSHA256"));
        }
        return jws.getCompactSerialization();
    }

    @Test
    void embedEndpointWhenNoTokenThenChallengeWithoutErrorAttribute() throws Exception {
        HttpResponse<String> response = Http.get(sessionUri("ses_x"), null);
        assertEquals(401, response.statusCode());
        assertEquals(
                "Bearer realm=\"embed\"",
                response.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals("invalid_token", Http.json(response).get("error"));
    }

    @Test
    void embedEndpointWhenTokenInQueryStringThenBadRequest() throws Exception {
        String token = (String)
                Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED)).get("token");
        HttpResponse<String> response = Http.get(URI.create(sessionUri("ses_x") + "?access_token=" + token), null);
        assertEquals(400, response.statusCode());
        assertFalse(response.body().contains(token));
    }

    @Test
    void deleteSessionWhenEndedThenEveryTokenOfItIsUnauthorized() throws Exception {
        Map<String, Object> first = Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED));
        String sid = (String) first.get("sessionId");
        String firstToken = (String) first.get("token");
        String secondToken = (String) Http.json(mint(
                        "embed-sessions",
                        TestKeys.ACME_KEY,
                        "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}"))
                .get("token");
        assertEquals(200, Http.get(sessionUri(sid), secondToken).statusCode());

        // Another tenant's key may not end it.
        assertEquals(
                403,
                Http.delete(server.uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + sid), TestKeys.GLOBEX_KEY)
                        .statusCode());

        HttpResponse<String> deleted =
                Http.delete(server.uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + sid), TestKeys.ACME_KEY);
        assertEquals(204, deleted.statusCode(), deleted.body());
        for (String token : new String[] {firstToken, secondToken}) {
            HttpResponse<String> response = Http.get(sessionUri(sid), token);
            assertEquals(401, response.statusCode());
            assertTrue(Http.json(response).get("error_description").toString().contains("revoked"));
        }
        // The session can no longer be continued, nor deleted again.
        assertEquals(
                404,
                mint(
                                "embed-sessions",
                                TestKeys.ACME_KEY,
                                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}")
                        .statusCode());
        assertEquals(
                404,
                Http.delete(server.uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + sid), TestKeys.ACME_KEY)
                        .statusCode());
    }

    @Test
    void endAnySessionWhenSameTenantThen204AndEveryTokenOfIt401() throws Exception {
        Map<String, Object> minted = Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED));
        String sid = (String) minted.get("sessionId");
        String token = (String) minted.get("token");
        URI end = server.uri("/api/v1/embed-sessions/" + sid);

        HttpResponse<String> anonymous = Http.delete(end, null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals(
                "Bearer realm=\"embed\"",
                anonymous.headers().firstValue("WWW-Authenticate").orElseThrow());
        HttpResponse<String> otherTenant = Http.delete(end, TestKeys.GLOBEX_KEY);
        assertEquals(403, otherTenant.statusCode(), otherTenant.body());
        assertEquals("insufficient_scope", Http.json(otherTenant).get("error"));
        assertEquals(200, Http.get(sessionUri(sid), token).statusCode(), "not ended by the refusals");

        HttpResponse<String> ended = Http.delete(end, TestKeys.ACME_KEY);
        assertEquals(204, ended.statusCode(), ended.body());
        assertEquals("no-store", ended.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("", ended.body());
        HttpResponse<String> afterwards = Http.get(sessionUri(sid), token);
        assertEquals(401, afterwards.statusCode());
        assertTrue(Http.json(afterwards).get("error_description").toString().contains("revoked"));

        HttpResponse<String> again = Http.delete(end, TestKeys.ACME_KEY);
        assertEquals(404, again.statusCode(), again.body());
        assertEquals("not_found", Http.json(again).get("error"));
        assertEquals(
                404,
                Http.delete(server.uri("/api/v1/embed-sessions/ses_unknown0123456789abcd"), TestKeys.ACME_KEY)
                        .statusCode());
        HttpResponse<String> post = Http.postJson(end, TestKeys.ACME_KEY, "{}");
        assertEquals(405, post.statusCode(), post.body());
        assertEquals("DELETE", post.headers().firstValue("Allow").orElseThrow());
        HttpResponse<String> preflight = Http.send(HttpRequest.newBuilder(end)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://shop.example")
                .header("Access-Control-Request-Method", "DELETE")
                .build());
        assertEquals(403, preflight.statusCode(), preflight.body());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    }

    @Test
    void openApiWhenEnabledThenTheDocumentAsShipped() throws Exception {
        HttpResponse<String> document = Http.get(server.uri("/api/v1/openapi.yaml"), null);

        assertEquals(200, document.statusCode());
        assertEquals(
                "application/yaml;charset=utf-8",
                document.headers()
                        .firstValue("Content-Type")
                        .orElseThrow()
                        .toLowerCase(Locale.ROOT)
                        .replace(" ", ""));
        assertEquals(
                "public, max-age=300",
                document.headers().firstValue("Cache-Control").orElseThrow());
        try (var in = AdapterContract.class.getClassLoader().getResourceAsStream(OpenApiDocument.RESOURCE)) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), document.body());
        }
    }

    /**
     * A collaborator that throws (here the host's key store) is a 500 {@code server_error} in the
     * library's JSON, from the one error writer, on every adapter: never the container's HTML page,
     * never the exception's text. With the OpenAPI document off (the default) its path is a 404.
     */
    @Test
    void collaboratorWhenItThrowsThenJson500AndNoContainerPage() throws Exception {
        Map<String, String> failing = configuration();
        failing.put("embed.apiKeyStore", FailingApiKeyStore.class.getName());
        failing.remove("embed.openapi.enabled");
        try (Deployment broken = deploy(failing)) {
            OpenApiConformance.expectServerErrors(broken.base());
            // Each on a connection of its own: the key is checked before the body is read.
            List<HttpResponse<String>> answers = List.of(
                    Http.sendAlone(Http.postJsonRequest(
                            broken.uri("/api/v1/spaces/demo/agents/support/embed-urls"), TestKeys.ACME_KEY, SEED)),
                    Http.sendAlone(Http.postJsonRequest(broken.uri("/api/v1/iframe/create"), TestKeys.ACME_KEY, "{}")),
                    Http.sendAlone(
                            HttpRequest.newBuilder(broken.uri("/api/v1/embed-sessions/ses_0123456789abcdefghijkl"))
                                    .header("Authorization", "Bearer " + TestKeys.ACME_KEY)
                                    .DELETE()
                                    .build()));
            for (HttpResponse<String> answer : answers) {
                assertEquals(500, answer.statusCode(), answer.body());
                assertTrue(
                        answer.headers()
                                .firstValue("Content-Type")
                                .orElseThrow()
                                .startsWith("application/json"),
                        answer.body());
                assertEquals(
                        "no-store", answer.headers().firstValue("Cache-Control").orElseThrow());
                assertEquals("server_error", Http.json(answer).get("error"), answer.body());
                assertFalse(answer.body().contains("database"), "the exception's text stays on the server");
            }
            HttpResponse<String> visitor = Http.sendAlone(HttpRequest.newBuilder(broken.uri("/v1/embed-tokens/request"))
                    .header("api-secret", TestKeys.ACME_KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"agent_id\": \"support\", \"fingerprint\": \"0123456789abcdef\"}"))
                    .build());
            assertEquals(500, visitor.statusCode(), visitor.body());
            assertEquals(Boolean.FALSE, Http.json(visitor).get("success"), visitor.body());
            assertEquals("server_error", ((Map<?, ?>) Http.json(visitor).get("error")).get("code"));

            HttpResponse<String> noDocument = Http.sendAlone(
                    HttpRequest.newBuilder(broken.uri("/api/v1/openapi.yaml")).build());
            assertEquals(404, noDocument.statusCode());
            assertEquals("not_found", Http.json(noDocument).get("error"));
        }
    }

    @Test
    void mintWhenContinuingSessionThenOwnerChecked() throws Exception {
        String sid =
                (String) Http.json(mint("embed-urls", TestKeys.ACME_KEY, SEED)).get("sessionId");
        HttpResponse<String> same = mint(
                "embed-urls",
                TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}");
        assertEquals(200, same.statusCode(), same.body());
        assertEquals(sid, Http.json(same).get("sessionId"));

        HttpResponse<String> otherUser = mint(
                "embed-urls",
                TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-456\", \"sessionId\": \"" + sid + "\"}");
        assertEquals(403, otherUser.statusCode());
        assertEquals("insufficient_scope", Http.json(otherUser).get("error"));

        HttpResponse<String> otherAgent = Http.postJson(
                mintUri("demo", "sales", "embed-urls"),
                TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}");
        assertEquals(403, otherAgent.statusCode());

        HttpResponse<String> unknown = mint(
                "embed-urls",
                TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"ses_doesNotExist\"}");
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found", Http.json(unknown).get("error"));
    }

    /** Every row of DESIGN §5 that flows A and B can produce. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "malformed JSON             | 400 | invalid_request    | acme   | support | application/json | {\"externalUserId\": ",
                "not an object              | 400 | invalid_request    | acme   | support | application/json | [1,2]",
                "missing externalUserId     | 400 | invalid_request    | acme   | support | application/json | {}",
                "externalUserId too long    | 400 | invalid_request    | acme   | support | application/json | LONG_USER",
                "control char in user       | 400 | invalid_request    | acme   | support | application/json | {\"externalUserId\": \"a\\r\\nb\"}",
                "displayName too long       | 400 | invalid_request    | acme   | support | application/json | LONG_NAME",
                "unknown mode               | 400 | invalid_request    | acme   | support | application/json | {\"externalUserId\": \"u\", \"mode\": \"root\"}",
                "duplicate key              | 400 | invalid_request    | acme   | support | application/json | {\"externalUserId\": \"u\", \"externalUserId\": \"v\"}",
                "no key                     | 401 | invalid_token      | none   | support | application/json | {\"externalUserId\": \"u\"}",
                "unknown key                | 401 | invalid_token      | bogus  | support | application/json | {\"externalUserId\": \"u\"}",
                "embed token as key         | 401 | invalid_token      | jwt    | support | application/json | {\"externalUserId\": \"u\"}",
                "key of another tenant      | 403 | insufficient_scope | globex | support | application/json | {\"externalUserId\": \"u\"}",
                "unknown agent              | 404 | not_found          | acme   | nobody  | application/json | {\"externalUserId\": \"u\"}",
                "body over 64 KiB           | 413 | invalid_request    | acme   | support | application/json | HUGE",
                "not JSON                   | 415 | invalid_request    | acme   | support | text/plain       | externalUserId=u",
            })
    void mintWhenBadRequestThenDesignedError(
            String name, int status, String code, String key, String agent, String contentType, String body)
            throws Exception {
        String credential = switch (key) {
            case "acme" -> TestKeys.ACME_KEY;
            case "globex" -> TestKeys.GLOBEX_KEY;
            case "bogus" -> "sk_thisKeyIsNotConfiguredAnywhere_0123456789";
            case "jwt" ->
                (String) Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED))
                        .get("token");
            default -> null;
        };
        switch (body) {
            case "LONG_USER" -> body = "{\"externalUserId\": \"" + "u".repeat(257) + "\"}";
            case "LONG_NAME" -> body = "{\"externalUserId\": \"u\", \"displayName\": \"" + "n".repeat(257) + "\"}";
            case "HUGE" -> body = "{\"externalUserId\": \"u\", \"pad\": \"" + "x".repeat(70_000) + "\"}";
            default -> {}
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(mintUri("demo", agent, "embed-urls"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        HttpResponse<String> response = Http.send(request.build());
        assertEquals(status, response.statusCode(), response.body());
        Map<String, Object> error = Http.json(response);
        assertEquals(code, error.get("error"));
        assertTrue(error.get("error_description") instanceof String description && !description.isBlank());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        if (credential != null) {
            assertFalse(response.body().contains(credential), "errors never echo the credential");
        }
        if (status == 401) {
            assertTrue(response.headers()
                    .firstValue("WWW-Authenticate")
                    .orElseThrow()
                    .startsWith("Bearer realm=\"embed\""));
        }
    }

    @Test
    void mintWhenBrowserPreflightThenNoCorsAllowance() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(mintUri("demo", "support", "embed-urls"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .build());
        assertTrue(response.statusCode() >= 400, "preflight must not succeed: " + response.statusCode());
        assertTrue(
                response.headers().map().keySet().stream()
                        .noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("access-control-allow")),
                response.headers().map().toString());
    }

    @Test
    void embedEndpointWhenPreflightThenAuthorizationHeaderAllowedWithoutCredentials() throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(sessionUri("ses_x"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://shop.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .build());
        assertEquals(204, response.statusCode());
        assertEquals(
                "*",
                response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(response.headers()
                .firstValue("Access-Control-Allow-Headers")
                .orElseThrow()
                .contains("Authorization"));
        assertTrue(response.headers()
                .firstValue("Access-Control-Allow-Credentials")
                .isEmpty());
    }

    @Test
    void jwksWhenOnlyHs256ThenEmptyKeySet() throws Exception {
        HttpResponse<String> response = Http.get(server.uri("/.well-known/jwks.json"), null);
        assertEquals(200, response.statusCode());
        assertEquals("{\"keys\":[]}", response.body());
    }

    @Test
    void mintWhenTwoMintsThenDistinctSessionsAndTokenIds() throws Exception {
        Map<String, Object> a = Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED));
        Map<String, Object> b = Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED));
        assertNotEquals(a.get("sessionId"), b.get("sessionId"));
        assertNotEquals(
                payload((String) a.get("token")).get("jti"),
                payload((String) b.get("token")).get("jti"));
        assertNull(payload((String) a.get("token")).get("fp"));
    }

    // ---- Chat endpoints (DESIGN §4) ----

    /** Mints a native token (flow B) for this user: {token, sessionId, sessionUrl, messagesUrl}. */
    Map<String, String> nativeSession(String externalUserId) throws Exception {
        HttpResponse<String> response =
                mint("embed-sessions", TestKeys.ACME_KEY, "{\"externalUserId\": \"" + externalUserId + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> body = Http.json(response);
        @SuppressWarnings("unchecked")
        Map<String, Object> api = (Map<String, Object>) body.get("embedApi");
        return Map.of(
                "token",
                (String) body.get("token"),
                "sessionId",
                (String) body.get("sessionId"),
                "sessionUrl",
                (String) api.get("sessionUrl"),
                "messagesUrl",
                (String) api.get("messagesUrl"));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(HttpResponse<String> response) {
        return (List<Map<String, Object>>) Http.json(response).get("messages");
    }

    /** Polls the session until it holds {@code count} messages (or 20 s pass). */
    static List<Map<String, Object>> awaitMessages(Map<String, String> session, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Map<String, Object>> all = List.of();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response =
                    Http.get(URI.create(session.get("sessionUrl") + "?wait=2"), session.get("token"));
            assertEquals(200, response.statusCode(), response.body());
            all = messages(response);
            if (all.size() >= count) {
                return all;
            }
        }
        throw new AssertionError("expected " + count + " messages, have " + all);
    }

    @Test
    void chatWhenSeedFlowThenAgentReplyArrives() throws Exception {
        Map<String, String> session = nativeSession("wechat-openid-oABC123");
        HttpResponse<String> sent = Http.postJson(
                URI.create(session.get("messagesUrl")),
                session.get("token"),
                "{\"message\": \"How do I reset my device?\", \"mode\": \"chat\"}");
        assertEquals(202, sent.statusCode(), sent.body());
        String messageId = (String) Http.json(sent).get("messageId");
        assertTrue(messageId != null && !messageId.isEmpty());
        assertEquals("DENY", sent.headers().firstValue("X-Frame-Options").orElseThrow());

        List<Map<String, Object>> all = awaitMessages(session, 2);
        assertEquals("user", all.get(0).get("role"));
        assertEquals(messageId, all.get(0).get("id"));
        assertEquals("How do I reset my device?", all.get(0).get("content"));
        assertEquals("assistant", all.get(1).get("role"));
        assertEquals("You said: How do I reset my device?", all.get(1).get("content"));
        for (Map<String, Object> message : all) {
            Instant.parse((String) message.get("createdAt"));
        }
        HttpResponse<String> whole = Http.get(URI.create(session.get("sessionUrl")), session.get("token"));
        assertEquals(session.get("sessionId"), Http.json(whole).get("sessionId"));
        assertTrue(Http.json(whole).get("status") instanceof String);
    }

    /**
     * Issue 13 finding 3: a large page of history is written to the connection as it is produced
     * (no {@code Content-Length}: the body was never held whole to measure it), and is whole.
     */
    @Test
    void sessionWhenLargePageThenStreamedWithoutContentLengthAndComplete() throws Exception {
        Map<String, String> session = nativeSession("user-large-page");
        EmbedSession stored =
                server.embed().store().sessions().find(session.get("sessionId")).orElseThrow();
        for (int i = 0; i < 30; i++) {
            server.embed()
                    .store()
                    .messages()
                    .appendUserMessage(stored, i + " " + "\u00e9".repeat(7990), null, Instant.now());
        }

        HttpResponse<String> page =
                Http.get(URI.create(session.get("sessionUrl") + "?limit=500"), session.get("token"));

        assertEquals(200, page.statusCode(), page.body());
        assertTrue(
                page.headers().firstValue("Content-Length").isEmpty(),
                "a 480 KB page announced its length: it was built whole before it was sent");
        List<Map<String, Object>> messages = messages(page);
        assertTrue(messages.size() >= 30, "messages: " + messages.size());
        assertEquals("0 " + "\u00e9".repeat(7990), messages.get(0).get("content"));
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    }

    @Test
    void chatWhenTokenOfAnotherSessionThenForbiddenBothWays() throws Exception {
        Map<String, String> a = nativeSession("user-a");
        Map<String, String> b = nativeSession("user-b");
        HttpResponse<String> post =
                Http.postJson(URI.create(b.get("messagesUrl")), a.get("token"), "{\"message\": \"hi\"}");
        assertEquals(403, post.statusCode());
        assertEquals("insufficient_scope", Http.json(post).get("error"));
        assertEquals(
                403, Http.get(URI.create(b.get("sessionUrl")), a.get("token")).statusCode());
        // Nothing reached session b.
        assertEquals(List.of(), messages(Http.get(URI.create(b.get("sessionUrl")), b.get("token"))));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{\"message\": \"\"}",
                "{}",
                "{\"message\": 42}",
                "{\"message\": \"hi\", \"mode\": \"sudo\"}",
                "{\"message\": \"LONG\"}",
                "not json"
            })
    void chatWhenBadMessageThenBadRequestAndNothingStored(String body) throws Exception {
        Map<String, String> session = nativeSession("user-bad");
        String json = body.replace("LONG", "x".repeat(8001));
        HttpResponse<String> response =
                Http.postJson(URI.create(session.get("messagesUrl")), session.get("token"), json);
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("invalid_request", Http.json(response).get("error"));
        assertEquals(List.of(), messages(Http.get(URI.create(session.get("sessionUrl")), session.get("token"))));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"wait=31", "wait=-1", "wait=abc", "after=nope"})
    void chatWhenBadQueryThenBadRequest(String query) throws Exception {
        Map<String, String> session = nativeSession("user-query");
        HttpResponse<String> response =
                Http.get(URI.create(session.get("sessionUrl") + "?" + query), session.get("token"));
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("invalid_request", Http.json(response).get("error"));
    }

    @Test
    void longPollWhenReplyArrivesThenReturnsEarly() throws Exception {
        Map<String, String> session = nativeSession("user-poll");
        HttpResponse<String> sent =
                Http.postJson(URI.create(session.get("messagesUrl")), session.get("token"), "{\"message\": \"ping\"}");
        String userId = (String) Http.json(sent).get("messageId");
        long start = System.nanoTime();
        HttpResponse<String> polled =
                Http.get(URI.create(session.get("sessionUrl") + "?after=" + userId + "&wait=25"), session.get("token"));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(200, polled.statusCode(), polled.body());
        List<Map<String, Object>> newer = messages(polled);
        assertEquals(1, newer.size(), newer.toString());
        assertEquals("You said: ping", newer.get(0).get("content"));
        assertTrue(
                elapsedMillis < 10_000,
                "the long-poll must return when the reply arrives, took " + elapsedMillis + " ms");

        // With nothing newer, it answers an empty list when the wait is over.
        String replyId = (String) newer.get(0).get("id");
        HttpResponse<String> empty =
                Http.get(URI.create(session.get("sessionUrl") + "?after=" + replyId + "&wait=1"), session.get("token"));
        assertEquals(200, empty.statusCode());
        assertEquals(List.of(), messages(empty));
    }

    @Test
    void chatWhen50SessionsSend4ConcurrentMessagesThenAllKeptInOrderAndIsolated() throws Exception {
        int sessions = 50;
        int perSession = 4;
        List<Map<String, String>> all = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            all.add(nativeSession("load-user-" + i));
        }
        List<CompletableFuture<HttpResponse<String>>> sends = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            Map<String, String> session = all.get(i);
            for (int m = 0; m < perSession; m++) {
                String text = "session " + session.get("sessionId") + " message " + m;
                sends.add(Http.CLIENT.sendAsync(
                        HttpRequest.newBuilder(URI.create(session.get("messagesUrl")))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + session.get("token"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("message", text))))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
        }
        for (CompletableFuture<HttpResponse<String>> send : sends) {
            HttpResponse<String> response = send.get(60, TimeUnit.SECONDS);
            assertEquals(202, response.statusCode(), response.body());
        }
        for (Map<String, String> session : all) {
            List<Map<String, Object>> messages = awaitMessages(session, 2 * perSession);
            assertEquals(2 * perSession, messages.size(), messages.toString());
            // Order is the order of storage (MessageStore, issue 12): ids are unique and opaque, and a
            // reply's id is its message's id + "r", decided before it is written (so, with messages
            // sent while the agent still answers, not in string order).
            Map<String, String> userIdByText = new HashMap<>();
            Set<String> ids = new HashSet<>();
            List<String> answered = new ArrayList<>();
            for (Map<String, Object> message : messages) {
                String content = (String) message.get("content");
                assertTrue(
                        content.contains("session " + session.get("sessionId") + " "),
                        "a message of another session leaked in: " + content);
                String id = (String) message.get("id");
                assertTrue(ids.add(id), "duplicate id " + id);
                if ("user".equals(message.get("role"))) {
                    assertEquals(null, userIdByText.put(content, id), "duplicate " + content);
                } else {
                    String quoted = content.substring("You said: ".length());
                    assertTrue(userIdByText.containsKey(quoted), "a reply precedes its message: " + content);
                    assertEquals(userIdByText.get(quoted) + "r", id, "a reply's id is its message's + r");
                    answered.add(userIdByText.get(quoted));
                }
            }
            assertEquals(perSession, userIdByText.size());
            List<String> userIds = messages.stream()
                    .filter(m -> "user".equals(m.get("role")))
                    .map(m -> (String) m.get("id"))
                    .toList();
            assertEquals(userIds, answered, "replies come in the order of their messages");
            // Every id is a cursor that resumes right after its message.
            for (int i = 0; i < messages.size(); i++) {
                HttpResponse<String> rest = Http.get(
                        URI.create(session.get("sessionUrl") + "?after="
                                + messages.get(i).get("id")),
                        session.get("token"));
                assertEquals(200, rest.statusCode(), rest.body());
                assertEquals(messages.subList(i + 1, messages.size()), messages(rest));
            }
        }
    }

    @Test
    void longPollWhen2000WaitThenHeldWithoutAThreadEach() throws Exception {
        // 250 sessions of 8 polls each: a session may hold 8 streams and long polls at once.
        int perSession = 8;
        int polls = 2000;
        List<Map<String, String>> sessions = new ArrayList<>();
        for (int i = 0; i < polls / perSession; i++) {
            sessions.add(nativeSession("user-many-polls-" + i));
        }
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .executor(java.util.concurrent.Executors.newFixedThreadPool(4))
                .build();
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < polls; i++) {
            Map<String, String> session = sessions.get(i / perSession);
            HttpRequest poll = HttpRequest.newBuilder(URI.create(session.get("sessionUrl") + "?wait=30"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + session.get("token"))
                    .build();
            waiting.add(client.sendAsync(poll, HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        while (server.embed().waitingRequests() < polls && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (server.embed().waitingRequests() < polls) {
            Map<String, Long> outcomes = new java.util.TreeMap<>();
            for (CompletableFuture<HttpResponse<String>> w : waiting) {
                String key;
                if (!w.isDone()) {
                    key = "pending";
                } else if (w.isCompletedExceptionally()) {
                    key = w.handle((r, e) -> String.valueOf(e)).join();
                } else {
                    key = "answered " + w.join().statusCode();
                }
                outcomes.merge(key, 1L, Long::sum);
            }
            throw new AssertionError("only " + server.embed().waitingRequests() + " of " + polls
                    + " long-polls are waiting; client side: " + outcomes);
        }
        int threads = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
        assertTrue(
                threads < 500, "2000 waiting long-polls must not hold a thread each; JVM has " + threads + " threads");
        assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone), "none answered before a message arrived");

        for (Map<String, String> session : sessions) {
            HttpResponse<String> sent = Http.postJson(
                    URI.create(session.get("messagesUrl")), session.get("token"), "{\"message\": \"wake up\"}");
            assertEquals(202, sent.statusCode());
        }
        for (CompletableFuture<HttpResponse<String>> response : waiting) {
            HttpResponse<String> answered = response.get(30, TimeUnit.SECONDS);
            assertEquals(200, answered.statusCode(), answered.body());
            assertEquals("wake up", messages(answered).get(0).get("content"));
        }
    }
}
