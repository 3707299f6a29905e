package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.security.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jose4j.base64url.Base64Url;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.AesKey;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every verification rule of DESIGN §2, one parameterized matrix per rule. Each bad token breaks
 * exactly one rule of an otherwise valid token ({@link #verifyWhenTokenFollowsEveryRuleThenAccepted}
 * proves the baseline passes), so each case fails if its rule is removed.
 */
class TokenServiceTest {
    private static final String ISSUER = "embed";
    private static final String AUDIENCE = "embed";
    private static final long SKEW = 30;
    private static final byte[] SECRET = Base64.getDecoder().decode(TestKeys.SECRET);
    private static final byte[] OTHER_SECRET = Base64.getDecoder().decode(TestKeys.OTHER_SECRET);

    /** Text of jose4j's own messages, which must never reach a client. */
    private static final List<String> LIBRARY_TEXT = List.of(
            "jose4j",
            "JOSE",
            "JWT processing failed",
            "Exception",
            "InvalidJwt",
            "AlgorithmConstraints",
            "Additional details",
            "org.",
            "JsonWebSignature",
            "Unable to");

    private final MutableClock clock = MutableClock.start();
    private final MemoryRevocations credentials = new MemoryRevocations(clock, 1_000);
    private final KeyRing ring = KeyRing.hs256(SECRET, List.of());
    private final TokenService tokens = service(ring);

    // ---------------------------------------------------------------- positive cases

    @Test
    void verifyWhenTokenFollowsEveryRuleThenAccepted() {
        EmbedClaims claims = tokens.verify(hs256(validClaims()));

        assertEquals("user-1", claims.subject());
        assertEquals("sess-1", claims.sessionId());
        assertEquals("jti-1", claims.tokenId());
        assertEquals(TokenKind.EMBED_SESSION, claims.kind());
    }

    @Test
    void mintThenVerifyWhenAllClaimsSetThenRoundTripsWithKidHeader() throws JoseException {
        TokenSpec spec = new TokenSpec(
                TokenKind.IFRAME,
                "user-42",
                "sess-42",
                900,
                "demo",
                "support",
                "agent",
                "Ada Lovelace",
                List.of("docs", "faq"),
                "fp-hash-1");

        MintedToken minted = tokens.mint(spec);
        EmbedClaims verified = tokens.verify(minted.token());

        assertEquals(minted.claims(), verified);
        assertEquals("user-42", verified.subject());
        assertEquals("sess-42", verified.sessionId());
        assertEquals(TokenKind.IFRAME, verified.kind());
        assertEquals("demo", verified.spaceId());
        assertEquals("support", verified.agentId());
        assertEquals("agent", verified.mode());
        assertEquals("Ada Lovelace", verified.displayName());
        assertEquals(List.of("docs", "faq"), verified.sources());
        assertEquals("fp-hash-1", verified.fingerprintHash());
        long now = clock.instant().getEpochSecond();
        assertEquals(now, verified.issuedAt());
        assertEquals(now, verified.notBefore());
        assertEquals(now + 900, verified.expiresAt());
        assertNotNull(verified.tokenId());

        JsonWebStructure jws = JsonWebStructure.fromCompactSerialization(minted.token());
        assertEquals(ring.signingKid(), jws.getKeyIdHeaderValue());
        assertEquals(AlgorithmIdentifiers.HMAC_SHA256, jws.getAlgorithmHeaderValue());
        Map<String, Object> payload =
                JsonUtil.parseJson(Base64Url.decodeToUtf8String(minted.token().split("\\.", -1)[1]));
        for (String claim : List.of(
                "iss", "aud", "sub", "sid", "iat", "nbf", "exp", "jti", "kty", "spc", "agt", "mode", "name", "src",
                "fp")) {
            assertTrue(payload.containsKey(claim), () -> "minted token lacks " + claim + ": " + payload.keySet());
        }
        assertEquals(ISSUER, payload.get("iss"));
        assertEquals(AUDIENCE, payload.get("aud"));
        assertEquals("iframe", payload.get("kty"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ascii",
                "Zo\u00eb \u00c5ngstr\u00f6m \ud83d\ude42 \"quoted\" \\ back\\slash",
                "",
                "a",
                "ab",
                "abc",
                "abcd"
            })
    void signWhenHs256ThenTokenIsByteForByteWhatPlainJose4jMakes(String name) throws JoseException {
        Map<String, Object> claims = validClaims();
        claims.put("name", name);
        String json = JsonUtil.toJson(claims);
        JsonWebSignature plain = new JsonWebSignature();
        plain.setPayload(json);
        plain.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        plain.setKeyIdHeaderValue(ring.signingKid());
        plain.setHeader("typ", "JWT");
        plain.setKey(new HmacKey(SECRET));

        assertEquals(plain.getCompactSerialization(), tokens.sign(json));
        assertEquals(name, tokens.verify(tokens.sign(json)).displayName());
    }

    @Test
    void mintWhenCalledTwiceThenEachTokenHasItsOwnJti() {
        TokenSpec spec = spec(TokenKind.EMBED_URL, 600);

        assertNotEquals(
                tokens.mint(spec).claims().tokenId(), tokens.mint(spec).claims().tokenId());
    }

    @Test
    void mintedTokenToStringWhenPrintedThenHidesTheCredential() {
        MintedToken minted = tokens.mint(spec(TokenKind.EMBED_URL, 600));

        assertFalse(minted.toString().contains(minted.token()));
    }

    @Test
    void verifyWhenAudienceIsAListContainingOursThenAccepted() {
        Map<String, Object> claims = validClaims();
        claims.put("aud", List.of("someone-else", AUDIENCE));

        assertEquals("user-1", tokens.verify(hs256(claims)).subject());
    }

    @Test
    void verifyWhenNbfMissingThenFallsBackToIat() {
        Map<String, Object> claims = validClaims();
        claims.remove("nbf");

        EmbedClaims verified = tokens.verify(hs256(claims));

        assertEquals(verified.issuedAt(), verified.notBefore());
    }

    // ---------------------------------------------------------------- algorithm allow-list

    static Stream<Arguments> algorithmsNotConfigured() {
        return Stream.of(
                Arguments.of("alg none, no signature", (Function<TokenServiceTest, String>)
                        t -> t.unsecured(t.validClaims())),
                Arguments.of("alg none, HS256 signature kept", (Function<TokenServiceTest, String>) t -> {
                    String good = t.hs256(t.validClaims());
                    String none = t.unsecured(t.validClaims());
                    return none + good.substring(good.lastIndexOf('.') + 1);
                }),
                Arguments.of("HS384 with the right secret and kid", (Function<TokenServiceTest, String>) t -> t.sign(
                        t.validClaims(), AlgorithmIdentifiers.HMAC_SHA384, new HmacKey(SECRET), t.ring.signingKid())),
                Arguments.of("HS512 with the right secret and kid", (Function<TokenServiceTest, String>) t -> t.sign(
                        t.validClaims(), AlgorithmIdentifiers.HMAC_SHA512, new HmacKey(SECRET), t.ring.signingKid())),
                Arguments.of("RS256 when only HS256 is configured", (Function<TokenServiceTest, String>) t -> t.sign(
                        t.validClaims(),
                        AlgorithmIdentifiers.RSA_USING_SHA256,
                        Jwks.RSA.getPrivateKey(),
                        t.ring.signingKid())),
                Arguments.of("ES256 when only HS256 is configured", (Function<TokenServiceTest, String>) t -> t.sign(
                        t.validClaims(),
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                        Jwks.ATTACKER_EC.getPrivateKey(),
                        t.ring.signingKid())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithmsNotConfigured")
    void verifyWhenAlgorithmNotConfiguredThenInvalidToken(String rule, Function<TokenServiceTest, String> token) {
        assertInvalidToken(tokens, token.apply(this));
    }

    @ParameterizedTest
    @ValueSource(strings = {AlgorithmIdentifiers.HMAC_SHA384, AlgorithmIdentifiers.HMAC_SHA512})
    void verifyWhenLongSecretSignsWithAnotherHmacAlgorithmThenInvalidToken(String alg) {
        // 64 bytes: long enough for HS384 and HS512, so only the allow-list stands in the way.
        byte[] longSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        KeyRing longRing = KeyRing.hs256(longSecret, List.of());
        TokenService service = service(longRing);
        assertEquals(
                "user-1",
                service.verify(sign(
                                validClaims(),
                                AlgorithmIdentifiers.HMAC_SHA256,
                                new HmacKey(longSecret),
                                longRing.signingKid()))
                        .subject());

        assertInvalidToken(service, sign(validClaims(), alg, new HmacKey(longSecret), longRing.signingKid()));
    }

    @Test
    void algorithmsWhenRingBuiltThenExactlyTheAlgorithmsOfItsKeys() {
        assertEquals(
                java.util.Set.of(AlgorithmIdentifiers.HMAC_SHA256),
                KeyRing.hs256(SECRET, List.of(OTHER_SECRET)).algorithms());
        assertEquals(
                java.util.Set.of(
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.HMAC_SHA256),
                Jwks.mixedRing().algorithms());
        assertEquals(
                java.util.Set.of(
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.RSA_USING_SHA256),
                KeyRing.asymmetric(new JsonWebKeySet(Jwks.EC, Jwks.RSA), null, List.of())
                        .algorithms());
    }

    @Test
    void verifyWhenAlgorithmNoneOnAnyRingThenInvalidToken() {
        TokenService mixed = service(Jwks.mixedRing());

        assertInvalidToken(mixed, unsecured(validClaims(), Jwks.EC.getKeyId()));
        assertInvalidToken(mixed, unsecured(validClaims(), ring.signingKid()));
    }

    // ---------------------------------------------------------------- kid

    static Stream<Arguments> unknownKeyIds() {
        return Stream.of(
                Arguments.of("kid of no configured key", (Function<TokenServiceTest, String>) t -> t.sign(
                        t.validClaims(), AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(SECRET), "hs-unknownKid")),
                Arguments.of("kid missing", (Function<TokenServiceTest, String>)
                        t -> t.sign(t.validClaims(), AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(SECRET), null)),
                Arguments.of("kid empty", (Function<TokenServiceTest, String>)
                        t -> t.sign(t.validClaims(), AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(SECRET), "")),
                Arguments.of("kid of another secret, signed by it", (Function<TokenServiceTest, String>) t -> t.sign(
                        t.validClaims(),
                        AlgorithmIdentifiers.HMAC_SHA256,
                        new HmacKey(OTHER_SECRET),
                        KeyRing.hmacKid(OTHER_SECRET))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownKeyIds")
    void verifyWhenKeyIdNotKnownThenInvalidToken(String rule, Function<TokenServiceTest, String> token) {
        assertInvalidToken(tokens, token.apply(this));
    }

    static Stream<Arguments> keyUsedWithAnotherAlgorithm() {
        return Stream.of(
                Arguments.of("HS256 kid with header alg ES256 (mixed ring)", (Function<TokenServiceTest, String>)
                        t -> t.sign(
                                t.validClaims(),
                                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                                Jwks.ATTACKER_EC.getPrivateKey(),
                                KeyRing.hmacKid(SECRET))),
                Arguments.of("ES256 kid with header alg HS256, HMAC key = EC public key bytes (mixed ring)", (Function<
                                TokenServiceTest, String>)
                        t -> t.sign(
                                t.validClaims(),
                                AlgorithmIdentifiers.HMAC_SHA256,
                                new HmacKey(Jwks.EC.getPublicKey().getEncoded()),
                                Jwks.EC.getKeyId())),
                Arguments.of("ES256 kid with header alg HS256, HMAC key = EC public JWK JSON (mixed ring)", (Function<
                                TokenServiceTest, String>)
                        t -> t.sign(
                                t.validClaims(),
                                AlgorithmIdentifiers.HMAC_SHA256,
                                new HmacKey(Jwks.EC.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                                Jwks.EC.getKeyId())),
                Arguments.of(
                        "ES256 kid with header alg HS256 signed by the ring's HMAC secret (mixed ring)",
                        (Function<TokenServiceTest, String>) t -> t.sign(
                                t.validClaims(),
                                AlgorithmIdentifiers.HMAC_SHA256,
                                new HmacKey(SECRET),
                                Jwks.EC.getKeyId())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyUsedWithAnotherAlgorithm")
    void verifyWhenKidUsedWithAnotherAlgorithmThenInvalidToken(String rule, Function<TokenServiceTest, String> token) {
        assertInvalidToken(service(Jwks.mixedRing()), token.apply(this));
    }

    @Test
    void verifyWhenHs256TokenSignedWithEcPublicKeyAndOnlyEcConfiguredThenInvalidToken() {
        TokenService ecOnly = service(KeyRing.asymmetric(new JsonWebKeySet(Jwks.EC), Jwks.EC.getKeyId(), List.of()));
        String confused = sign(
                validClaims(),
                AlgorithmIdentifiers.HMAC_SHA256,
                new HmacKey(Jwks.EC.getPublicKey().getEncoded()),
                Jwks.EC.getKeyId());

        assertInvalidToken(ecOnly, confused);
    }

    @Test
    void verifyWhenMixedRingThenEachKeyVerifiesWithItsOwnAlgorithm() {
        TokenService mixed = service(Jwks.mixedRing());

        assertEquals(
                "user-1",
                mixed.verify(sign(
                                validClaims(),
                                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                                Jwks.EC.getPrivateKey(),
                                Jwks.EC.getKeyId()))
                        .subject());
        assertEquals(
                "user-1",
                mixed.verify(sign(
                                validClaims(),
                                AlgorithmIdentifiers.HMAC_SHA256,
                                new HmacKey(SECRET),
                                KeyRing.hmacKid(SECRET)))
                        .subject());
    }

    // ---------------------------------------------------------------- signature

    static Stream<Arguments> badSignatures() {
        return Stream.of(
                Arguments.of("tampered header", (Function<TokenServiceTest, String>) t -> {
                    String[] parts = t.hs256(t.validClaims()).split("\\.", -1);
                    String header =
                            "{\"alg\":\"HS256\",\"kid\":\"" + t.ring.signingKid() + "\",\"typ\":\"JWT\",\"x\":1}";
                    return Base64Url.encodeUtf8ByteRepresentation(header) + "." + parts[1] + "." + parts[2];
                }),
                Arguments.of("tampered payload (sub changed)", (Function<TokenServiceTest, String>) t -> {
                    String[] parts = t.hs256(t.validClaims()).split("\\.", -1);
                    Map<String, Object> claims = t.validClaims();
                    claims.put("sub", "admin");
                    return parts[0] + "." + Base64Url.encodeUtf8ByteRepresentation(JsonUtil.toJson(claims)) + "."
                            + parts[2];
                }),
                Arguments.of("tampered signature", (Function<TokenServiceTest, String>) t -> {
                    String token = t.hs256(t.validClaims());
                    int at = token.lastIndexOf('.') + 1;
                    char flipped = token.charAt(at) == 'A' ? 'B' : 'A';
                    return token.substring(0, at) + flipped + token.substring(at + 1);
                }),
                Arguments.of("signature removed", (Function<TokenServiceTest, String>) t -> {
                    String token = t.hs256(t.validClaims());
                    return token.substring(0, token.lastIndexOf('.') + 1);
                }),
                Arguments.of("signed by another secret under our kid", (Function<TokenServiceTest, String>) t -> t.sign(
                        t.validClaims(),
                        AlgorithmIdentifiers.HMAC_SHA256,
                        new HmacKey(OTHER_SECRET),
                        t.ring.signingKid())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSignatures")
    void verifyWhenSignatureBadThenInvalidToken(String rule, Function<TokenServiceTest, String> token) {
        assertInvalidToken(tokens, token.apply(this));
    }

    // ---------------------------------------------------------------- exp / nbf / iat and skew

    static Stream<Arguments> outsideValidity() {
        return Stream.of(
                Arguments.of("exp passed by exactly the skew", (Function<TokenServiceTest, String>) t -> {
                    MintedToken minted = t.tokens.mint(t.spec(TokenKind.EMBED_SESSION, 600));
                    t.clock.set(Instant.ofEpochSecond(minted.claims().expiresAt() + SKEW));
                    return minted.token();
                }),
                Arguments.of("exp passed by an hour", (Function<TokenServiceTest, String>) t -> {
                    MintedToken minted = t.tokens.mint(t.spec(TokenKind.EMBED_SESSION, 600));
                    t.clock.advance(Duration.ofMinutes(70));
                    return minted.token();
                }),
                Arguments.of("nbf ahead by skew + 1", (Function<TokenServiceTest, String>)
                        t -> t.hs256(t.validClaimsWith("nbf", t.now() + SKEW + 1))),
                Arguments.of("iat ahead by skew + 1", (Function<TokenServiceTest, String>)
                        t -> t.hs256(t.validClaimsWith("iat", t.now() + SKEW + 1))),
                Arguments.of("exp before iat", (Function<TokenServiceTest, String>)
                        t -> t.hs256(t.validClaimsWith("exp", t.now() - 1))),
                Arguments.of("exp equal to iat", (Function<TokenServiceTest, String>)
                        t -> t.hs256(t.validClaimsWith("exp", t.now()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outsideValidity")
    void verifyWhenClockOutsideValidityThenInvalidToken(String rule, Function<TokenServiceTest, String> token) {
        assertInvalidToken(tokens, token.apply(this));
    }

    @ParameterizedTest(name = "skew {0} s")
    @ValueSource(longs = {0, 30, 120, 300})
    void verifyWhenExpPassedWithinSkewThenAcceptedAndAtSkewRejected(long skew) {
        TokenService service = new TokenService(ring, ISSUER, AUDIENCE, skew, clock, credentials);
        MintedToken minted = service.mint(spec(TokenKind.EMBED_SESSION, 600));
        long exp = minted.claims().expiresAt();

        clock.set(Instant.ofEpochSecond(exp + skew - 1));
        assertEquals(minted.claims(), service.verify(minted.token()));

        clock.set(Instant.ofEpochSecond(exp + skew));
        assertInvalidToken(service, minted.token());
    }

    @Test
    void verifyWhenNbfAheadWithinSkewThenAccepted() {
        assertEquals(
                now() + SKEW,
                tokens.verify(hs256(validClaimsWith("nbf", now() + SKEW))).notBefore());
    }

    @Test
    void verifyWhenIatAheadWithinSkewThenAccepted() {
        assertEquals(
                now() + SKEW,
                tokens.verify(hs256(validClaimsWith("iat", now() + SKEW))).issuedAt());
    }

    @Test
    void verifyWhenNbfAheadBeyondSkewThenAcceptedOnceClockReachesIt() {
        String token = hs256(validClaimsWith("nbf", now() + 120));
        assertInvalidToken(tokens, token);

        clock.advance(Duration.ofSeconds(120 - SKEW));

        assertEquals("user-1", tokens.verify(token).subject());
    }

    @Test
    void verifyWhenSkewNotConfiguredThenDefaultThirtySecondsHonoured() {
        assertEquals("30", ConfigKey.CLOCK_SKEW_SECONDS.defaultValue());
        TokenService configured = Embed.builder(EmbedConfig.of(Map.of(ConfigKey.SIGNING_SECRET.key(), TestKeys.SECRET)))
                .clock(clock)
                .build()
                .core()
                .tokens();
        MintedToken minted = configured.mint(spec(TokenKind.EMBED_SESSION, 600));
        long exp = minted.claims().expiresAt();

        clock.set(Instant.ofEpochSecond(exp + 29));
        assertEquals(minted.claims(), configured.verify(minted.token()));
        clock.set(Instant.ofEpochSecond(exp + 30));
        assertInvalidToken(configured, minted.token());
    }

    // ---------------------------------------------------------------- lifetime

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void verifyWhenLifetimeLongerThanFlowMaximumThenInvalidToken(TokenKind kind) {
        Map<String, Object> claims = validClaims();
        claims.put("kty", kind.claim());
        claims.put("exp", now() + kind.maxLifetimeSeconds() + 1);

        assertInvalidToken(tokens, hs256(claims));
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void verifyWhenLifetimeEqualsFlowMaximumThenAccepted(TokenKind kind) {
        Map<String, Object> claims = validClaims();
        claims.put("kty", kind.claim());
        claims.put("exp", now() + kind.maxLifetimeSeconds());

        assertEquals(kind, tokens.verify(hs256(claims)).kind());
    }

    @Test
    void verifyWhenVisitorTokenClaimsADayThenInvalidTokenThoughADayIsFineForUrls() {
        Map<String, Object> claims = validClaims();
        claims.put("exp", now() + 86_400);
        claims.put("kty", TokenKind.EMBED_URL.claim());
        assertEquals(TokenKind.EMBED_URL, tokens.verify(hs256(claims)).kind());

        claims.put("kty", TokenKind.VISITOR.claim());
        assertInvalidToken(tokens, hs256(claims));
    }

    // ---------------------------------------------------------------- iss / aud

    static Stream<Arguments> wrongIssuerOrAudience() {
        return Stream.of(
                Arguments.of("wrong iss", "iss", "someone-else"),
                Arguments.of("iss missing", "iss", null),
                Arguments.of("iss not a string", "iss", 42L),
                Arguments.of("iss differs in case", "iss", "EMBED"),
                Arguments.of("wrong aud", "aud", "someone-else"),
                Arguments.of("aud missing", "aud", null),
                Arguments.of("aud list without ours", "aud", List.of("a", "b")),
                Arguments.of("aud empty list", "aud", List.of()),
                Arguments.of("aud not a string", "aud", 42L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongIssuerOrAudience")
    void verifyWhenIssuerOrAudienceWrongThenInvalidToken(String rule, String claim, Object value) {
        assertInvalidToken(tokens, hs256(validClaimsWith(claim, value)));
    }

    // ---------------------------------------------------------------- required claims

    static Stream<Arguments> missingOrInvalidRequiredClaims() {
        return Stream.of(
                Arguments.of("sub missing", "sub", null),
                Arguments.of("sub empty", "sub", ""),
                Arguments.of("sub not a string", "sub", 7L),
                Arguments.of("sub over 256 chars", "sub", "u".repeat(257)),
                Arguments.of("sid missing", "sid", null),
                Arguments.of("sid empty", "sid", ""),
                Arguments.of("jti missing", "jti", null),
                Arguments.of("jti empty", "jti", ""),
                Arguments.of("kty missing", "kty", null),
                Arguments.of("kty unknown", "kty", "admin"),
                Arguments.of("kty not a string", "kty", 1L),
                Arguments.of("exp missing", "exp", null),
                Arguments.of("iat missing", "iat", null),
                Arguments.of("src not a list", "src", "docs"),
                Arguments.of("src not a list of strings", "src", List.of(1L)),
                Arguments.of("spc not a string", "spc", 5L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingOrInvalidRequiredClaims")
    void verifyWhenRequiredClaimMissingOrInvalidThenInvalidToken(String rule, String claim, Object value) {
        assertInvalidToken(tokens, hs256(validClaimsWith(claim, value)));
    }

    // ---------------------------------------------------------------- NumericDate types

    static Stream<Arguments> numericDatesNotIntegers() {
        return Stream.of(
                Arguments.of("exp as string", "exp", "\"%d\""),
                Arguments.of("exp as float", "exp", "%d.5"),
                Arguments.of("exp as float with zero fraction", "exp", "%d.0"),
                Arguments.of("exp as 1e30", "exp", "1e30"),
                Arguments.of("exp as an integer beyond a long", "exp", "1000000000000000000000000000000"),
                Arguments.of("exp as boolean", "exp", "true"),
                Arguments.of("exp as null", "exp", "null"),
                Arguments.of("iat as string", "iat", "\"%d\""),
                Arguments.of("iat as float", "iat", "%d.5"),
                Arguments.of("nbf as string", "nbf", "\"%d\""),
                Arguments.of("nbf as 1e30", "nbf", "1e30"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericDatesNotIntegers")
    void verifyWhenNumericDateNotAnIntegerThenInvalidToken(String rule, String claim, String jsonTemplate) {
        Map<String, Object> claims = validClaims();
        long valid = ((Number) claims.remove(claim)).longValue();
        String json = JsonUtil.toJson(claims);
        String raw =
                json.substring(0, json.length() - 1) + ",\"" + claim + "\":" + String.format(jsonTemplate, valid) + "}";

        assertInvalidToken(
                tokens, signRaw(raw, AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(SECRET), ring.signingKid()));
    }

    @Test
    void verifyWhenHugeExpAndNegativeIatOverflowTheLifetimeThenInvalidToken() {
        Map<String, Object> claims = validClaims();
        claims.put("iat", Long.MIN_VALUE + 100);
        claims.put("exp", Long.MAX_VALUE);

        assertInvalidToken(tokens, hs256(claims));
    }

    @Test
    void verifyWhenExpIsLongMaxValueThenInvalidToken() {
        assertInvalidToken(tokens, hs256(validClaimsWith("exp", Long.MAX_VALUE)));
    }

    // ---------------------------------------------------------------- size and structure

    static Stream<Arguments> malformedTokens() {
        return Stream.of(
                Arguments.of("null", (Function<TokenServiceTest, String>) t -> null),
                Arguments.of("empty", (Function<TokenServiceTest, String>) t -> ""),
                Arguments.of("garbage", (Function<TokenServiceTest, String>) t -> "not a token"),
                Arguments.of("garbage with dots", (Function<TokenServiceTest, String>) t -> "a.b.c"),
                Arguments.of("only dots", (Function<TokenServiceTest, String>) t -> ".."),
                Arguments.of("two parts", (Function<TokenServiceTest, String>) t -> {
                    String token = t.hs256(t.validClaims());
                    return token.substring(0, token.lastIndexOf('.'));
                }),
                Arguments.of(
                        "four parts", (Function<TokenServiceTest, String>) t -> t.hs256(t.validClaims()) + ".AAAA"),
                Arguments.of("surrounding whitespace", (Function<TokenServiceTest, String>)
                        t -> " " + t.hs256(t.validClaims())),
                Arguments.of("Bearer prefix kept", (Function<TokenServiceTest, String>)
                        t -> "Bearer " + t.hs256(t.validClaims())),
                Arguments.of("base64 (not url) characters", (Function<TokenServiceTest, String>) t -> "ab+c.de/f.gh=="),
                Arguments.of("line break inside the payload, HMAC over that exact text", (Function<
                                TokenServiceTest, String>)
                        t -> {
                            String[] parts = t.hs256(t.validClaims()).split("\\.", -1);
                            return hmacCompact(parts[0], parts[1].substring(0, 20) + "\n" + parts[1].substring(20));
                        }),
                Arguments.of("padding '=' after the payload, HMAC over that exact text", (Function<
                                TokenServiceTest, String>)
                        t -> {
                            String[] parts = t.hs256(t.validClaims()).split("\\.", -1);
                            return hmacCompact(parts[0], parts[1] + "==");
                        }),
                Arguments.of(
                        "signature's last character non-canonical base64url (decodes to the same bytes)", (Function<
                                        TokenServiceTest, String>)
                                t -> {
                                    String token = t.hs256(t.validClaims());
                                    String alphabet =
                                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                                    int last = alphabet.indexOf(token.charAt(token.length() - 1));
                                    return token.substring(0, token.length() - 1) + alphabet.charAt(last ^ 2);
                                }),
                Arguments.of("payload not JSON", (Function<TokenServiceTest, String>) t -> t.signRaw(
                        "not json", AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(SECRET), t.ring.signingKid())),
                Arguments.of("payload a JSON array", (Function<TokenServiceTest, String>) t ->
                        t.signRaw("[1,2]", AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(SECRET), t.ring.signingKid())),
                Arguments.of("duplicate sub member", (Function<TokenServiceTest, String>) t -> {
                    String json = JsonUtil.toJson(t.validClaims());
                    return t.signRaw(
                            json.substring(0, json.length() - 1) + ",\"sub\":\"admin\"}",
                            AlgorithmIdentifiers.HMAC_SHA256,
                            new HmacKey(SECRET),
                            t.ring.signingKid());
                }),
                Arguments.of(
                        "JWE compact (5 parts), direct encryption with the secret",
                        (Function<TokenServiceTest, String>) t -> t.jwe(t.validClaims())),
                Arguments.of("8193 characters, correctly signed", (Function<TokenServiceTest, String>)
                        t -> t.signedOfLength(TokenService.MAX_TOKEN_LENGTH + 1)),
                Arguments.of("64 KiB of garbage", (Function<TokenServiceTest, String>) t -> "A".repeat(64 * 1024)));
    }

    static Stream<Arguments> signedButNotPlainJwts() {
        return Stream.of(
                Arguments.of("nested JWT (cty JWT), correctly signed", "cty", "JWT"),
                Arguments.of("nested JWT (cty application/jwt), correctly signed", "cty", "application/jwt"),
                Arguments.of("unencoded payload (b64 false, RFC 7797), correctly signed", "b64", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signedButNotPlainJwts")
    void verifyWhenHeaderAsksForNestingOrUnencodedPayloadThenInvalidToken(String rule, String header, Object value) {
        String kid = ring.signingKid();
        String headerJson = "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\",\"" + header + "\":"
                + (value instanceof String ? "\"" + value + "\"" : value)
                + (header.equals("b64") ? ",\"crit\":[\"b64\"]" : "") + "}";
        String payload = Base64Url.encodeUtf8ByteRepresentation(JsonUtil.toJson(validClaims()));

        assertInvalidToken(tokens, hmacCompact(Base64Url.encodeUtf8ByteRepresentation(headerJson), payload));
    }

    @Test
    void verifyWhenSignatureBadThenPayloadIsNeverParsed() {
        String header =
                Base64Url.encodeUtf8ByteRepresentation("{\"alg\":\"HS256\",\"kid\":\"" + ring.signingKid() + "\"}");
        String token = hmacCompact(header, Base64Url.encodeUtf8ByteRepresentation("not json at all"));
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "A".repeat(43);

        EmbedException e = assertThrows(EmbedException.class, () -> tokens.verify(forged));

        assertTrue(e.error().description().contains("signature"), e.error().description());
        assertInvalidToken(tokens, token);
    }

    @Test
    void verifyWhenHeaderIsNotOneTheRingMintsThenJose4jParsesItAndChecksTheSignature() {
        String token = signRaw(
                JsonUtil.toJson(validClaims()),
                AlgorithmIdentifiers.HMAC_SHA256,
                new HmacKey(SECRET),
                ring.signingKid(),
                "extra");

        assertEquals("user-1", tokens.verify(token).subject());
        assertInvalidToken(tokens, token.substring(0, token.lastIndexOf('.') + 1) + "A".repeat(43));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedTokens")
    void verifyWhenTokenMalformedOrTooLongThenInvalidToken(String rule, Function<TokenServiceTest, String> token) {
        assertInvalidToken(tokens, token.apply(this));
    }

    @Test
    void verifyWhenTokenExactlyEightKibThenAccepted() {
        String token = signedOfLength(TokenService.MAX_TOKEN_LENGTH);

        assertEquals(8192, token.length());
        assertEquals("user-1", tokens.verify(token).subject());
    }

    // ---------------------------------------------------------------- revocation

    static Stream<Arguments> revoked() {
        return Stream.of(
                Arguments.of("jti revoked", (Function<TokenServiceTest, String>) t -> {
                    MintedToken minted = t.tokens.mint(t.spec(TokenKind.EMBED_SESSION, 600));
                    t.credentials.revokeToken(
                            minted.claims().tokenId(), minted.claims().expiresAtInstant());
                    return minted.token();
                }),
                Arguments.of("session revoked", (Function<TokenServiceTest, String>) t -> {
                    MintedToken minted = t.tokens.mint(t.spec(TokenKind.EMBED_SESSION, 600));
                    t.credentials.revokeSession(
                            minted.claims().sessionId(), minted.claims().expiresAtInstant());
                    return minted.token();
                }),
                Arguments.of("session revoked before a later token of it was minted", (Function<
                                TokenServiceTest, String>)
                        t -> {
                            t.credentials.revokeSession(
                                    "sess-1", t.clock.instant().plusSeconds(86_400));
                            t.clock.advance(Duration.ofSeconds(60));
                            return t.tokens
                                    .mint(t.spec(TokenKind.EMBED_SESSION, 600))
                                    .token();
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("revoked")
    void verifyWhenRevokedThenInvalidToken(String rule, Function<TokenServiceTest, String> token) {
        assertInvalidToken(tokens, token.apply(this));
    }

    @Test
    void verifyWhenAnotherTokenOrSessionRevokedThenStillAccepted() {
        MintedToken minted = tokens.mint(spec(TokenKind.EMBED_SESSION, 600));
        MintedToken other = tokens.mint(new TokenSpec(
                TokenKind.EMBED_SESSION, "user-2", "sess-2", 600, "demo", "support", null, null, null, null));

        credentials.revokeToken(other.claims().tokenId(), other.claims().expiresAtInstant());
        credentials.revokeSession(other.claims().sessionId(), other.claims().expiresAtInstant());

        assertEquals(minted.claims(), tokens.verify(minted.token()));
        assertInvalidToken(tokens, other.token());
    }

    @Test
    void checkTimeAndRevocationWhenSessionRevokedAfterVerifyThenInvalidToken() {
        MintedToken minted = tokens.mint(spec(TokenKind.EMBED_SESSION, 600));
        EmbedClaims claims = tokens.verify(minted.token());

        credentials.revokeSession(claims.sessionId(), claims.expiresAtInstant());

        EmbedException e = assertThrows(EmbedException.class, () -> tokens.checkTimeAndRevocation(claims));
        assertEquals(401, e.error().status());
        assertEquals("invalid_token", e.error().code());
    }

    // ---------------------------------------------------------------- rotation

    @Test
    void verifyWhenSignedByPreviousSecretStillListedThenAccepted() {
        MintedToken old = service(KeyRing.hs256(OTHER_SECRET, List.of())).mint(spec(TokenKind.EMBED_SESSION, 600));
        KeyRing rotated = KeyRing.hs256(SECRET, List.of(OTHER_SECRET));
        TokenService service = service(rotated);

        assertEquals(old.claims(), service.verify(old.token()));
        assertEquals(KeyRing.hmacKid(SECRET), rotated.signingKid());
        MintedToken fresh = service.mint(spec(TokenKind.EMBED_SESSION, 600));
        assertEquals(KeyRing.hmacKid(SECRET), kidOf(fresh.token()));
        assertEquals(fresh.claims(), service(KeyRing.hs256(SECRET, List.of())).verify(fresh.token()));
    }

    @Test
    void verifyWhenPreviousSecretRemovedThenInvalidToken() {
        MintedToken old = service(KeyRing.hs256(OTHER_SECRET, List.of())).mint(spec(TokenKind.EMBED_SESSION, 600));

        assertInvalidToken(service(KeyRing.hs256(SECRET, List.of())), old.token());
    }

    @Test
    void hs256WhenTwoSecretsEqualThenConfigException() {
        ConfigException e = assertThrows(ConfigException.class, () -> KeyRing.hs256(SECRET, List.of(SECRET)));

        assertTrue(e.getMessage().contains("kid"), e.getMessage());
    }

    @Test
    void hmacKidWhenDerivedThenStableDistinctAndNotTheSecret() {
        assertEquals(KeyRing.hmacKid(SECRET), KeyRing.hmacKid(SECRET.clone()));
        assertNotEquals(KeyRing.hmacKid(SECRET), KeyRing.hmacKid(OTHER_SECRET));
        assertFalse(KeyRing.hmacKid(SECRET).contains(TestKeys.SECRET.substring(0, 8)));
    }

    @Test
    void fromConfigWhenPreviousSecretsSetThenOldTokensVerifyAndNewSecretSigns() {
        MintedToken old = service(KeyRing.hs256(OTHER_SECRET, List.of())).mint(spec(TokenKind.EMBED_SESSION, 600));
        KeyRing configured = KeyRing.fromConfig(EmbedConfig.of(Map.of(
                ConfigKey.SIGNING_SECRET.key(), TestKeys.SECRET,
                ConfigKey.SIGNING_PREVIOUS_SECRETS.key(), TestKeys.OTHER_SECRET)));

        assertEquals(KeyRing.hmacKid(SECRET), configured.signingKid());
        assertEquals(old.claims(), service(configured).verify(old.token()));
    }

    @Test
    void jwksWhenOnlyHmacKeysThenPublishesNothing() {
        assertEquals(
                Map.of("keys", List.of()),
                KeyRing.hs256(SECRET, List.of(OTHER_SECRET)).jwks());
    }

    // ---------------------------------------------------------------- ES256 and the JWKS document

    @Test
    void mintThenVerifyWhenEs256RingThenRoundTripsAndJwksVerifiesTheToken() throws Exception {
        KeyRing es = KeyRing.asymmetric(new JsonWebKeySet(Jwks.EC), Jwks.EC.getKeyId(), List.of());
        TokenService service = service(es);

        MintedToken minted = service.mint(spec(TokenKind.EMBED_URL, 600));

        assertEquals(minted.claims(), service.verify(minted.token()));
        JsonWebStructure header = JsonWebStructure.fromCompactSerialization(minted.token());
        assertEquals(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, header.getAlgorithmHeaderValue());
        assertEquals(Jwks.EC.getKeyId(), header.getKeyIdHeaderValue());

        String jwksJson = JsonUtil.toJson(es.jwks());
        JsonWebKeySet published = new JsonWebKeySet(jwksJson);
        assertEquals(1, published.getJsonWebKeys().size());
        JsonWebKey key = published.findJsonWebKey(Jwks.EC.getKeyId(), null, null, null);
        assertNotNull(key, jwksJson);
        assertEquals(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, key.getAlgorithm());
        assertEquals("sig", key.getUse());
        assertEquals(null, ((PublicJsonWebKey) key).getPrivateKey());
        JwtConsumer outsider = new JwtConsumerBuilder()
                .setVerificationKey(key.getKey())
                .setJwsAlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setExpectedIssuer(ISSUER)
                .setExpectedAudience(AUDIENCE)
                .setEvaluationTime(org.jose4j.jwt.NumericDate.fromSeconds(now()))
                .setRequireJwtId()
                .build();
        JwtClaims claims = outsider.processToClaims(minted.token());
        assertEquals(minted.claims().subject(), claims.getSubject());
        assertEquals(minted.claims().tokenId(), claims.getJwtId());
    }

    @Test
    void jwksWhenRingHasPrivateKeysThenDocumentHasNoPrivatePart() {
        KeyRing rings = KeyRing.asymmetric(new JsonWebKeySet(Jwks.EC, Jwks.RSA), Jwks.EC.getKeyId(), List.of(SECRET));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> keys =
                (List<Map<String, Object>>) rings.jwks().get("keys");

        assertEquals(2, keys.size(), "one entry per asymmetric key, none for the HMAC secret");
        for (Map<String, Object> key : keys) {
            for (String privatePart : List.of("d", "p", "q", "dp", "dq", "qi", "k", "oth")) {
                assertFalse(key.containsKey(privatePart), () -> "JWKS leaks " + privatePart + ": " + key.keySet());
            }
        }
        String json = JsonUtil.toJson(rings.jwks());
        assertFalse(json.contains("\"d\""), json);
        assertFalse(json.contains(TestKeys.SECRET), json);
    }

    @Test
    void fromConfigWhenEs256AndJwksJsonThenMintsAndVerifies() {
        String jwks = new JsonWebKeySet(Jwks.EC).toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE);
        KeyRing configured = KeyRing.fromConfig(
                EmbedConfig.of(Map.of(ConfigKey.SIGNING_ALGORITHM.key(), "ES256", ConfigKey.SIGNING_JWKS.key(), jwks)));
        TokenService service = service(configured);

        MintedToken minted = service.mint(spec(TokenKind.EMBED_SESSION, 600));

        assertEquals(Jwks.EC.getKeyId(), configured.signingKid());
        assertEquals(minted.claims(), service.verify(minted.token()));
        assertEquals(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, algOf(minted.token()));
        assertInvalidToken(service, hs256(validClaims()));
    }

    @Test
    void fromConfigWhenEs256JwksHasNoPrivateKeyThenConfigException() {
        String jwks = new JsonWebKeySet(Jwks.EC).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);

        ConfigException e = assertThrows(
                ConfigException.class,
                () -> KeyRing.fromConfig(EmbedConfig.of(
                        Map.of(ConfigKey.SIGNING_ALGORITHM.key(), "ES256", ConfigKey.SIGNING_JWKS.key(), jwks))));

        assertTrue(e.getMessage().contains(ConfigKey.SIGNING_JWKS.key()), e.getMessage());
    }

    @Test
    void fromConfigWhenEs256WithoutJwksThenConfigExceptionNamingTheKey() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> KeyRing.fromConfig(EmbedConfig.of(Map.of(ConfigKey.SIGNING_ALGORITHM.key(), "ES256"))));

        assertTrue(e.getMessage().contains(ConfigKey.SIGNING_JWKS.key()), e.getMessage());
    }

    @Test
    void fromConfigWhenAlgorithmNoneThenConfigException() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> KeyRing.fromConfig(EmbedConfig.of(Map.of(
                        ConfigKey.SIGNING_ALGORITHM.key(), "none", ConfigKey.SIGNING_SECRET.key(), TestKeys.SECRET))));

        assertTrue(e.getMessage().contains(ConfigKey.SIGNING_ALGORITHM.key()), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /** Keys generated once: RSA generation is slow. */
    private static final class Jwks {
        static final EllipticCurveJsonWebKey EC = ec("ec-1");
        static final EllipticCurveJsonWebKey ATTACKER_EC = ec("attacker");
        static final RsaJsonWebKey RSA = rsa("rsa-1");

        /** ES256 signs; the HS256 {@link #SECRET} also verifies. */
        static KeyRing mixedRing() {
            return KeyRing.asymmetric(new JsonWebKeySet(EC), EC.getKeyId(), List.of(SECRET));
        }

        private static EllipticCurveJsonWebKey ec(String kid) {
            try {
                EllipticCurveJsonWebKey jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
                jwk.setKeyId(kid);
                return jwk;
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            }
        }

        private static RsaJsonWebKey rsa(String kid) {
            try {
                RsaJsonWebKey jwk = RsaJwkGenerator.generateJwk(2048);
                jwk.setKeyId(kid);
                return jwk;
            } catch (JoseException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TokenService service(KeyRing keys) {
        return new TokenService(keys, ISSUER, AUDIENCE, SKEW, clock, credentials);
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    private TokenSpec spec(TokenKind kind, long ttl) {
        return new TokenSpec(kind, "user-1", "sess-1", ttl, "demo", "support", "chat", null, null, null);
    }

    /** The claims of a token that passes every rule at the current clock. */
    private Map<String, Object> validClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", AUDIENCE);
        claims.put("sub", "user-1");
        claims.put("sid", "sess-1");
        claims.put("jti", "jti-1");
        claims.put("kty", TokenKind.EMBED_SESSION.claim());
        claims.put("iat", now());
        claims.put("nbf", now());
        claims.put("exp", now() + 600);
        claims.put("spc", "demo");
        claims.put("agt", "support");
        return claims;
    }

    /** {@link #validClaims()} with one claim replaced, or removed when {@code value} is null. */
    private Map<String, Object> validClaimsWith(String name, Object value) {
        Map<String, Object> claims = validClaims();
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return claims;
    }

    private String hs256(Map<String, Object> claims) {
        return sign(claims, AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(SECRET), ring.signingKid());
    }

    private String sign(Map<String, Object> claims, String alg, Key key, String kid) {
        return signRaw(JsonUtil.toJson(claims), alg, key, kid);
    }

    /** Signs any payload text with any algorithm and key, as an attacker or a buggy issuer could. */
    private String signRaw(String payload, String alg, Key key, String kid) {
        return signRaw(payload, alg, key, kid, null);
    }

    private String signRaw(String payload, String alg, Key key, String kid, String headerPadding) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payload);
        jws.setAlgorithmHeaderValue(alg);
        if (kid != null) {
            jws.setKeyIdHeaderValue(kid);
        }
        if (headerPadding != null) {
            jws.setHeader("x", headerPadding);
        }
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private String unsecured(Map<String, Object> claims) {
        return unsecured(claims, ring.signingKid());
    }

    private String unsecured(Map<String, Object> claims, String kid) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(JsonUtil.toJson(claims));
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setKeyIdHeaderValue(kid);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private String jwe(Map<String, Object> claims) {
        JsonWebEncryption jwe = new JsonWebEncryption();
        jwe.setPayload(JsonUtil.toJson(claims));
        jwe.setAlgorithmHeaderValue(KeyManagementAlgorithmIdentifiers.DIRECT);
        jwe.setEncryptionMethodHeaderParameter(ContentEncryptionAlgorithmIdentifiers.AES_128_CBC_HMAC_SHA_256);
        jwe.setKeyIdHeaderValue(ring.signingKid());
        jwe.setKey(new AesKey(SECRET));
        try {
            return jwe.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid, correctly signed HS256 token of exactly {@code length} characters (a padding claim). */
    private String signedOfLength(int length) {
        for (int headerPadding = 0; headerPadding < 4; headerPadding++) {
            String header = headerPadding == 0 ? null : "x".repeat(headerPadding);
            for (int padding = 0; padding < length; padding++) {
                Map<String, Object> claims = validClaims();
                claims.put("pad", "p".repeat(padding));
                String token = signRaw(
                        JsonUtil.toJson(claims),
                        AlgorithmIdentifiers.HMAC_SHA256,
                        new HmacKey(SECRET),
                        ring.signingKid(),
                        header);
                if (token.length() == length) {
                    return token;
                }
                if (token.length() > length) {
                    break;
                }
            }
        }
        throw new IllegalStateException("no signed token of exactly " + length + " characters");
    }

    /** {@code header.payload.HMAC-SHA256(header.payload)} over the exact text given, whatever it holds. */
    private static String hmacCompact(String header, String payload) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new HmacKey(SECRET));
            byte[] signature =
                    mac.doFinal((header + "." + payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return header + "." + payload + "." + Base64Url.encode(signature);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String kidOf(String token) {
        try {
            return JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String algOf(String token) {
        try {
            return JsonWebStructure.fromCompactSerialization(token).getAlgorithmHeaderValue();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 401 invalid_token whose description shows neither the token nor jose4j's own text. */
    static void assertInvalidToken(TokenService service, String token) {
        EmbedException e = assertThrows(
                EmbedException.class, () -> service.verify(token), "the token was accepted but breaks a rule");
        assertEquals(401, e.error().status());
        assertEquals("invalid_token", e.error().code());
        String description = e.error().description();
        assertFalse(description.isBlank());
        if (token != null && !token.isEmpty()) {
            assertFalse(description.contains(token), description);
            for (String part : token.split("\\.", -1)) {
                if (part.length() >= 8) {
                    assertFalse(description.contains(part), () -> "description echoes a token part: " + description);
                }
            }
        }
        for (String text : LIBRARY_TEXT) {
            assertFalse(
                    description.contains(text), () -> "description shows library text '" + text + "': " + description);
        }
    }
}
