package dev.embed.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.json.Json;
import dev.embed.testing.Http;
import dev.embed.testing.JettyServer;
import dev.embed.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flows A and B over HTTP against a real Jetty 12 running the README's {@code web.xml} fragment,
 * under a context path other than {@code /}.
 */
class WebXmlFlowsIT {
    static final String SEED = "{\"externalUserId\": \"customer-123\", \"displayName\": \"Kelly\", \"ttlSeconds\": 3600,"
            + " \"mode\": \"chat\"}";

    static JettyServer server;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("embed.signing.secret", TestKeys.SECRET);
        params.put("embed.apiKey.acme", TestKeys.acmeLine());
        params.put("embed.apiKey.globex", TestKeys.globexLine());
        params.put("embed.agents", "demo/support,demo/sales,other/bot");
        String echo = "<servlet><servlet-name>echo</servlet-name><servlet-class>" + ClaimsEchoServlet.class.getName()
                + "</servlet-class></servlet><servlet-mapping><servlet-name>echo</servlet-name>"
                + "<url-pattern>/api/v1/embed/chat-sessions/*</url-pattern></servlet-mapping>";
        server = JettyServer.start(JettyServer.webXml(params, echo), "/shop");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static URI mintUri(String space, String agent, String collection) {
        return server.uri("/api/v1/spaces/" + space + "/agents/" + agent + "/" + collection);
    }

    static HttpResponse<String> mint(String collection, String key, String body) throws Exception {
        return Http.postJson(mintUri("demo", "support", collection), key, body);
    }

    static URI sessionUri(String sid) {
        return server.uri("/api/v1/embed/chat-sessions/" + sid);
    }

    static String tokenFromEmbedUrl(String embedUrl) {
        return embedUrl.substring(embedUrl.indexOf("#token=") + "#token=".length());
    }

    static Map<String, Object> payload(String jwt) {
        String part = jwt.split("\\.")[1];
        return Json.parseObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
    }

    @Test
    void mintEmbedUrlWhenSeedRequestThenUrlWithTokenInFragment() throws Exception {
        HttpResponse<String> response = mint("embed-urls", TestKeys.ACME_KEY, SEED);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json;charset=utf-8",
                response.headers().firstValue("Content-Type").orElseThrow().toLowerCase().replace(" ", ""));
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
        assertEquals("customer-123", Http.json(own).get("principal"));
        assertEquals("DENY", own.headers().firstValue("X-Frame-Options").orElseThrow());
    }

    @Test
    void mintEmbedSessionWhenValidThenTokenAndEmbedApiUrlsWithContextPath() throws Exception {
        HttpResponse<String> response = mint("embed-sessions", TestKeys.ACME_KEY,
                "{\"externalUserId\": \"wechat-openid-oABC123\"}");
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> body = Http.json(response);
        String sid = (String) body.get("sessionId");
        @SuppressWarnings("unchecked")
        Map<String, Object> api = (Map<String, Object>) body.get("embedApi");
        assertEquals(server.base() + "/api/v1/embed/chat-sessions/" + sid, api.get("sessionUrl"));
        assertEquals(server.base() + "/api/v1/embed/chat-sessions/" + sid + "/messages", api.get("messagesUrl"));
        String token = (String) body.get("token");
        assertEquals("session", payload(token).get("kty"));
        assertEquals(Instant.ofEpochSecond((Long) payload(token).get("exp")), Instant.parse((String) body.get("expiresAt")));
        assertEquals(200, Http.get(URI.create((String) api.get("sessionUrl")), token).statusCode());
    }

    @ParameterizedTest(name = "ttlSeconds {0} -> {1}")
    @CsvSource({"59, 400", "60, 200", "86400, 200", "86401, 400", "0, 400", "-1, 400", "3600.5, 400", "'\"3600\"', 400"})
    void mintWhenTtlAtOrBeyondBoundsThenStatus(String ttl, int status) throws Exception {
        HttpResponse<String> response = mint("embed-urls", TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"ttlSeconds\": " + ttl + "}");
        assertEquals(status, response.statusCode(), response.body());
        if (status == 200) {
            Map<String, Object> claims = payload(tokenFromEmbedUrl((String) Http.json(response).get("embedUrl")));
            assertEquals(Long.parseLong(ttl), (Long) claims.get("exp") - (Long) claims.get("iat"));
        } else {
            assertEquals("invalid_request", Http.json(response).get("error"));
            assertTrue(((String) Http.json(response).get("error_description")).contains("ttlSeconds"));
        }
    }

    @Test
    void embedEndpointWhenTokenOfAnotherSessionThenForbidden() throws Exception {
        String tokenA = tokenFromEmbedUrl((String) Http.json(mint("embed-urls", TestKeys.ACME_KEY, SEED)).get("embedUrl"));
        String sidB = (String) Http.json(mint("embed-urls", TestKeys.ACME_KEY, SEED)).get("sessionId");
        HttpResponse<String> response = Http.get(sessionUri(sidB), tokenA);
        assertEquals(403, response.statusCode());
        assertEquals("insufficient_scope", Http.json(response).get("error"));
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElseThrow().contains("error=\"insufficient_scope\""));
    }

    /** Tokens crafted outside the service: expired, alg none, tampered, signed with another key. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"expired", "alg-none", "tampered-payload", "tampered-signature", "wrong-key", "garbage"})
    void embedEndpointWhenBadTokenThenUnauthorizedWithChallenge(String kind) throws Exception {
        Map<String, Object> minted = Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED));
        String sid = (String) minted.get("sessionId");
        String good = (String) minted.get("token");
        String kid = (String) Json.parseObject(new String(Base64.getUrlDecoder().decode(good.split("\\.")[0]),
                StandardCharsets.UTF_8)).get("kid");
        long now = Instant.now().getEpochSecond();
        String token;
        switch (kind) {
            case "expired":
                token = sign(claims(sid, now - 7200, now - 3600), TestKeys.SECRET, kid, AlgorithmIdentifiers.HMAC_SHA256);
                break;
            case "alg-none":
                token = sign(claims(sid, now, now + 600), null, kid, AlgorithmIdentifiers.NONE);
                break;
            case "tampered-payload": {
                String[] parts = good.split("\\.");
                Map<String, Object> p = new LinkedHashMap<>(payload(good));
                p.put("sub", "someone-else");
                token = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(Json.write(p).getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
                break;
            }
            case "tampered-signature": {
                char last = good.charAt(good.length() - 2);
                token = good.substring(0, good.length() - 2) + (last == 'A' ? 'B' : 'A') + good.charAt(good.length() - 1);
                break;
            }
            case "wrong-key":
                token = sign(claims(sid, now, now + 600), TestKeys.OTHER_SECRET, kid, AlgorithmIdentifiers.HMAC_SHA256);
                break;
            default:
                token = "not-a-jwt";
        }
        HttpResponse<String> response = Http.get(sessionUri(sid), token);
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("invalid_token", Http.json(response).get("error"));
        String challenge = response.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertTrue(challenge.startsWith("Bearer realm=\"embed\", error=\"invalid_token\", error_description=\""), challenge);
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
        assertEquals("Bearer realm=\"embed\"", response.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals("invalid_token", Http.json(response).get("error"));
    }

    @Test
    void embedEndpointWhenTokenInQueryStringThenBadRequest() throws Exception {
        String token = (String) Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED)).get("token");
        HttpResponse<String> response = Http.get(URI.create(sessionUri("ses_x") + "?access_token=" + token), null);
        assertEquals(400, response.statusCode());
        assertFalse(response.body().contains(token));
    }

    @Test
    void deleteSessionWhenEndedThenEveryTokenOfItIsUnauthorized() throws Exception {
        Map<String, Object> first = Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED));
        String sid = (String) first.get("sessionId");
        String firstToken = (String) first.get("token");
        String secondToken = (String) Http.json(mint("embed-sessions", TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}")).get("token");
        assertEquals(200, Http.get(sessionUri(sid), secondToken).statusCode());

        // Another tenant's key may not end it.
        assertEquals(403, Http.delete(server.uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + sid),
                TestKeys.GLOBEX_KEY).statusCode());

        HttpResponse<String> deleted = Http.delete(server.uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + sid),
                TestKeys.ACME_KEY);
        assertEquals(204, deleted.statusCode(), deleted.body());
        for (String token : new String[] {firstToken, secondToken}) {
            HttpResponse<String> response = Http.get(sessionUri(sid), token);
            assertEquals(401, response.statusCode());
            assertTrue(Http.json(response).get("error_description").toString().contains("revoked"));
        }
        // The session can no longer be continued, nor deleted again.
        assertEquals(404, mint("embed-sessions", TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}").statusCode());
        assertEquals(404, Http.delete(server.uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + sid),
                TestKeys.ACME_KEY).statusCode());
    }

    @Test
    void mintWhenContinuingSessionThenOwnerChecked() throws Exception {
        String sid = (String) Http.json(mint("embed-urls", TestKeys.ACME_KEY, SEED)).get("sessionId");
        HttpResponse<String> same = mint("embed-urls", TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}");
        assertEquals(200, same.statusCode(), same.body());
        assertEquals(sid, Http.json(same).get("sessionId"));

        HttpResponse<String> otherUser = mint("embed-urls", TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-456\", \"sessionId\": \"" + sid + "\"}");
        assertEquals(403, otherUser.statusCode());
        assertEquals("insufficient_scope", Http.json(otherUser).get("error"));

        HttpResponse<String> otherAgent = Http.postJson(mintUri("demo", "sales", "embed-urls"), TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + sid + "\"}");
        assertEquals(403, otherAgent.statusCode());

        HttpResponse<String> unknown = mint("embed-urls", TestKeys.ACME_KEY,
                "{\"externalUserId\": \"customer-123\", \"sessionId\": \"ses_doesNotExist\"}");
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found", Http.json(unknown).get("error"));
    }

    /** Every row of DESIGN §5 that flows A and B can produce. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
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
    void mintWhenBadRequestThenDesignedError(String name, int status, String code, String key, String agent,
            String contentType, String body) throws Exception {
        String credential;
        switch (key) {
            case "acme": credential = TestKeys.ACME_KEY; break;
            case "globex": credential = TestKeys.GLOBEX_KEY; break;
            case "bogus": credential = "sk_thisKeyIsNotConfiguredAnywhere_0123456789"; break;
            case "jwt": credential = (String) Http.json(mint("embed-sessions", TestKeys.ACME_KEY, SEED)).get("token"); break;
            default: credential = null;
        }
        switch (body) {
            case "LONG_USER": body = "{\"externalUserId\": \"" + "u".repeat(257) + "\"}"; break;
            case "LONG_NAME": body = "{\"externalUserId\": \"u\", \"displayName\": \"" + "n".repeat(257) + "\"}"; break;
            case "HUGE": body = "{\"externalUserId\": \"u\", \"pad\": \"" + "x".repeat(70_000) + "\"}"; break;
            default: break;
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
        assertTrue(error.get("error_description") instanceof String && !((String) error.get("error_description")).isBlank());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        if (credential != null) {
            assertFalse(response.body().contains(credential), "errors never echo the credential");
        }
        if (status == 401) {
            assertTrue(response.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer realm=\"embed\""));
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
        assertTrue(response.headers().map().keySet().stream().noneMatch(h -> h.toLowerCase().startsWith("access-control-allow")),
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
        assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(response.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().contains("Authorization"));
        assertTrue(response.headers().firstValue("Access-Control-Allow-Credentials").isEmpty());
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
        assertNotEquals(payload((String) a.get("token")).get("jti"), payload((String) b.get("token")).get("jti"));
        assertNull(payload((String) a.get("token")).get("fp"));
    }
}
