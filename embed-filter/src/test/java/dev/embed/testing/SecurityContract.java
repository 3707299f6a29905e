package dev.embed.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.internal.TestStores;
import dev.embed.store.EmbedSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.keys.AesKey;
import org.jose4j.keys.EllipticCurves;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8 over HTTP, written once for both adapters: every way in a scanner or pen-tester would
 * try, against the embed JSON endpoints (§4), the mint endpoints (§3) and flow D's redemption. Each
 * attack answers a 4xx JSON error (never 200, never 500), changes nothing, and echoes no secret
 * ({@link Http} and {@link RawHttp} check every error answer against {@link Secrets}; {@link
 * LogCapture} checks the log).
 *
 * <p>Two applications are deployed: {@link #server}, the HS256 configuration every contract uses,
 * behind a container that accepts 16 KiB of request headers (so that a token of 8 KiB + 1 reaches
 * the library); and {@link #es256}, which signs ES256 and also verifies HS256 (the configuration
 * where algorithm confusion could bite), behind a container that accepts 2 MiB of headers (so that
 * a 1 MB token reaches the library too). Decisions these tests pin down, each in SECURITY.md:
 *
 * <ul>
 *   <li>Two {@code Authorization} headers, or a credential in the query string (alone or beside the
 *       header), answer 400 {@code invalid_request}: RFC 6750 §3.1 ("uses more than one method")
 *       and §2 (never in the URL).
 *   <li>The scheme is case-insensitive (RFC 7235 §2.1): {@code bearer <token>} is {@code Bearer
 *       <token>}, refused or accepted alike.
 *   <li>Whitespace inside the credential, or more than one space after the scheme, is 401.
 *       Whitespace around the whole field value is not part of it (RFC 9110 §5.5): the container
 *       drops it before the library sees the header, so such a request is the same request.
 *   <li>A 1 MB token in a header meets the container's header limit first: 431 from the container
 *       (not JSON: the library never runs). Where the container lets it through, the library
 *       answers 401 {@code invalid_token} without parsing it.
 * </ul>
 *
 * <p>The containers are configured as SECURITY.md asks of every deployment: on Jetty, a
 * case-sensitive header cache ({@code HttpConfiguration.setHeaderCacheCaseSensitive(true)}), without
 * which Jetty hands a request the {@code Authorization} value of an earlier request on the same
 * connection that differs from it only in letter case (found by {@link
 * #embedEndpointWhenSchemeInAnotherCaseThenSameAnswerAsBearer}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SecurityContract {
    /** Request header limit of {@link #server}: above 8 KiB, so the library's own limit is tested. */
    public static final int HEADER_LIMIT = 16 * 1024;
    /** Request header limit of {@link #es256}: a 1 MB token gets through to the library. */
    public static final int LARGE_HEADER_LIMIT = 2 * 1024 * 1024;

    static final byte[] SECRET = Base64.getDecoder().decode(TestKeys.SECRET);
    static final byte[] ATTACKER_SECRET = "attacker-secret-0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    static final String SEED = "{\"externalUserId\": \"customer-123\"}";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The HS256 application. */
    protected Deployment server;
    /** The ES256 application that also verifies HS256 (visitor tokens). */
    protected Deployment es256;

    private TrapListener trap;
    private EllipticCurveJsonWebKey signingKey;
    private EllipticCurveJsonWebKey attackerKey;
    private KeyStore.PrivateKeyEntry attackerCertificate;
    /** A session of {@link #server} every token attack aims at: {sid, token, kid}. */
    private Victim victim;
    /** A session of {@link #es256}: {sid, token, kid}. */
    private Victim esVictim;
    /** The kid of the HS256 key {@link #es256} also verifies with (visitor tokens are HS256). */
    private String esHmacKid;

    /** A session and a valid token of it. */
    record Victim(String sid, String token, String kid) {}

    /** Where an attack aims: the session of the path, and the token sent. */
    record Target(String sid, String token) {}

    /** Makes one attack's token (it may mint and end sessions to do so). */
    @FunctionalInterface
    interface Attack {
        Target get() throws Exception;
    }

    /**
     * Serves an application with this configuration at context path {@code /shop}, behind a
     * container that accepts request headers of up to {@code requestHeaderBytes} bytes and is
     * configured as SECURITY.md asks (on Jetty: a case-sensitive header cache), with one host
     * endpoint behind the token check, as {@link AdapterContract} has it: {@code GET
     * /api/v1/embed/chat-sessions/{sessionId}/whoami} answering {@code {"principal"}}.
     */
    protected abstract Deployment deploy(Map<String, String> configuration, int requestHeaderBytes) throws Exception;

    @BeforeAll
    void start() throws Exception {
        trap = new TrapListener();
        signingKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        signingKey.setKeyId("es-1");
        Secrets.add((String) signingKey
                .toParams(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE)
                .get("d"));
        attackerKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        attackerKey.setKeyId("attacker");
        attackerCertificate = selfSignedCertificate();

        server = deploy(AdapterContract.configuration(), HEADER_LIMIT);
        Map<String, String> es = new LinkedHashMap<>(AdapterContract.configuration());
        es.put("embed.signing.algorithm", "ES256");
        es.put(
                "embed.signing.jwks",
                "{\"keys\": [" + signingKey.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE) + "]}");
        es.put("embed.signing.kid", "es-1");
        es256 = deploy(es, LARGE_HEADER_LIMIT);

        victim = victim(server);
        esVictim = victim(es256);
        assertEquals("ES256", TokenForge.part(esVictim.token(), 0).get("alg"));
        String visitor = visitorToken(es256);
        assertEquals("HS256", TokenForge.part(visitor, 0).get("alg"));
        esHmacKid = (String) TokenForge.part(visitor, 0).get("kid");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            assertEquals(0, trap.connectionsSoFar(), "a token's jku/x5u made the server connect out");
            // The log of all of the above is checked after this class: only if LogCapture is installed.
            assertTrue(
                    LogCapture.records().stream().anyMatch(r -> r.contains("embed: started")),
                    "LogCapture is not installed: check junit-platform.properties and META-INF/services");
        } finally {
            trap.close();
            server.close();
            es256.close();
        }
    }

    // ================================================================ helpers

    private static Victim victim(Deployment deployment) throws Exception {
        HttpResponse<String> minted =
                Http.postJson(mintUri(deployment, "demo", "support", "embed-sessions"), TestKeys.ACME_KEY, SEED);
        assertEquals(200, minted.statusCode(), minted.body());
        Map<String, Object> body = Http.json(minted);
        String token = (String) body.get("token");
        return new Victim((String) body.get("sessionId"), token, (String)
                TokenForge.part(token, 0).get("kid"));
    }

    static URI mintUri(Deployment deployment, String space, String agent, String collection) {
        return deployment.uri("/api/v1/spaces/" + space + "/agents/" + agent + "/" + collection);
    }

    static URI sessionUri(Deployment deployment, String sid) {
        return deployment.uri("/api/v1/embed/chat-sessions/" + sid);
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }

    static String fingerprint() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String fingerprint = HexFormat.of().formatHex(bytes);
        Secrets.add(fingerprint);
        return fingerprint;
    }

    @SuppressWarnings("unchecked")
    private static String visitorToken(Deployment deployment) throws Exception {
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(deployment.uri("/v1/embed-tokens/request"))
                .header("api-secret", TestKeys.ACME_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"agent_id\": \"support\", \"fingerprint\": \"" + fingerprint() + "\"}"))
                .build());
        assertEquals(200, response.statusCode(), response.body());
        return (String) ((Map<String, Object>) Http.json(response).get("data")).get("token");
    }

    /** GET of the session with this exact {@code Authorization} value (null: none). */
    static HttpResponse<String> getSession(Deployment deployment, String sid, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(sessionUri(deployment, sid))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return Http.send(request.build());
    }

    /** POST of a message to the session with this exact {@code Authorization} value. */
    static HttpResponse<String> postMessage(Deployment deployment, String sid, String authorization, String json)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sessionUri(deployment, sid) + "/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return Http.send(request.build());
    }

    @SuppressWarnings("unchecked")
    static List<Object> messages(Deployment deployment, Victim session) throws Exception {
        HttpResponse<String> response = getSession(deployment, session.sid(), "Bearer " + session.token());
        assertEquals(200, response.statusCode(), response.body());
        return (List<Object>) Http.json(response).get("messages");
    }

    static long sessionCount(Deployment deployment) {
        return TestStores.sessionCount(deployment.embed());
    }

    // What the verifier says when it refuses a token, one per rule (DESIGN §2): the attacks below each
    // expect the rule they aim at, so an attack refused for another reason (say, a forged token that
    // breaks by accident) fails instead of passing unnoticed.
    static final String KID = "the token's key id (kid) is unknown or used with the wrong algorithm";
    static final String SIGNATURE = "the token's signature is not valid";
    static final String MALFORMED = "the token is malformed";
    static final String NOT_JWS = "the token is malformed: expected a signed JWT (three dot-separated parts)";
    static final String NOT_CANONICAL = "the token is malformed: a part is not canonical base64url";
    static final String TOO_LONG = "the token is longer than 8192 characters";
    static final String EXP_CLAIM = "the token has no valid exp claim (an integer number of seconds)";
    static final String SUB_CLAIM = "the token has no valid sub claim";
    static final String SID_CLAIM = "the token has no valid sid claim";
    static final String JTI_CLAIM = "the token has no valid jti claim";
    static final String LIFETIME_SESSION = "the token lives longer than the 86400 s its flow allows";
    static final String LIFETIME_VISITOR = "the token lives longer than the 3600 s its flow allows";
    static final String NOT_YET = "the token is not valid yet (nbf is in the future)";
    static final String EXPIRED = "the token has expired; mint a new one";
    static final String ISSUER = "the token has the wrong issuer (iss)";
    static final String AUDIENCE = "the token has the wrong audience (aud)";
    static final String REVOKED = "the token has been revoked (its session was ended)";
    static final String API_KEY_AS_TOKEN = "this endpoint takes an embed token, not an API key: API keys stay on the"
            + " server; mint a token with one instead";

    /**
     * 401 {@code invalid_token} as §5 and RFC 6750 §3 write it, refused by {@code rule}: the same
     * {@code error_description} in the body and in the challenge.
     */
    static void assertInvalidToken(HttpResponse<String> response, String rule) {
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("invalid_token", Http.json(response).get("error"));
        assertEquals(rule, Http.json(response).get("error_description"), "refused by another rule than expected");
        String challenge = response.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertEquals(
                "Bearer realm=\"embed\", error=\"invalid_token\", error_description=\"" + rule.replace('"', '\'')
                        + "\"",
                challenge);
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
    }

    /** A §5 error (or flow C's envelope) with this status and code. */
    static void assertError(int status, String code, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        Map<String, Object> body = Http.json(response);
        Object error = body.get("error");
        if (error instanceof Map<?, ?> envelope) {
            assertEquals(false, body.get("success"));
            assertEquals(code, envelope.get("code"), response.body());
        } else {
            assertEquals(code, error, response.body());
            assertFalse(((String) body.get("error_description")).isBlank());
        }
    }

    private String forged(Map<String, Object> claims) {
        return TokenForge.hs256(TokenForge.header("HS256", victim.kid()), Json.write(claims), SECRET);
    }

    private String forged(String payloadJson) {
        return TokenForge.hs256(TokenForge.header("HS256", victim.kid()), payloadJson, SECRET);
    }

    private String goodPayload() {
        return Json.write(TokenForge.claims(victim.sid(), now()));
    }

    private Target at(String token) {
        return new Target(victim.sid(), token);
    }

    private Target esAt(String token) {
        return new Target(esVictim.sid(), token);
    }

    private String esPayload() {
        return Json.write(TokenForge.claims(esVictim.sid(), now()));
    }

    /** A self-signed EC certificate and its key, made by the JDK's keytool, for {@code x5c}. */
    private static KeyStore.PrivateKeyEntry selfSignedCertificate() throws Exception {
        Path dir = Files.createTempDirectory("embed-attacker");
        Path store = dir.resolve("attacker.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-alias",
                        "attacker",
                        "-dname",
                        "CN=attacker",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        keytool.getInputStream().readAllBytes();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyStore.PrivateKeyEntry entry = (KeyStore.PrivateKeyEntry)
                keys.getEntry("attacker", new KeyStore.PasswordProtection("changeit".toCharArray()));
        Files.delete(store);
        Files.delete(dir);
        return entry;
    }

    /** A correctly signed HS256 token for the victim of exactly {@code length} characters (a pad claim). */
    private String forgedOfLength(int length) {
        for (int headerPad = 0; headerPad < 4; headerPad++) {
            String header = headerPad == 0
                    ? TokenForge.header("HS256", victim.kid())
                    : TokenForge.header("HS256", victim.kid(), "x", "x".repeat(headerPad));
            for (int pad = 0; pad < length; pad++) {
                Map<String, Object> claims = TokenForge.claims(victim.sid(), now());
                claims.put("pad", "p".repeat(pad));
                String token = TokenForge.hs256(header, Json.write(claims), SECRET);
                if (token.length() == length) {
                    return token;
                }
                if (token.length() > length) {
                    break;
                }
            }
        }
        throw new IllegalStateException("no token of exactly " + length + " characters");
    }

    // ================================================================ 1. token attacks (§4)

    /** Positive controls: the forging itself is right, so each attack fails for its one reason. */
    @Test
    void embedEndpointWhenForgedTokenFollowsEveryRuleThenAccepted() throws Exception {
        assertEquals(
                200,
                getSession(server, victim.sid(), "Bearer " + forged(goodPayload()))
                        .statusCode());
        String esForged = TokenForge.es256(TokenForge.header("ES256", "es-1"), esPayload(), signingKey.getPrivateKey());
        assertEquals(
                200, getSession(es256, esVictim.sid(), "Bearer " + esForged).statusCode());
        String hsOnEs = TokenForge.hs256(TokenForge.header("HS256", esHmacKid), esPayload(), SECRET);
        assertEquals(200, getSession(es256, esVictim.sid(), "Bearer " + hsOnEs).statusCode());
    }

    Stream<Arguments> hs256Attacks() {
        return Stream.of(
                attack(
                        "alg None",
                        KID,
                        () -> at(TokenForge.unsigned(TokenForge.header("None", victim.kid()), goodPayload()))),
                attack(
                        "alg nOnE",
                        KID,
                        () -> at(TokenForge.unsigned(TokenForge.header("nOnE", victim.kid()), goodPayload()))),
                attack(
                        "alg NONE",
                        KID,
                        () -> at(TokenForge.unsigned(TokenForge.header("NONE", victim.kid()), goodPayload()))),
                attack(
                        "alg none, with the HS256 signature of the same parts",
                        KID,
                        () -> at(TokenForge.hs256(TokenForge.header("none", victim.kid()), goodPayload(), SECRET))),
                attack(
                        "alg empty",
                        KID,
                        () -> at(TokenForge.hs256(TokenForge.header("", victim.kid()), goodPayload(), SECRET))),
                attack(
                        "alg missing",
                        KID,
                        () -> at(TokenForge.hs256("{\"kid\":\"" + victim.kid() + "\"}", goodPayload(), SECRET))),
                attack(
                        "alg HS512 with the real secret and kid",
                        KID,
                        () -> at(TokenForge.hs256(TokenForge.header("HS512", victim.kid()), goodPayload(), SECRET))),
                attack(
                        "kid unknown, signed with the real secret",
                        KID,
                        () -> at(TokenForge.hs256(TokenForge.header("HS256", "hs-unknown"), goodPayload(), SECRET))),
                attack(
                        "kid empty, signed with the real secret",
                        KID,
                        () -> at(TokenForge.hs256(TokenForge.header("HS256", ""), goodPayload(), SECRET))),
                attack(
                        "kid missing, signed with the real secret",
                        KID,
                        () -> at(TokenForge.hs256(TokenForge.header("HS256", null), goodPayload(), SECRET))),
                attack(
                        "kid ../../../../../../dev/null, HMAC with an empty key",
                        KID,
                        () -> at(TokenForge.hs256(
                                TokenForge.header("HS256", "../../../../../../dev/null"), goodPayload(), new byte[0]))),
                attack(
                        "kid /proc/self/environ, signed by an attacker",
                        KID,
                        () -> at(TokenForge.hs256(
                                TokenForge.header("HS256", "/proc/self/environ"), goodPayload(), ATTACKER_SECRET))),
                attack(
                        "kid ' OR '1'='1' --, signed by an attacker",
                        KID,
                        () -> at(TokenForge.hs256(
                                TokenForge.header("HS256", "' OR '1'='1' --"), goodPayload(), ATTACKER_SECRET))),
                attack(
                        "kid x' UNION SELECT 'attacker-secret' --, signed with that",
                        KID,
                        () -> at(TokenForge.hs256(
                                TokenForge.header("HS256", "x' UNION SELECT 'attacker-secret' --"),
                                goodPayload(),
                                "attacker-secret".getBytes(StandardCharsets.US_ASCII)))),
                attack(
                        "kid a number",
                        MALFORMED,
                        () -> at(TokenForge.hs256("{\"alg\":\"HS256\",\"kid\":42}", goodPayload(), SECRET))),
                attack(
                        "kid an object {$ne: null}",
                        MALFORMED,
                        () -> at(
                                TokenForge.hs256("{\"alg\":\"HS256\",\"kid\":{\"$ne\":null}}", goodPayload(), SECRET))),
                attack(
                        "jku naming a listener, signed by the attacker's key",
                        KID,
                        () -> at(TokenForge.hs256(
                                TokenForge.header("HS256", "attacker", "jku", trap.url("/jwks.json")),
                                goodPayload(),
                                ATTACKER_SECRET))),
                attack(
                        "jku naming a listener, with the real kid, signed by the attacker's key",
                        SIGNATURE,
                        () -> at(TokenForge.hs256(
                                TokenForge.header("HS256", victim.kid(), "jku", trap.url("/jwks.json")),
                                goodPayload(),
                                ATTACKER_SECRET))),
                attack(
                        "jwk holding the attacker's symmetric key, signed with it",
                        KID,
                        () -> at(TokenForge.hs256(
                                TokenForge.header(
                                        "HS256",
                                        null,
                                        "jwk",
                                        Map.of("kty", "oct", "k", TokenForge.b64(ATTACKER_SECRET))),
                                goodPayload(),
                                ATTACKER_SECRET))),
                attack(
                        "jwk holding the attacker's symmetric key, with the real kid, signed with it",
                        SIGNATURE,
                        () -> at(TokenForge.hs256(
                                TokenForge.header(
                                        "HS256",
                                        victim.kid(),
                                        "jwk",
                                        Map.of("kty", "oct", "k", TokenForge.b64(ATTACKER_SECRET))),
                                goodPayload(),
                                ATTACKER_SECRET))),
                attack(
                        "x5u naming a listener, signed by the attacker's key",
                        KID,
                        () -> at(TokenForge.es256(
                                TokenForge.header("ES256", "attacker", "x5u", trap.url("/cert.pem")),
                                goodPayload(),
                                attackerKey.getPrivateKey()))),
                attack(
                        "x5c holding the attacker's certificate, signed by its key",
                        KID,
                        () -> at(TokenForge.es256(
                                TokenForge.header("ES256", null, "x5c", List.of(certificate())),
                                goodPayload(),
                                attackerCertificate.getPrivateKey()))),
                attack(
                        "jwk holding the attacker's EC key, signed by it",
                        KID,
                        () -> at(TokenForge.es256(
                                TokenForge.header(
                                        "ES256",
                                        "attacker",
                                        "jwk",
                                        attackerKey.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)),
                                goodPayload(),
                                attackerKey.getPrivateKey()))),
                attack("JWE compact, direct encryption with the signing secret", NOT_JWS, () -> at(jweDirect())),
                attack(
                        "JWE compact, PBES2 with p2c = 2^31 - 1 (CVE-2023-51775)",
                        NOT_JWS,
                        () -> at(
                                jweShaped(
                                        "{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":2147483647,\"p2s\":\"c2FsdHNhbHQ\"}"))),
                attack(
                        "JWE compact, DEF-compressed (CVE-2024-29371)",
                        NOT_JWS,
                        () -> at(jweShaped("{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"zip\":\"DEF\",\"kid\":\""
                                + victim.kid() + "\"}"))),
                attack(
                        "tampered header: alg HS384, signature kept",
                        KID,
                        () -> at(replacePart(forged(goodPayload()), 0, TokenForge.header("HS384", victim.kid())))),
                attack(
                        "tampered header: a member added, signature kept",
                        SIGNATURE,
                        () -> at(replacePart(
                                forged(goodPayload()), 0, TokenForge.header("HS256", victim.kid(), "typ", "JWT")))),
                attack(
                        "tampered payload: sid of another session, signature kept",
                        SIGNATURE,
                        () -> at(replacePart(
                                forged(goodPayload()),
                                1,
                                TokenForge.claimsWith(victim.sid(), now(), "sid", "ses_other")))),
                attack(
                        "tampered payload: exp a day later, signature kept",
                        SIGNATURE,
                        () -> at(replacePart(
                                forged(goodPayload()),
                                1,
                                TokenForge.claimsWith(victim.sid(), now(), "exp", now() + 86_400)))),
                attack(
                        "tampered signature: one bit in its middle flipped",
                        SIGNATURE,
                        () -> at(flipMiddleBit(forged(goodPayload())))),
                attack("tampered signature: its last character dropped", NOT_CANONICAL, () -> {
                    String token = forged(goodPayload());
                    String cut = token.substring(0, token.length() - 1);
                    // 42 characters carry 4 bits beyond the signature's 31st byte; when they are zero
                    // (1 token in 16) the cut is canonical and only the signature check refuses it: set one.
                    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                    int last = alphabet.indexOf(cut.charAt(cut.length() - 1));
                    return at(
                            (last & 0x0F) == 0 ? cut.substring(0, cut.length() - 1) + alphabet.charAt(last | 1) : cut);
                }),
                attack("tampered signature: removed (header.payload.)", SIGNATURE, () -> {
                    String token = forged(goodPayload());
                    return at(token.substring(0, token.lastIndexOf('.') + 1));
                }),
                attack("tampered signature: another token's", SIGNATURE, () -> {
                    String other = victim.token();
                    String token = forged(goodPayload());
                    return at(token.substring(0, token.lastIndexOf('.')) + other.substring(other.lastIndexOf('.')));
                }),
                attack("duplicate claim: sub twice, signed", MALFORMED, () -> {
                    String json = goodPayload();
                    return at(forged(json.substring(0, json.length() - 1) + ",\"sub\":\"admin\"}"));
                }),
                attack("duplicate claim: exp twice, the second a year later, signed", MALFORMED, () -> {
                    String json = goodPayload();
                    return at(forged(json.substring(0, json.length() - 1) + ",\"exp\":" + (now() + 31_536_000L) + "}"));
                }),
                attack(
                        "exp a string",
                        EXP_CLAIM,
                        () -> at(forged(
                                TokenForge.claimsWithRaw(victim.sid(), now(), "exp", "\"" + (now() + 600) + "\"")))),
                attack(
                        "exp a float",
                        EXP_CLAIM,
                        () -> at(forged(TokenForge.claimsWithRaw(victim.sid(), now(), "exp", (now() + 600) + ".5")))),
                attack(
                        "exp huge: 1e30",
                        EXP_CLAIM,
                        () -> at(forged(TokenForge.claimsWithRaw(victim.sid(), now(), "exp", "1e30")))),
                attack(
                        "exp huge: 2^63, beyond a long",
                        EXP_CLAIM,
                        () -> at(forged(TokenForge.claimsWithRaw(victim.sid(), now(), "exp", "9223372036854775808")))),
                attack(
                        "exp huge: Long.MAX_VALUE",
                        LIFETIME_SESSION,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "exp", Long.MAX_VALUE)))),
                attack(
                        "exp missing",
                        EXP_CLAIM,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "exp", null)))),
                attack(
                        "sub missing",
                        SUB_CLAIM,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "sub", null)))),
                attack(
                        "sid missing",
                        SID_CLAIM,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "sid", null)))),
                attack(
                        "jti missing",
                        JTI_CLAIM,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "jti", null)))),
                attack(
                        "lifetime over the maximum: a session token of 86401 s",
                        LIFETIME_SESSION,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "exp", now() + 86_401)))),
                attack("lifetime over the maximum: a visitor token of two hours", LIFETIME_VISITOR, () -> {
                    Map<String, Object> claims = TokenForge.claims(victim.sid(), now());
                    claims.put("kty", "visitor");
                    claims.put("exp", now() + 7_200);
                    return at(forged(claims));
                }),
                attack(
                        "nbf an hour ahead",
                        NOT_YET,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "nbf", now() + 3_600)))),
                attack(
                        "iss wrong",
                        ISSUER,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "iss", "https://evil.example")))),
                attack(
                        "aud wrong",
                        AUDIENCE,
                        () -> at(forged(TokenForge.claimsWith(victim.sid(), now(), "aud", "someone-else")))),
                attack("8 KiB + 1 characters, correctly signed", TOO_LONG, () -> at(forgedOfLength(8 * 1024 + 1))),
                attack("a revoked session, its token verified (and cached) before the DELETE", REVOKED, () -> {
                    Victim revoked = victim(server);
                    assertEquals(
                            200,
                            getSession(server, revoked.sid(), "Bearer " + revoked.token())
                                    .statusCode());
                    assertEquals(
                            204,
                            Http.delete(
                                            mintUri(server, "demo", "support", "embed-sessions/" + revoked.sid()),
                                            TestKeys.ACME_KEY)
                                    .statusCode());
                    return new Target(revoked.sid(), revoked.token());
                }));
    }

    private static Arguments attack(String name, String reason, Attack target) {
        return Arguments.of(name, reason, target);
    }

    /** Each attack, on both §4 endpoints: 401 invalid_token with its challenge; nothing stored. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hs256Attacks")
    void embedEndpointWhenTokenAttackThenUnauthorized(String name, String rule, Attack attack) throws Exception {
        Target target = attack.get();

        assertInvalidToken(getSession(server, target.sid(), "Bearer " + target.token()), rule);
        assertInvalidToken(
                postMessage(server, target.sid(), "Bearer " + target.token(), "{\"message\": \"pwned\"}"), rule);

        if (target.sid().equals(victim.sid())) {
            assertEquals(List.of(), messages(server, victim), "a refused token stored a message");
        }
        assertEquals(0, trap.connectionsSoFar(), "the server fetched a key from a token's header");
    }

    Stream<Arguments> es256Attacks() throws Exception {
        String publicJwk = Json.write(signingKey.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(signingKey.getPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        return Stream.of(
                attack(
                        "HS256 signed with the EC public key (X.509 DER), kid of the EC key",
                        KID,
                        () -> esAt(TokenForge.hs256(
                                TokenForge.header("HS256", "es-1"),
                                esPayload(),
                                signingKey.getPublicKey().getEncoded()))),
                attack(
                        "HS256 signed with the EC public key as /.well-known/jwks.json publishes it, kid of the EC key",
                        KID,
                        () -> esAt(TokenForge.hs256(TokenForge.header("HS256", "es-1"), esPayload(), publishedJwks()))),
                attack(
                        "HS256 signed with the public JWK's JSON, kid of the EC key",
                        KID,
                        () -> esAt(TokenForge.hs256(
                                TokenForge.header("HS256", "es-1"),
                                esPayload(),
                                publicJwk.getBytes(StandardCharsets.UTF_8)))),
                attack(
                        "HS256 signed with the EC public key's PEM, kid of the EC key",
                        KID,
                        () -> esAt(TokenForge.hs256(
                                TokenForge.header("HS256", "es-1"),
                                esPayload(),
                                pem.getBytes(StandardCharsets.US_ASCII)))),
                attack(
                        "HS256 signed with the EC public key, no kid",
                        KID,
                        () -> esAt(TokenForge.hs256(
                                TokenForge.header("HS256", null),
                                esPayload(),
                                signingKey.getPublicKey().getEncoded()))),
                attack(
                        "HS256 signed with the EC public key, kid of the ring's HS256 key",
                        SIGNATURE,
                        () -> esAt(TokenForge.hs256(
                                TokenForge.header("HS256", esHmacKid),
                                esPayload(),
                                signingKey.getPublicKey().getEncoded()))),
                attack(
                        "ES256 kid with alg ES384",
                        KID,
                        () -> esAt(TokenForge.es256(
                                TokenForge.header("ES384", "es-1"), esPayload(), signingKey.getPrivateKey()))),
                attack(
                        "ES256 signed by an attacker's key, kid of the real key",
                        SIGNATURE,
                        () -> esAt(TokenForge.es256(
                                TokenForge.header("ES256", "es-1"), esPayload(), attackerKey.getPrivateKey()))),
                attack(
                        "ES256 with the attacker's public key in jwk, signed by it",
                        KID,
                        () -> esAt(TokenForge.es256(
                                TokenForge.header(
                                        "ES256",
                                        null,
                                        "jwk",
                                        attackerKey.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)),
                                esPayload(),
                                attackerKey.getPrivateKey()))),
                attack(
                        "ES256 with the attacker's public key in jwk and the real kid, signed by it",
                        SIGNATURE,
                        () -> esAt(TokenForge.es256(
                                TokenForge.header(
                                        "ES256",
                                        "es-1",
                                        "jwk",
                                        attackerKey.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)),
                                esPayload(),
                                attackerKey.getPrivateKey()))),
                attack(
                        "ES256 with the attacker's certificate in x5c, signed by its key",
                        SIGNATURE,
                        () -> esAt(TokenForge.es256(
                                TokenForge.header("ES256", "es-1", "x5c", List.of(certificate())),
                                esPayload(),
                                attackerCertificate.getPrivateKey()))),
                attack(
                        "ES256 with jku naming a listener, signed by the attacker's key",
                        KID,
                        () -> esAt(TokenForge.es256(
                                TokenForge.header("ES256", "attacker", "jku", trap.url("/jwks.json")),
                                esPayload(),
                                attackerKey.getPrivateKey()))),
                attack(
                        "ES256 with x5u naming a listener, signed by the attacker's key",
                        SIGNATURE,
                        () -> esAt(TokenForge.es256(
                                TokenForge.header("ES256", "es-1", "x5u", trap.url("/cert.pem")),
                                esPayload(),
                                attackerKey.getPrivateKey()))),
                attack("ES256 signature of zeros: r = s = 0 (CVE-2022-21449)", SIGNATURE, () -> {
                    String input =
                            TokenForge.b64(TokenForge.header("ES256", "es-1")) + "." + TokenForge.b64(esPayload());
                    return esAt(input + "." + TokenForge.b64(new byte[64]));
                }),
                attack(
                        "alg none with the EC key's kid",
                        KID,
                        () -> esAt(TokenForge.unsigned(TokenForge.header("none", "es-1"), esPayload()))),
                attack(
                        "JWE compact, ECDH-ES+A128KW to the server's own public key",
                        NOT_JWS,
                        () -> esAt(jweToServer())),
                attack(
                        "1 MB token (this container accepts 2 MiB of headers)",
                        TOO_LONG,
                        () -> esAt("A".repeat(1024 * 1024))));
    }

    /** Algorithm confusion and key injection where ES256 signs and HS256 also verifies. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("es256Attacks")
    void embedEndpointWhenEs256ConfiguredAndTokenAttackThenUnauthorized(String name, String rule, Attack attack)
            throws Exception {
        Target target = attack.get();

        assertInvalidToken(getSession(es256, target.sid(), "Bearer " + target.token()), rule);
        assertInvalidToken(
                postMessage(es256, target.sid(), "Bearer " + target.token(), "{\"message\": \"pwned\"}"), rule);

        assertEquals(List.of(), messages(es256, esVictim), "a refused token stored a message");
        assertEquals(0, trap.connectionsSoFar(), "the server fetched a key from a token's header");
    }

    @Test
    void embedEndpointWhenGenuineTokenCarriesJkuOrX5uThenVerifiedWithOurKeyAndNothingFetched() throws Exception {
        String hs = TokenForge.hs256(
                TokenForge.header("HS256", victim.kid(), "jku", trap.url("/jwks.json"), "x5u", trap.url("/cert.pem")),
                goodPayload(),
                SECRET);
        String es = TokenForge.es256(
                TokenForge.header(
                        "ES256",
                        "es-1",
                        "jku",
                        trap.url("/jwks.json"),
                        "x5u",
                        trap.url("/cert.pem"),
                        "jwk",
                        attackerKey.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)),
                esPayload(),
                signingKey.getPrivateKey());

        int before = trap.connectionsSoFar();
        assertEquals(200, getSession(server, victim.sid(), "Bearer " + hs).statusCode());
        assertEquals(200, getSession(es256, esVictim.sid(), "Bearer " + es).statusCode());
        // Exact, without waiting: every connection made while the two requests were served is counted
        // (a fetch in the background, later, is caught by the count after the whole class).
        assertEquals(before, trap.connectionsSoFar(), "a token's jku/x5u made the server connect out");
        assertEquals(0, before);
    }

    @Test
    void embedEndpointWhenTokenOf8KibThenAcceptedAndOf8KibPlusOneThenUnauthorized() throws Exception {
        String exactly = forgedOfLength(8 * 1024);
        String over = forgedOfLength(8 * 1024 + 1);

        assertEquals(200, getSession(server, victim.sid(), "Bearer " + exactly).statusCode());
        HttpResponse<String> refused = getSession(server, victim.sid(), "Bearer " + over);
        assertInvalidToken(refused, TOO_LONG);
    }

    /**
     * Decided: a 1 MB token in a header is the container's to refuse where it limits request
     * headers (Jetty and Tomcat do, at 8 KiB by default): it answers 431 (RFC 6585) and closes the
     * connection, and a client still sending its headers may see only the close. The library never
     * runs, nothing changes, and the server goes on serving. Where the container accepts such a
     * header, the library answers 401 (the es256 attack "1 MB token" above).
     */
    @Test
    void embedEndpointWhenTokenOfOneMegabyteThenContainerAnswers431AndNever200Or500() throws Exception {
        String token = "A".repeat(1024 * 1024);

        for (Request request : List.<Request>of(
                () -> getSession(server, victim.sid(), "Bearer " + token),
                () -> postMessage(server, victim.sid(), "Bearer " + token, "{\"message\": \"pwned\"}"))) {
            try {
                assertEquals(431, request.send().statusCode());
            } catch (IOException closedWhileSending) {
                // the container's 431 and close overtook the rest of the request
            }
        }
        assertEquals(List.of(), messages(server, victim));
        assertEquals(
                200,
                getSession(server, victim.sid(), "Bearer " + victim.token()).statusCode(),
                "still serving");
    }

    // ---------------------------------------------------------------- the Authorization header itself

    /** Whitespace inside the credential, or in place of the one space: 401 invalid_token. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "two spaces after Bearer",
                "a tab after Bearer",
                "a space inside the token",
                "a space after a dot",
                "a no-break space after the token",
                "a comma and a second token"
            })
    void embedEndpointWhenWhitespaceInsideTheCredentialThenUnauthorized(String where) throws Exception {
        String token = victim.token();

        String value = switch (where) {
            case "two spaces after Bearer" -> "Bearer  " + token;
            case "a tab after Bearer" -> "Bearer\t" + token;
            case "a space inside the token" -> "Bearer " + token.substring(0, 20) + " " + token.substring(20);
            case "a space after a dot" -> "Bearer " + token.replaceFirst("\\.", ". ");
            case "a no-break space after the token" -> "Bearer " + token + "\u00a0";
            default -> "Bearer " + token + ", Bearer " + token;
        };
        RawHttp.Answer answer = RawHttp.send(
                server.base(),
                "GET " + sessionUri(server, victim.sid()).getRawPath() + " HTTP/1.1\nAuthorization: " + value,
                null);

        assertEquals(401, answer.status(), answer.body());
        assertEquals("invalid_token", Json.parseObject(answer.body()).get("error"));
        assertTrue(answer.header("WWW-Authenticate").startsWith("Bearer realm=\"embed\""));
    }

    /**
     * Decided: whitespace around the whole field value is not part of it (RFC 9110 §5.5), the
     * container drops it, and the request is the same as without it. A folded line (obs-fold) is
     * the container's 400 (RFC 9112 §5.2).
     */
    @Test
    void embedEndpointWhenWhitespaceAroundTheFieldValueThenTheSameRequestAndFoldingRefused() throws Exception {
        String path = sessionUri(server, victim.sid()).getRawPath();
        RawHttp.Answer plain =
                RawHttp.send(server.base(), "GET " + path + " HTTP/1.1\nAuthorization: Bearer " + victim.token(), null);
        RawHttp.Answer trailing = RawHttp.send(
                server.base(), "GET " + path + " HTTP/1.1\nAuthorization: Bearer " + victim.token() + " \t ", null);
        RawHttp.Answer leading = RawHttp.send(
                server.base(), "GET " + path + " HTTP/1.1\nAuthorization: \t  Bearer " + victim.token(), null);
        RawHttp.Answer folded = RawHttp.send(
                server.base(), "GET " + path + " HTTP/1.1\nAuthorization: Bearer\n " + victim.token(), null);

        assertEquals(200, plain.status(), plain.body());
        assertEquals(plain.status(), trailing.status(), trailing.body());
        assertEquals(plain.body(), trailing.body());
        assertEquals(plain.status(), leading.status(), leading.body());
        assertEquals(plain.body(), leading.body());
        assertEquals(400, folded.status());
    }

    /** RFC 6750 §3.1: more than one method of sending the credential is 400 invalid_request. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "the same token twice",
                "a valid token then garbage",
                "garbage then a valid token",
                "a valid token then an empty header"
            })
    void embedEndpointWhenTwoAuthorizationHeadersThenBadRequestOnBothEndpoints(String pair) throws Exception {
        String token = victim.token();
        String first = pair.startsWith("garbage") ? "Bearer not-a-token" : "Bearer " + token;
        String second = pair.endsWith("twice") || pair.startsWith("garbage")
                ? "Bearer " + token
                : pair.endsWith("garbage") ? "Bearer not-a-token" : "";
        String path = sessionUri(server, victim.sid()).getRawPath();

        RawHttp.Answer get = RawHttp.send(
                server.base(),
                "GET " + path + " HTTP/1.1\nAuthorization: " + first + "\nAuthorization: " + second,
                null);
        RawHttp.Answer post = RawHttp.send(
                server.base(),
                "POST " + path + "/messages HTTP/1.1\nAuthorization: " + first + "\nAuthorization: " + second
                        + "\nContent-Type: application/json",
                "{\"message\": \"twice\"}");

        for (RawHttp.Answer answer : List.of(get, post)) {
            assertEquals(400, answer.status(), answer.body());
            assertEquals("invalid_request", Json.parseObject(answer.body()).get("error"));
        }
        assertEquals(List.of(), messages(server, victim));
    }

    /** RFC 7235 §2.1: the scheme is case-insensitive, so {@code bearer} changes nothing either way. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bearer", "BEARER", "bEaReR"})
    void embedEndpointWhenSchemeInAnotherCaseThenSameAnswerAsBearer(String scheme) throws Exception {
        Victim mine = victim(server);
        Victim other = victim(server);
        long now = now();
        Map<String, Object> expired = TokenForge.claims(mine.sid(), now - 7_200);
        String expiredToken = TokenForge.hs256(TokenForge.header("HS256", mine.kid()), Json.write(expired), SECRET);

        HttpResponse<String> canonical = getSession(server, mine.sid(), "Bearer " + mine.token());
        HttpResponse<String> cased = getSession(server, mine.sid(), scheme + " " + mine.token());
        assertEquals(200, canonical.statusCode(), canonical.body());
        assertEquals(canonical.statusCode(), cased.statusCode(), cased.body());
        assertEquals(canonical.body(), cased.body());
        assertEquals(
                202,
                postMessage(server, mine.sid(), scheme + " " + mine.token(), "{\"message\": \"hi\"}")
                        .statusCode());

        assertInvalidToken(getSession(server, mine.sid(), scheme + " " + flipMiddleBit(mine.token())), SIGNATURE);
        assertInvalidToken(getSession(server, mine.sid(), scheme + " " + expiredToken), EXPIRED);
        HttpResponse<String> otherSession = getSession(server, other.sid(), scheme + " " + mine.token());
        assertEquals(403, otherSession.statusCode());
        assertEquals("insufficient_scope", Http.json(otherSession).get("error"));
        assertEquals(
                204,
                Http.delete(mintUri(server, "demo", "support", "embed-sessions/" + mine.sid()), TestKeys.ACME_KEY)
                        .statusCode());
        assertInvalidToken(getSession(server, mine.sid(), scheme + " " + mine.token()), REVOKED);
        assertInvalidToken(
                postMessage(server, mine.sid(), scheme + " " + mine.token(), "{\"message\": \"hi\"}"), REVOKED);
    }

    /** RFC 6750 §2/§3.1: a credential in the URL is 400, alone or beside a valid header; nothing stored. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"access_token", "token", "ACCESS_TOKEN", "access%5Ftoken", "api_key", "authorization"})
    void embedEndpointWhenCredentialInQueryStringThenBadRequestEvenWithAValidHeader(String parameter) throws Exception {
        String query = "?" + parameter + "=" + victim.token();
        URI get = URI.create(sessionUri(server, victim.sid()) + query);
        URI post = URI.create(sessionUri(server, victim.sid()) + "/messages" + query);

        List<HttpResponse<String>> answers = List.of(
                Http.get(get, null),
                Http.get(get, victim.token()),
                Http.postJson(post, null, "{\"message\": \"in the url\"}"),
                Http.postJson(post, victim.token(), "{\"message\": \"in the url\"}"));

        for (HttpResponse<String> answer : answers) {
            assertError(400, "invalid_request", answer);
        }
        assertEquals(List.of(), messages(server, victim));
    }

    /** The percent-encoding of the query string is the client's to get right: never a 500. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"%zz", "after=%zz", "wait=%zz", "after=%", "wait=%FF%FE", "after=%00", "wait=1%0d%0aX:y"})
    void embedEndpointWhenQueryStringMalformedThenBadRequestOrIgnoredNever500(String query) throws Exception {
        RawHttp.Answer answer = RawHttp.send(
                server.base(),
                "GET " + sessionUri(server, victim.sid()).getRawPath() + "?" + query
                        + " HTTP/1.1\nAuthorization: Bearer " + victim.token(),
                null);

        assertTrue(answer.status() == 200 || answer.status() == 400, answer.status() + " " + answer.body());
        Map<String, Object> body = Json.parseObject(answer.body());
        if (answer.status() == 400) {
            assertEquals("invalid_request", body.get("error"));
        }
        assertNotNull(answer.header("X-Frame-Options"));
    }

    /**
     * A token differing from a genuine one only in the case of one letter, sent on the connection
     * that just carried the genuine one, is another token: 401. (Jetty's default header cache
     * matches values case-insensitively and would hand the library the genuine one.)
     */
    @Test
    void embedEndpointWhenCaseVariantOfAGenuineTokenFollowsItOnTheSameConnectionThenUnauthorized() throws Exception {
        String path = sessionUri(server, victim.sid()).getRawPath();
        String variant = caseVariant(victim.token());
        assertTrue(variant.equalsIgnoreCase(victim.token()) && !variant.equals(victim.token()));

        List<RawHttp.Answer> answers = RawHttp.sendOnOneConnection(
                server.base(),
                List.of(
                        "GET " + path + " HTTP/1.1\nAuthorization: Bearer " + victim.token(),
                        "GET " + path + " HTTP/1.1\nAuthorization: Bearer " + variant,
                        "GET " + path + " HTTP/1.1\nAuthorization: bearer " + variant,
                        "GET " + path + " HTTP/1.1\nAuthorization: Bearer " + victim.token()));

        assertEquals(200, answers.get(0).status(), answers.get(0).body());
        assertEquals(401, answers.get(1).status(), answers.get(1).body());
        assertEquals(401, answers.get(2).status(), answers.get(2).body());
        assertEquals(200, answers.get(3).status(), answers.get(3).body());
    }

    /** The hosted page of flow C reads its token from the query: a malformed one is no token, never a 500. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"token=%zz", "token=%", "%zz", "token=%FF%FE", "token=a%00b"})
    void hostedPageWhenQueryStringMalformedThenPageServedNever500(String query) throws Exception {
        RawHttp.Answer answer = RawHttp.send(
                server.base(),
                "GET " + server.uri("/embed/agents/support").getRawPath() + "?" + query + " HTTP/1.1",
                null);

        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.header("Content-Security-Policy").contains("frame-ancestors"));
    }

    /**
     * A path that names the token's session as sent but another one once normalised (dot
     * segments, encoded separators, path parameters) never reaches the other session, through the
     * library's endpoints or a host endpoint behind the token check: 4xx, nothing stored in either.
     */
    @Test
    void embedEndpointWhenPathNamesAnotherSessionThroughDotSegmentsThenRefused() throws Exception {
        Victim mine = victim(server);
        Victim other = victim(server);
        String base = server.base().getRawPath() + "/api/v1/embed/chat-sessions/";
        for (String path : List.of(
                "{a}/../{b}",
                "{a}/../{b}/whoami",
                "{a}/../{b}/messages",
                "{a}/./../{b}/whoami",
                "{a};x=1/../{b}/whoami",
                "{a}/..;/{b}/whoami",
                "{a}/%2e%2e/{b}/whoami",
                "{a}/..%2F{b}/whoami",
                "{b};{a}/whoami",
                "{a}%2F..%2F{b}/whoami")) {
            String target = base + path.replace("{a}", mine.sid()).replace("{b}", other.sid());
            RawHttp.Answer get = RawHttp.send(
                    server.base(), "GET " + target + " HTTP/1.1\nAuthorization: Bearer " + mine.token(), null);
            RawHttp.Answer post = RawHttp.send(
                    server.base(),
                    "POST " + target + " HTTP/1.1\nAuthorization: Bearer " + mine.token()
                            + "\nContent-Type: application/json",
                    "{\"message\": \"into another session\"}");

            for (RawHttp.Answer answer : List.of(get, post)) {
                assertTrue(
                        answer.status() >= 400 && answer.status() < 500,
                        path + " answered " + answer.status() + " " + answer.body());
            }
        }
        assertEquals(List.of(), messages(server, other));
        assertEquals(List.of(), messages(server, mine));
        HttpResponse<String> whoami = Http.get(URI.create(sessionUri(server, mine.sid()) + "/whoami"), mine.token());
        assertEquals(200, whoami.statusCode(), "the probe answers its own session: " + whoami.body());
    }

    /** An API key is never an embed token: 401 on both §4 endpoints, and nothing stored. */
    @Test
    void embedEndpointWhenApiKeyPresentedAsTokenThenUnauthorized() throws Exception {
        for (String key : List.of(TestKeys.ACME_KEY, TestKeys.GLOBEX_KEY)) {
            assertInvalidToken(getSession(server, victim.sid(), "Bearer " + key), API_KEY_AS_TOKEN);
            assertInvalidToken(
                    postMessage(server, victim.sid(), "Bearer " + key, "{\"message\": \"as a key\"}"),
                    API_KEY_AS_TOKEN);
        }
        assertEquals(List.of(), messages(server, victim));
    }

    // ================================================================ 2. mint and redeem attacks

    /** The mint endpoints, each with a body it accepts and how it takes its key. */
    enum Mint {
        EMBED_URLS("/api/v1/spaces/demo/agents/support/embed-urls", "{\"externalUserId\": \"customer-123\"}"),
        EMBED_SESSIONS("/api/v1/spaces/demo/agents/support/embed-sessions", "{\"externalUserId\": \"customer-123\"}"),
        VISITOR("/v1/embed-tokens/request", "{\"agent_id\": \"support\", \"fingerprint\": \"FP\"}"),
        IFRAME("/api/v1/iframe/create", "{\"uid\": \"customer-123\", \"srcs\": [\"docs\"]}");

        final String path;
        final String body;

        Mint(String path, String body) {
            this.path = path;
            this.body = body;
        }

        /** The accepted body, with a fresh fingerprint for flow C (whose mints are rate-limited per device). */
        String body() {
            return body.replace("FP", fingerprint());
        }

        HttpRequest.Builder request(Deployment deployment, String credential, String query) {
            HttpRequest.Builder request = HttpRequest.newBuilder(deployment.uri(path + (query == null ? "" : query)))
                    .timeout(Duration.ofSeconds(60));
            if (credential != null) {
                if (this == VISITOR) {
                    request.header("api-secret", credential);
                } else {
                    request.header("Authorization", "Bearer " + credential);
                }
            }
            return request;
        }

        HttpResponse<String> post(Deployment deployment, String credential, String json) throws Exception {
            return Http.send(request(deployment, credential, null)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build());
        }
    }

    /** Asserts that {@code request} answers {@code status}/{@code code} and creates no session. */
    private HttpResponse<String> assertRefusedAndNothingCreated(int status, String code, Request request)
            throws Exception {
        long before = sessionCount(server);
        HttpResponse<String> response = request.send();
        assertError(status, code, response);
        assertEquals(before, sessionCount(server), "a refused request created a session");
        return response;
    }

    @FunctionalInterface
    interface Request {
        HttpResponse<String> send() throws Exception;
    }

    static String deep(int depth, boolean objects) {
        return objects ? "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) : "[".repeat(depth) + "]".repeat(depth);
    }

    /** The body with one more member (its value raw JSON), before its closing brace. */
    static String with(String body, String member, String rawJson) {
        return body.substring(0, body.lastIndexOf('}')) + ", \"" + member + "\": " + rawJson + "}";
    }

    /** JSON nested 10,000 deep anywhere in a body: 400 before anything is created. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mint.class)
    void mintWhenJsonNestedTenThousandDeepThenBadRequestAndNothingCreated(Mint mint) throws Exception {
        for (boolean objects : new boolean[] {false, true}) {
            String nested = deep(10_000, objects);
            assertRefusedAndNothingCreated(
                    400,
                    "invalid_request",
                    () -> mint.post(server, TestKeys.ACME_KEY, with(mint.body(), "extra", nested)));
            assertRefusedAndNothingCreated(
                    400, "invalid_request", () -> mint.post(server, TestKeys.ACME_KEY, "{\"a\":" + nested + "}"));
        }
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.IFRAME.post(
                        server,
                        TestKeys.ACME_KEY,
                        "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"theme\": " + deep(10_000, true) + "}"));
    }

    @Test
    void redeemAndChatWhenJsonNestedTenThousandDeepThenBadRequest() throws Exception {
        String cacheKey = cacheKey();
        for (boolean objects : new boolean[] {false, true}) {
            String nested = deep(10_000, objects);
            assertError(
                    400,
                    "invalid_request",
                    Http.postJson(
                            server.uri("/api/v1/iframe/token"),
                            null,
                            "{\"cache_key\": \"" + cacheKey + "\", \"x\": " + nested + "}"));
            assertError(
                    400,
                    "invalid_request",
                    postMessage(
                            server,
                            victim.sid(),
                            "Bearer " + victim.token(),
                            "{\"message\": \"deep\", \"x\": " + nested + "}"));
        }
        assertEquals(List.of(), messages(server, victim));
        assertEquals(200, redeem(cacheKey).statusCode(), "a refused redemption consumed the link");
    }

    /** 10 MB, announced or chunked: 413 before anything is read further or created. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mint.class)
    void mintWhenBodyOfTenMegabytesThenPayloadTooLargeAndNothingCreated(Mint mint) throws Exception {
        String huge = with(mint.body(), "pad", "\"" + "x".repeat(10 * 1024 * 1024) + "\"");
        assertRefusedAndNothingCreated(413, "invalid_request", () -> mint.post(server, TestKeys.ACME_KEY, huge));
        assertRefusedAndNothingCreated(
                413,
                "invalid_request",
                () -> Http.send(mint.request(server, TestKeys.ACME_KEY, null)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))))
                        .build()));
    }

    @Test
    void redeemAndChatWhenBodyOfTenMegabytesThenPayloadTooLarge() throws Exception {
        String pad = "x".repeat(10 * 1024 * 1024);
        String cacheKey = cacheKey();
        assertError(
                413,
                "invalid_request",
                Http.postJson(
                        server.uri("/api/v1/iframe/token"),
                        null,
                        "{\"cache_key\": \"" + cacheKey + "\", \"pad\": \"" + pad + "\"}"));
        assertError(
                413,
                "invalid_request",
                postMessage(server, victim.sid(), "Bearer " + victim.token(), "{\"message\": \"" + pad + "\"}"));
        assertEquals(List.of(), messages(server, victim));
        assertEquals(200, redeem(cacheKey).statusCode(), "a refused redemption consumed the link");
    }

    /** 1e309 is not a number Java can hold, -0 is 0: neither is an allowed integer. */
    @ParameterizedTest(name = "{0}: {1}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "EMBED_URLS     | ttlSeconds | 1e309",
                "EMBED_URLS     | ttlSeconds | -1e309",
                "EMBED_URLS     | ttlSeconds | -0",
                "EMBED_URLS     | ttlSeconds | -0.0",
                "EMBED_URLS     | ttlSeconds | 3.6e3",
                "EMBED_URLS     | ttlSeconds | 36000000000000000000000",
                "EMBED_SESSIONS | ttlSeconds | 1e309",
                "EMBED_SESSIONS | ttlSeconds | -0",
                "IFRAME         | ttl        | 1e309",
                "IFRAME         | ttl        | -0",
                "IFRAME         | theme_id   | 1e309",
                "IFRAME         | theme_id   | -0",
                "IFRAME         | limits     | {\"hourly\": 1e309}",
                "IFRAME         | limits     | {\"daily\": -0}",
                "VISITOR        | agent_id   | 1e309",
                "VISITOR        | fingerprint | -0",
            })
    void mintWhenNumberOverflowsOrIsNegativeZeroThenBadRequestAndNothingCreated(Mint mint, String field, String number)
            throws Exception {
        String body = Json.write(withoutField(mint.body(), field));
        assertRefusedAndNothingCreated(
                400, "invalid_request", () -> mint.post(server, TestKeys.ACME_KEY, with(body, field, number)));
    }

    private static Map<String, Object> withoutField(String body, String field) {
        Map<String, Object> map = new LinkedHashMap<>(Json.parseObject(body));
        map.remove(field);
        return map;
    }

    /** Duplicate members are ambiguous (RFC 8259 §4): 400, at the top and nested. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mint.class)
    void mintWhenDuplicateKeyThenBadRequestAndNothingCreated(Mint mint) throws Exception {
        String body = mint.body();
        String first = body.substring(body.indexOf('"') + 1, body.indexOf('"', body.indexOf('"') + 1));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> mint.post(server, TestKeys.ACME_KEY, with(body, first, "\"someone-else\"")));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> mint.post(server, TestKeys.ACME_KEY, with(body, "extra", "{\"a\": 1, \"a\": 2}")));
        if (mint == Mint.IFRAME) {
            assertRefusedAndNothingCreated(
                    400,
                    "invalid_request",
                    () -> mint.post(
                            server,
                            TestKeys.ACME_KEY,
                            with(body, "theme", "{\"theme_mode\": \"dark\", \"theme_mode\": \"light\"}")));
        }
    }

    @Test
    void redeemWhenRefusedThenTheLinkIsNotConsumed() throws Exception {
        String cacheKey = cacheKey();
        String other = cacheKey();
        for (String body : List.of(
                "{\"cache_key\": \"" + cacheKey + "\", \"cache_key\": \"" + other + "\"}",
                "{\"cache_key\": \"" + other + "\", \"cache_key\": \"" + cacheKey + "\"}",
                "{\"cache_key\": [\"" + cacheKey + "\"]}",
                "{\"cache_key\": {\"$eq\": \"" + cacheKey + "\"}}",
                "{\"cache_key\": \"" + cacheKey + "\"")) {
            assertError(400, "invalid_request", Http.postJson(server.uri("/api/v1/iframe/token"), null, body));
        }
        assertError(
                415,
                "invalid_request",
                Http.send(HttpRequest.newBuilder(server.uri("/api/v1/iframe/token"))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"cache_key\": \"" + cacheKey + "\"}"))
                        .build()));
        assertError(404, "not_found", redeem(cacheKey.toUpperCase(java.util.Locale.ROOT)));
        assertError(404, "not_found", redeem("x".repeat(10_000)));

        assertEquals(200, redeem(cacheKey).statusCode());
        assertEquals(200, redeem(other).statusCode());
    }

    /** Every field of every flow, given each JSON type it is not: 400 naming the field; nothing created. */
    Stream<Arguments> wrongTypes() {
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("string", "\"x\"");
        kinds.put("integer", "7");
        kinds.put("float", "7.5");
        kinds.put("boolean", "true");
        kinds.put("array", "[\"x\"]");
        kinds.put("object", "{\"x\": 1}");
        Map<Mint, Map<String, String>> fields = new LinkedHashMap<>();
        fields.put(
                Mint.EMBED_URLS,
                Map.of(
                        "externalUserId",
                        "string",
                        "displayName",
                        "string",
                        "ttlSeconds",
                        "integer",
                        "sessionId",
                        "string",
                        "mode",
                        "string"));
        fields.put(Mint.EMBED_SESSIONS, fields.get(Mint.EMBED_URLS));
        fields.put(Mint.VISITOR, Map.of("agent_id", "string", "fingerprint", "string"));
        Map<String, String> iframe = new LinkedHashMap<>();
        iframe.put("uid", "string");
        iframe.put("srcs", "array");
        iframe.put("ttl", "integer");
        iframe.put("knowledge_base_entries", "array");
        iframe.put("reference_queries", "array");
        iframe.put("model", "string");
        iframe.put("response_mode", "string");
        iframe.put("theme", "object");
        iframe.put("theme_id", "integer");
        iframe.put("show_sidebar", "boolean");
        iframe.put("show_dashboards", "boolean");
        iframe.put("limits", "object");
        fields.put(Mint.IFRAME, iframe);
        List<Arguments> cases = new ArrayList<>();
        fields.forEach((mint, byField) -> new java.util.TreeMap<>(byField)
                .forEach((field, type) -> kinds.forEach((kind, json) -> {
                    // ["x"] is the right kind for srcs and knowledge_base_entries, but an array of strings is
                    // no list of reference queries: a wrong type there.
                    if (!kind.equals(type) || "reference_queries".equals(field)) {
                        cases.add(Arguments.of(mint, field, kind, json));
                    }
                })));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} as {2}")
    @MethodSource("wrongTypes")
    void mintWhenFieldHasWrongTypeThenBadRequestAndNothingCreated(Mint mint, String field, String kind, String json)
            throws Exception {
        String body = with(Json.write(withoutField(mint.body(), field)), field, json);
        HttpResponse<String> response = assertRefusedAndNothingCreated(
                400, "invalid_request", () -> mint.post(server, TestKeys.ACME_KEY, body));
        assertTrue(response.body().contains(field), "the error names the field: " + response.body());
    }

    /** C0/C1 controls, DEL and the Unicode line separators: 400; no header, no log line injected. */
    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "EMBED_URLS     | externalUserId",
                "EMBED_URLS     | displayName",
                "EMBED_SESSIONS | externalUserId",
                "EMBED_SESSIONS | displayName",
                "IFRAME | uid"
            })
    void mintWhenControlCharactersInIdOrNameThenBadRequestWithoutHeaderOrLogInjection(Mint mint, String field)
            throws Exception {
        List<String> injections = List.of(
                "a\r\nX-Injected: 1",
                "a\nX-Injected: 1",
                "a\rX-Injected: 1",
                "a\u0000b",
                "a\tb",
                "\u001b[2J\u001b[31mX-Injected",
                "a\u007fb",
                "a\u0085X-Injected: 1",
                "a\u2028X-Injected: 1",
                "a\u2029b",
                "a\u0000\r\n\r\nHTTP/1.1 200 OK");
        for (String value : injections) {
            Map<String, Object> body = new LinkedHashMap<>(Json.parseObject(mint.body()));
            body.put(field, value);
            HttpResponse<String> response = assertRefusedAndNothingCreated(
                    400, "invalid_request", () -> mint.post(server, TestKeys.ACME_KEY, Json.write(body)));
            assertTrue(response.headers().map().keySet().stream().noneMatch(h -> h.equalsIgnoreCase("X-Injected")));
            assertFalse(response.body().contains("X-Injected"), "the error echoes the value: " + response.body());
            for (String header : response.headers().map().keySet()) {
                for (String headerValue : response.headers().allValues(header)) {
                    assertFalse(headerValue.contains("X-Injected"), header + ": " + headerValue);
                }
            }
        }
        assertTrue(LogCapture.records().stream().noneMatch(r -> r.contains("X-Injected")), "a value reached the log");
    }

    /**
     * Decided: ids are opaque: compared code point for code point, never normalised (no case
     * folding, no NFC/NFKC, no confusable mapping). A look-alike is another user: it gets its own
     * session, and cannot continue, read or end the original user's.
     */
    @Test
    void mintWhenUnicodeLookAlikeOfAnotherUserThenDistinctUserWhoCannotContinueTheSession() throws Exception {
        String owner = "customer-123";
        HttpResponse<String> minted = Mint.EMBED_SESSIONS.post(
                server, TestKeys.ACME_KEY, "{\"externalUserId\": \"" + owner + "\", \"ttlSeconds\": 600}");
        assertEquals(200, minted.statusCode());
        String sid = (String) Http.json(minted).get("sessionId");
        String ownerToken = (String) Http.json(minted).get("token");
        EmbedSession original = server.embed().store().sessions().find(sid).orElseThrow();

        List<String> lookAlikes = List.of(
                "c\u0443stomer-123", // CYRILLIC SMALL LETTER U for u
                "\u0441ustomer-123", // CYRILLIC SMALL LETTER ES for c
                "customer\u2010123", // HYPHEN for the hyphen-minus
                "customer\u2011123", // NON-BREAKING HYPHEN
                "customer-\uff11\uff12\uff13", // FULLWIDTH DIGITs
                "customer-123\u200b", // a ZERO WIDTH SPACE after it
                "\u202ecustomer-123", // a RIGHT-TO-LEFT OVERRIDE before it
                "Customer-123", // another case
                "customer-123 ", // a trailing space
                "customer-123\u0301"); // a COMBINING ACUTE ACCENT
        for (String lookAlike : lookAlikes) {
            HttpResponse<String> cont = Mint.EMBED_SESSIONS.post(
                    server,
                    TestKeys.ACME_KEY,
                    Json.write(Map.of("externalUserId", lookAlike, "sessionId", sid, "ttlSeconds", 86_400)));
            assertError(403, "insufficient_scope", cont);

            HttpResponse<String> own = Mint.EMBED_SESSIONS.post(
                    server, TestKeys.ACME_KEY, Json.write(Map.of("externalUserId", lookAlike)));
            assertEquals(200, own.statusCode(), own.body());
            String token = (String) Http.json(own).get("token");
            assertEquals(lookAlike, TokenForge.part(token, 1).get("sub"), "the id is kept exactly as sent");
            assertNotEquals(sid, Http.json(own).get("sessionId"));
            assertEquals(403, getSession(server, sid, "Bearer " + token).statusCode());
        }
        // The original session is untouched: same owner, same expiry, and its token still works.
        assertEquals(original, server.embed().store().sessions().find(sid).orElseThrow());
        assertEquals(200, getSession(server, sid, "Bearer " + ownerToken).statusCode());
    }

    /** Ids of 10,000 characters, in the body and in the path: 4xx, nothing created. */
    @Test
    void mintWhenIdsOfTenThousandCharactersThenRefusedAndNothingCreated() throws Exception {
        String id = "i".repeat(10_000);
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.EMBED_URLS.post(server, TestKeys.ACME_KEY, "{\"externalUserId\": \"" + id + "\"}"));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.EMBED_SESSIONS.post(
                        server, TestKeys.ACME_KEY, "{\"externalUserId\": \"u\", \"displayName\": \"" + id + "\"}"));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.EMBED_SESSIONS.post(
                        server, TestKeys.ACME_KEY, "{\"externalUserId\": \"u\", \"sessionId\": \"" + id + "\"}"));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.VISITOR.post(
                        server,
                        TestKeys.ACME_KEY,
                        "{\"agent_id\": \"" + id + "\", \"fingerprint\": \"" + fingerprint() + "\"}"));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.VISITOR.post(
                        server,
                        TestKeys.ACME_KEY,
                        "{\"agent_id\": \"support\", \"fingerprint\": \"" + "a".repeat(10_000) + "\"}"));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.IFRAME.post(server, TestKeys.ACME_KEY, "{\"uid\": \"" + id + "\", \"srcs\": [\"docs\"]}"));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Mint.IFRAME.post(server, TestKeys.ACME_KEY, "{\"uid\": \"u\", \"srcs\": [\"" + id + "\"]}"));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Http.postJson(mintUri(server, id, "support", "embed-sessions"), TestKeys.ACME_KEY, SEED));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Http.postJson(mintUri(server, "demo", id, "embed-urls"), TestKeys.ACME_KEY, SEED));
        assertRefusedAndNothingCreated(
                400,
                "invalid_request",
                () -> Http.delete(mintUri(server, "demo", "support", "embed-sessions/" + id), TestKeys.ACME_KEY));
        HttpResponse<String> chat = getSession(server, id, "Bearer " + victim.token());
        assertTrue(chat.statusCode() == 403 || chat.statusCode() == 400, chat.statusCode() + " " + chat.body());
    }

    /** A key in the URL is refused, with or without the header: 400, nothing created or ended. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mint.class)
    void mintWhenApiKeyInQueryStringThenBadRequestAndNothingCreated(Mint mint) throws Exception {
        for (String parameter : List.of("api_key", "api-secret", "key", "access_token", "API_KEY")) {
            for (String header : new String[] {TestKeys.ACME_KEY, null}) {
                assertRefusedAndNothingCreated(
                        400,
                        "invalid_request",
                        () -> Http.send(mint.request(server, header, "?" + parameter + "=" + TestKeys.ACME_KEY)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(mint.body()))
                                .build()));
            }
        }
        Victim live = victim(server);
        assertError(
                400,
                "invalid_request",
                Http.delete(
                        URI.create(mintUri(server, "demo", "support", "embed-sessions/" + live.sid()) + "?api_key="
                                + TestKeys.ACME_KEY),
                        TestKeys.ACME_KEY));
        assertTrue(
                server.embed().store().sessions().find(live.sid()).isPresent(), "a refused DELETE ended the session");
    }

    /** Two credential headers on a mint endpoint are one method too many (RFC 6750 §3.1): 400, nothing created. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mint.class)
    void mintWhenTwoCredentialHeadersThenBadRequestAndNothingCreated(Mint mint) throws Exception {
        String header = mint == Mint.VISITOR ? "api-secret: " : "Authorization: Bearer ";
        long before = sessionCount(server);
        for (String second : List.of(TestKeys.ACME_KEY, TestKeys.GLOBEX_KEY, "")) {
            RawHttp.Answer answer = RawHttp.send(
                    server.base(),
                    "POST " + server.uri(mint.path).getRawPath() + " HTTP/1.1\n" + header + TestKeys.ACME_KEY + "\n"
                            + header + second + "\nContent-Type: application/json",
                    mint.body());
            assertEquals(400, answer.status(), answer.body());
            assertTrue(answer.body().contains("invalid_request"), answer.body());
        }
        assertEquals(before, sessionCount(server));
    }

    /** A key of another tenant may not mint for, nor end the sessions of, a space/agent it was not given. */
    @Test
    void mintWhenKeyOfAnotherTenantThenForbiddenAndNothingCreatedOrEnded() throws Exception {
        for (String collection : List.of("embed-urls", "embed-sessions")) {
            assertRefusedAndNothingCreated(
                    403,
                    "insufficient_scope",
                    () -> Http.postJson(mintUri(server, "demo", "support", collection), TestKeys.GLOBEX_KEY, SEED));
            assertRefusedAndNothingCreated(
                    403,
                    "insufficient_scope",
                    () -> Http.postJson(mintUri(server, "other", "bot", collection), TestKeys.ACME_KEY, SEED));
        }
        assertRefusedAndNothingCreated(
                403,
                "insufficient_scope",
                () -> Mint.VISITOR.post(
                        server,
                        TestKeys.ACME_KEY,
                        "{\"agent_id\": \"other/bot\", \"fingerprint\": \"" + fingerprint() + "\"}"));
        assertRefusedAndNothingCreated(
                403,
                "insufficient_scope",
                () -> Mint.IFRAME.post(
                        server, TestKeys.ACME_KEY, "{\"uid\": \"u\", \"srcs\": [\"docs\", \"payroll\"]}"));

        Victim acme = victim(server);
        HttpResponse<String> mintedForGlobex =
                Http.postJson(mintUri(server, "other", "bot", "embed-sessions"), TestKeys.GLOBEX_KEY, SEED);
        assertEquals(200, mintedForGlobex.statusCode(), mintedForGlobex.body());
        String globexSid = (String) Http.json(mintedForGlobex).get("sessionId");
        assertError(
                403,
                "insufficient_scope",
                Http.delete(mintUri(server, "demo", "support", "embed-sessions/" + acme.sid()), TestKeys.GLOBEX_KEY));
        assertError(
                403,
                "insufficient_scope",
                Http.delete(mintUri(server, "other", "bot", "embed-sessions/" + globexSid), TestKeys.ACME_KEY));
        // Continuing another tenant's session through an agent the key may use is refused too.
        assertError(
                403,
                "insufficient_scope",
                Http.postJson(
                        mintUri(server, "demo", "support", "embed-sessions"),
                        TestKeys.ACME_KEY,
                        "{\"externalUserId\": \"customer-123\", \"sessionId\": \"" + globexSid + "\"}"));
        assertTrue(server.embed().store().sessions().find(acme.sid()).isPresent());
        assertTrue(server.embed().store().sessions().find(globexSid).isPresent());
        assertEquals(
                200, getSession(server, acme.sid(), "Bearer " + acme.token()).statusCode());
    }

    /** An embed token is never an API key, whichever flow minted it: 401, nothing created or ended. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Mint.class)
    void mintWhenEmbedTokenPresentedAsApiKeyThenUnauthorizedAndNothingCreated(Mint mint) throws Exception {
        List<String> tokens = List.of(victim.token(), esVictim.token(), visitorToken(server));
        for (String token : tokens) {
            assertRefusedAndNothingCreated(401, "invalid_token", () -> mint.post(server, token, mint.body()));
        }
        assertError(
                401,
                "invalid_token",
                Http.delete(mintUri(server, "demo", "support", "embed-sessions/" + victim.sid()), victim.token()));
        assertTrue(
                server.embed().store().sessions().find(victim.sid()).isPresent(), "a refused DELETE ended the session");
    }

    /** A key with one letter swapped for a look-alike (sent as UTF-8 bytes) is no key: 401, nothing created. */
    @Test
    void mintWhenApiKeyLookAlikeThenUnauthorizedAndNothingCreated() throws Exception {
        String lookAlike = TestKeys.ACME_KEY.replace("acme", "\u0430cme");
        long before = sessionCount(server);
        RawHttp.Answer bearer = RawHttp.send(
                server.base(),
                "POST " + mintUri(server, "demo", "support", "embed-sessions").getRawPath()
                        + " HTTP/1.1\nAuthorization: Bearer " + lookAlike
                        + "\nContent-Type: application/json",
                SEED);
        RawHttp.Answer visitor = RawHttp.send(
                server.base(),
                "POST " + server.uri("/v1/embed-tokens/request").getRawPath() + " HTTP/1.1\napi-secret: " + lookAlike
                        + "\nContent-Type: application/json",
                "{\"agent_id\": \"support\", \"fingerprint\": \"" + fingerprint() + "\"}");

        assertEquals(401, bearer.status(), bearer.body());
        assertEquals(401, visitor.status(), visitor.body());
        assertEquals(before, sessionCount(server));
    }

    // ================================================================ 5. concurrency

    /** 200 mints at once, across the four flows: 200 sessions, 200 token ids, all distinct. */
    @Test
    @SuppressWarnings("unchecked")
    void mintWhen200ConcurrentMintsThen200DistinctSessionsAndTokenIds() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        List<Mint> flows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Mint mint = Mint.values()[i % 4];
            flows.add(mint);
            sent.add(Http.CLIENT.sendAsync(
                    mint.request(server, TestKeys.ACME_KEY, null)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(mint.body()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> sessions = new HashSet<>();
        Set<String> tokenIds = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < sent.size(); i++) {
            HttpResponse<String> response = sent.get(i).get(60, TimeUnit.SECONDS);
            SecretsObserver.response(response.statusCode(), response.body());
            assertEquals(200, response.statusCode(), response.body());
            Map<String, Object> body = Http.json(response);
            String sid;
            String token;
            switch (flows.get(i)) {
                case EMBED_URLS -> {
                    sid = (String) body.get("sessionId");
                    String url = (String) body.get("embedUrl");
                    token = url.substring(url.indexOf("#token=") + "#token=".length());
                }
                case EMBED_SESSIONS -> {
                    sid = (String) body.get("sessionId");
                    token = (String) body.get("token");
                }
                case VISITOR -> {
                    Map<String, Object> data = (Map<String, Object>) body.get("data");
                    sid = (String) data.get("session_id");
                    token = (String) data.get("token");
                }
                default -> {
                    // Flow D keeps no token: it is signed when the page redeems the link.
                    HttpResponse<String> redeemed = redeem((String) body.get("cache_key"));
                    assertEquals(200, redeemed.statusCode(), redeemed.body());
                    token = (String) Http.json(redeemed).get("token");
                    sid = (String) Http.json(redeemed).get("session_id");
                }
            }
            assertEquals(sid, TokenForge.part(token, 1).get("sid"));
            sessions.add(sid);
            tokenIds.add((String) TokenForge.part(token, 1).get("jti"));
            tokens.add(token);
            assertTrue(server.embed().store().sessions().find(sid).isPresent(), "session " + i + " is not registered");
        }
        assertEquals(200, sessions.size(), "distinct sessions");
        assertEquals(200, tokenIds.size(), "distinct jtis");
        assertEquals(200, tokens.size(), "distinct tokens");
    }

    /**
     * Threads hammer GET with a token (cached by the verified-token cache after its first use) while
     * another thread ends its session: every request that starts after the DELETE's answer arrived
     * is 401, however the cache and the threads interleave.
     */
    @Test
    void revokeWhenRacingWithRequestsThenNoRequestStartedAfterTheDeleteAnsweredPasses() throws Exception {
        for (int round = 0; round < 3; round++) {
            Victim racing = victim(server);
            assertEquals(
                    200,
                    getSession(server, racing.sid(), "Bearer " + racing.token()).statusCode());
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<long[]> outcomes = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(threads);
            List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    started.countDown();
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        HttpResponse<String> response = getSession(server, racing.sid(), "Bearer " + racing.token());
                        outcomes.add(new long[] {start, response.statusCode()});
                    }
                    return null;
                }));
            }
            started.await();
            awaitUntil(() -> outcomes.stream().filter(o -> o[1] == 200).count() >= 20);
            HttpResponse<String> deleted = Http.delete(
                    mintUri(server, "demo", "support", "embed-sessions/" + racing.sid()), TestKeys.ACME_KEY);
            long answered = System.nanoTime();
            assertEquals(204, deleted.statusCode(), deleted.body());
            awaitUntil(() -> outcomes.stream().filter(o -> o[0] > answered).count() >= 100);
            stop.set(true);
            for (java.util.concurrent.Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            long before = outcomes.stream().filter(o -> o[0] < answered).count();
            List<long[]> after = outcomes.stream().filter(o -> o[0] > answered).toList();
            assertTrue(outcomes.stream().anyMatch(o -> o[0] < answered && o[1] == 200), "no request passed before");
            assertTrue(
                    after.size() >= 100,
                    "too few requests after the DELETE to tell: " + after.size() + " (before: " + before + ")");
            for (long[] outcome : after) {
                assertEquals(401, outcome[1], "a request started after the DELETE answered was let through");
            }
        }
    }

    // ================================================================ helpers of the attacks

    /** Waits (at most 30 s: the machine may be busy) until the condition holds. */
    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** A fresh flow D cache key of {@link #server}. */
    private String cacheKey() throws Exception {
        HttpResponse<String> created = Http.postJson(
                server.uri("/api/v1/iframe/create"), TestKeys.ACME_KEY, "{\"uid\": \"u\", \"srcs\": [\"docs\"]}");
        assertEquals(200, created.statusCode(), created.body());
        return (String) Http.json(created).get("cache_key");
    }

    private HttpResponse<String> redeem(String cacheKey) throws Exception {
        return Http.postJson(server.uri("/api/v1/iframe/token"), null, "{\"cache_key\": \"" + cacheKey + "\"}");
    }

    private static String replacePart(String token, int index, String json) {
        String[] parts = token.split("\\.", -1);
        parts[index] = TokenForge.b64(json);
        return String.join(".", parts);
    }

    /** The token with the case of the first letter of its signature swapped. */
    private static String caseVariant(String token) {
        int at = token.lastIndexOf('.') + 1;
        while (!Character.isLetter(token.charAt(at))) {
            at++;
        }
        return token.substring(0, at) + (char) (token.charAt(at) ^ 0x20) + token.substring(at + 1);
    }

    private static String flipMiddleBit(String token) {
        int dot = token.lastIndexOf('.');
        int at = dot + (token.length() - dot) / 2;
        char c = token.charAt(at);
        char flipped =
                c == 'A' ? 'B' : c == 'B' ? 'A' : (char) (Character.isLetter(c) ? (c ^ 0x20) : (c == '0' ? '1' : '0'));
        return token.substring(0, at) + flipped + token.substring(at + 1);
    }

    private String certificate() {
        try {
            Certificate certificate = attackerCertificate.getCertificate();
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] publishedJwks() {
        try {
            HttpResponse<String> jwks = Http.get(es256.uri("/.well-known/jwks.json"), null);
            assertEquals(200, jwks.statusCode());
            return jwks.body().getBytes(StandardCharsets.UTF_8);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private String jweDirect() {
        JsonWebEncryption jwe = new JsonWebEncryption();
        jwe.setPayload(goodPayload());
        jwe.setAlgorithmHeaderValue(KeyManagementAlgorithmIdentifiers.DIRECT);
        jwe.setEncryptionMethodHeaderParameter(ContentEncryptionAlgorithmIdentifiers.AES_128_CBC_HMAC_SHA_256);
        jwe.setKeyIdHeaderValue(victim.kid());
        jwe.setKey(new AesKey(SECRET));
        try {
            return jwe.getCompactSerialization();
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private String jweToServer() {
        JsonWebEncryption jwe = new JsonWebEncryption();
        jwe.setPayload(esPayload());
        jwe.setAlgorithmHeaderValue(KeyManagementAlgorithmIdentifiers.ECDH_ES_A128KW);
        jwe.setEncryptionMethodHeaderParameter(ContentEncryptionAlgorithmIdentifiers.AES_128_CBC_HMAC_SHA_256);
        jwe.setKeyIdHeaderValue("es-1");
        jwe.setKey(signingKey.getPublicKey());
        try {
            return jwe.getCompactSerialization();
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Five parts, the first this header: what a JWE looks like to a parser, whatever the rest. */
    private static String jweShaped(String headerJson) {
        return TokenForge.b64(headerJson) + "." + TokenForge.b64("key") + "." + TokenForge.b64("iv-iv-iv-iv-") + "."
                + TokenForge.b64("ciphertext") + "." + TokenForge.b64("tag-tag-tag-tag-");
    }
}
