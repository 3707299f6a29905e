package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import dev.embed.token.EmbedClaims;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.keys.EllipticCurves;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Flow C on the injected clock: signing (HS256 even beside ES256), the fp claim, the rate limit, agents. */
class VisitorTokenServiceTest {
    private static final String FINGERPRINT = "0123456789abcdef";

    private final MutableClock clock = MutableClock.start();
    private Embed embed;

    private Embed embed(Map<String, String> extra) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("embed.signing.secret", TestKeys.SECRET);
        config.put("embed.apiKey.acme", TestKeys.acmeLine());
        config.put("embed.agents", "demo/support,demo/sales");
        config.putAll(extra);
        config.values().removeIf(v -> v == null);
        embed = Embed.builder(EmbedConfig.of(config)).clock(clock).build();
        return embed;
    }

    @AfterEach
    void close() {
        if (embed != null) {
            embed.close();
        }
    }

    /** {@code POST /v1/embed-tokens/request} through the endpoint table, with acme's key. */
    private static FakeExchange request(Embed embed, String body) {
        return FakeExchange.request("POST", "/v1/embed-tokens/request")
                .header(Credentials.API_SECRET_HEADER, TestKeys.ACME_KEY)
                .json(body)
                .sendTo(embed.core());
    }

    @SuppressWarnings("unchecked")
    private static String token(FakeExchange reply) {
        assertEquals(200, reply.status(), reply.text());
        return (String) ((Map<String, Object>) Json.parseObject(reply.text()).get("data")).get("token");
    }

    private static Map<String, Object> header(String jwt) {
        return Json.parseObject(
                new String(Base64.getUrlDecoder().decode(jwt.split("\\.", -1)[0]), StandardCharsets.UTF_8));
    }

    private static String es256Jwks() throws Exception {
        EllipticCurveJsonWebKey jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        jwk.setKeyId("ec-1");
        return "{\"keys\": [" + jwk.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE) + "]}";
    }

    @Test
    void mintWhenSignedWithTheInjectedClockThenLivesExactlyOneHour() {
        Embed embed = embed(Map.of());

        EmbedClaims claims = embed.core()
                .tokens()
                .verify(token(request(embed, "{\"agent_id\": \"support\", \"fingerprint\": \"" + FINGERPRINT + "\"}")));

        assertEquals(clock.instant().getEpochSecond(), claims.issuedAt());
        assertEquals(claims.issuedAt() + 3600, claims.expiresAt());
        assertEquals("demo", claims.spaceId());
        assertEquals("support", claims.agentId());
        assertEquals("v_" + claims.fingerprintHash(), claims.subject());
        assertEquals(
                claims.expiresAtInstant(),
                embed.store().sessions().find(claims.sessionId()).orElseThrow().expiresAt());
    }

    @Test
    void mintWhenEs256ConfiguredWithASecretThenVisitorTokensAreStillHs256AndVerify() throws Exception {
        Embed embed = embed(Map.of("embed.signing.algorithm", "ES256", "embed.signing.jwks", es256Jwks()));

        String visitor = token(request(embed, "{\"agent_id\": \"support\", \"fingerprint\": \"" + FINGERPRINT + "\"}"));
        String native_ = (String) embed.core()
                .mint()
                .mintEmbedSession(
                        embed.core().credentialReader().apiKey(TestKeys.ACME_KEY),
                        "demo",
                        "support",
                        Map.of("externalUserId", "u"),
                        "https://app.example")
                .get("token");

        assertEquals("HS256", header(visitor).get("alg"));
        assertEquals("ES256", header(native_).get("alg"), "other flows keep the configured algorithm");
        assertEquals("visitor", embed.core().tokens().verify(visitor).kind().claim());
        assertTrue(embed.core().visitorTokens().available());
    }

    @Test
    @SuppressWarnings("unchecked")
    void requestWhenEs256WithoutASecretThenServerErrorEnvelopeAndNothingCreated() throws Exception {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("embed.signing.algorithm", "ES256");
        extra.put("embed.signing.jwks", es256Jwks());
        extra.put("embed.signing.secret", null);
        Embed embed = embed(extra);

        FakeExchange reply = request(embed, "{\"agent_id\": \"support\", \"fingerprint\": \"" + FINGERPRINT + "\"}");

        assertFalse(embed.core().visitorTokens().available());
        assertEquals(500, reply.status());
        Map<String, Object> envelope = Json.parseObject(reply.text());
        assertEquals(false, envelope.get("success"));
        assertEquals("server_error", ((Map<String, Object>) envelope.get("error")).get("code"));
        assertEquals(0, ((MemoryStore) embed.store()).sessionCount());
    }

    @Test
    void mintWhenBurstSpentThenRateLimitedUntilTheClockRefillsAPermit() {
        Embed embed = embed(Map.of());
        String body = "{\"agent_id\": \"support\", \"fingerprint\": \"" + FINGERPRINT + "\"}";
        for (int i = 0; i < 5; i++) {
            assertEquals(200, request(embed, body).status(), "mint " + i);
        }

        FakeExchange limited = request(embed, body);

        assertEquals(429, limited.status());
        assertEquals("6", limited.responseHeader("Retry-After"));
        clock.advance(Duration.ofSeconds(5));
        assertEquals(429, request(embed, body).status());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, request(embed, body).status());
        assertEquals(429, request(embed, body).status());
    }

    @Test
    void mintWhenRateLimitConfiguredThenItApplies() {
        Embed embed = embed(Map.of("embed.visitor.rateLimit.burst", "1", "embed.visitor.rateLimit.perMinute", "60"));
        String body = "{\"agent_id\": \"support\", \"fingerprint\": \"" + FINGERPRINT + "\"}";

        assertEquals(200, request(embed, body).status());
        FakeExchange limited = request(embed, body);

        assertEquals(429, limited.status());
        assertEquals("1", limited.responseHeader("Retry-After"));
    }

    @Test
    void fingerprintHashWhenSameDeviceThenStablePerTenantAndKeyedNeverRaw() {
        byte[] secret = Base64.getDecoder().decode(TestKeys.SECRET);
        FingerprintHasher hasher = FingerprintHasher.derivedFrom(secret);

        String fp = hasher.hash("acme", "ABCDEF0123456789");

        assertEquals(fp, hasher.hash("acme", "abcdef0123456789"), "hex case does not make another device");
        assertEquals(
                fp, FingerprintHasher.derivedFrom(secret).hash("acme", "abcdef0123456789"), "stable across restarts");
        assertNotEquals(fp, hasher.hash("globex", "abcdef0123456789"), "tenants cannot correlate visitors");
        assertNotEquals(
                fp,
                FingerprintHasher.derivedFrom(Base64.getDecoder().decode(TestKeys.OTHER_SECRET))
                        .hash("acme", "abcdef0123456789"),
                "keyed");
        assertFalse(fp.toLowerCase(Locale.ROOT).contains("abcdef0123456789"));
        assertEquals(43, fp.length());
    }

    @Test
    void mintWhenAgentIdNamesAgentsOfSeveralSpacesThenBadRequestUnlessQualified() {
        Embed embed = embed(Map.of("embed.agents", ""));
        VisitorTokenService visitors = embed.core().visitorTokens();
        ApiKey twoSpaces = new ApiKey("k", "t", Set.of("a/*", "b/bot"), Set.of(), List.of());
        ApiKey anything = new ApiKey("k2", "t", Set.of("*"), Set.of(), List.of());
        Map<String, Object> bot = Map.of("agent_id", "bot", "fingerprint", FINGERPRINT);

        EmbedException ambiguous = assertThrows(EmbedException.class, () -> visitors.mint(twoSpaces, bot));
        assertEquals(400, ambiguous.error().status());
        assertTrue(ambiguous.error().description().contains("space/agent"));

        assertEquals(
                "a",
                claims(visitors.mint(twoSpaces, Map.of("agent_id", "a/bot", "fingerprint", FINGERPRINT)))
                        .spaceId());
        assertEquals(
                "a",
                claims(visitors.mint(twoSpaces, Map.of("agent_id", "helper", "fingerprint", FINGERPRINT)))
                        .spaceId());
        assertNull(
                claims(visitors.mint(anything, bot)).spaceId(), "a key for any agent, and no embed.agents: no space");
        assertEquals(
                403,
                assertThrows(
                                EmbedException.class,
                                () -> visitors.mint(twoSpaces, Map.of("agent_id", "c/bot", "fingerprint", FINGERPRINT)))
                        .error()
                        .status());
    }

    private EmbedClaims claims(Map<String, Object> data) {
        return embed.core().tokens().verify((String) data.get("token"));
    }
}
