package dev.embed.token;

import dev.embed.cache.CredentialCache;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import java.security.Key;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Mints and verifies embed tokens: JWS compact JWTs (RFC 7519, RFC 7515) made and checked with
 * jose4j, following RFC 8725.
 *
 * <p>Verification applies every rule of DESIGN §2 and answers a 401 {@link EmbedError} for any
 * failure: size over 8 KiB; anything but three dot-separated parts (so no JWE and no unsecured
 * JWT); an algorithm no configured key uses ({@code none} never); an unknown {@code kid}; a
 * {@code kid} used with an algorithm other than its own; a bad signature; {@code exp}, {@code iat}
 * or {@code nbf} missing or not an integer; {@code exp} passed or {@code nbf}/{@code iat} ahead of
 * the injected clock beyond the skew; a lifetime longer than the flow's maximum; wrong {@code
 * iss} or {@code aud}; missing {@code sub}, {@code sid}, {@code jti} or {@code kty}; a revoked
 * {@code jti} or session. jose4j's messages never reach the client.
 *
 * <p>Immutable and thread-safe.
 */
public final class TokenService {
    /** Longest compact token accepted, in characters (DESIGN §2). */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyRing keys;
    private final String issuer;
    private final String audience;
    private final long skewSeconds;
    private final Clock clock;
    private final CredentialCache credentials;
    private final JwtConsumer consumer;

    public TokenService(KeyRing keys, String issuer, String audience, long skewSeconds, Clock clock, CredentialCache credentials) {
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.skewSeconds = skewSeconds;
        this.clock = clock;
        this.credentials = credentials;
        this.consumer = new JwtConsumerBuilder()
                // Claims are checked below against the injected clock; jose4j checks structure,
                // algorithm and signature only.
                .setSkipAllDefaultValidators()
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        keys.algorithms().toArray(new String[0]))
                .setJweAlgorithmConstraints(AlgorithmConstraints.DISALLOW_NONE)
                .setVerificationKeyResolver((jws, nested) -> resolve(jws))
                .build();
    }

    public KeyRing keys() {
        return keys;
    }

    public Clock clock() {
        return clock;
    }

    /** Signs a new token; {@code iat} and {@code nbf} are now, {@code exp} is now + ttl. */
    public MintedToken mint(TokenSpec spec) {
        long now = clock.instant().getEpochSecond();
        long exp = now + spec.ttlSeconds();
        String jti = randomId();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setSubject(spec.subject());
        claims.setClaim("sid", spec.sessionId());
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setNotBefore(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(exp));
        claims.setJwtId(jti);
        claims.setClaim("kty", spec.kind().claim());
        putIfPresent(claims, "spc", spec.spaceId());
        putIfPresent(claims, "agt", spec.agentId());
        putIfPresent(claims, "mode", spec.mode());
        putIfPresent(claims, "name", spec.displayName());
        if (!spec.sources().isEmpty()) {
            claims.setStringListClaim("src", spec.sources());
        }
        putIfPresent(claims, "fp", spec.fingerprintHash());

        VerificationKey signer = keys.signer();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(signer.algorithm());
        jws.setKeyIdHeaderValue(signer.kid());
        jws.setHeader("typ", "JWT");
        jws.setKey(signer.signingKey());
        try {
            String token = jws.getCompactSerialization();
            EmbedClaims verified = new EmbedClaims(spec.subject(), spec.sessionId(), jti, spec.kind(), now, now, exp,
                    spec.spaceId(), spec.agentId(), spec.mode(), spec.displayName(), spec.sources(), spec.fingerprintHash());
            return new MintedToken(token, verified);
        } catch (JoseException e) {
            throw new IllegalStateException("embed: signing failed with the configured key " + signer.kid(), e);
        }
    }

    /**
     * Verifies a compact token and returns its claims.
     *
     * @throws EmbedException 401 {@code invalid_token} with a description safe to show a client
     */
    public EmbedClaims verify(String token) {
        EmbedClaims claims = parse(token);
        checkTimeAndRevocation(claims);
        return claims;
    }

    /**
     * Checks what can change between two uses of one token: the clock against {@code exp} and
     * {@code nbf}, and revocation of its {@code jti} or session.
     */
    public void checkTimeAndRevocation(EmbedClaims claims) {
        long now = clock.instant().getEpochSecond();
        if (now - skewSeconds >= claims.expiresAt()) {
            throw reject("the token has expired; mint a new one");
        }
        if (claims.notBefore() - skewSeconds > now) {
            throw reject("the token is not valid yet (nbf is in the future)");
        }
        if (claims.issuedAt() - skewSeconds > now) {
            throw reject("the token was issued in the future (iat)");
        }
        if (credentials.isTokenRevoked(claims.tokenId()) || credentials.isSessionRevoked(claims.sessionId())) {
            throw reject("the token has been revoked (its session was ended)");
        }
    }

    /** Structure, algorithm, key, signature and the claims that never change. */
    EmbedClaims parse(String token) {
        if (token == null || token.isEmpty()) {
            throw reject("no token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw reject("the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!isBase64Url(c)) {
                throw reject("the token is malformed: a JWS compact serialization has only base64url characters and dots");
            }
        }
        if (dots != 2) {
            throw reject("the token is malformed: expected a signed JWT (three dot-separated parts)");
        }
        JwtContext context;
        try {
            context = consumer.process(token);
        } catch (InvalidJwtException e) {
            throw reject(describe(e));
        }
        return claimsOf(context.getJwtClaims());
    }

    private EmbedClaims claimsOf(JwtClaims claims) {
        Map<String, Object> map = claims.getClaimsMap();
        String iss = string(map, "iss");
        if (!issuer.equals(iss)) {
            throw reject("the token has the wrong issuer (iss)");
        }
        if (!audienceMatches(map.get("aud"))) {
            throw reject("the token has the wrong audience (aud)");
        }
        String sub = requiredString(map, "sub");
        String sid = requiredString(map, "sid");
        String jti = requiredString(map, "jti");
        TokenKind kind = TokenKind.fromClaim(map.get("kty"))
                .orElseThrow(() -> reject("the token has no known kty claim"));
        long iat = seconds(map, "iat");
        long exp = seconds(map, "exp");
        long nbf = map.containsKey("nbf") ? seconds(map, "nbf") : iat;
        if (exp <= iat) {
            throw reject("the token expires before it was issued");
        }
        if (exp - iat > kind.maxLifetimeSeconds()) {
            throw reject("the token lives longer than the " + kind.maxLifetimeSeconds() + " s its flow allows");
        }
        return new EmbedClaims(sub, sid, jti, kind, iat, nbf, exp, string(map, "spc"), string(map, "agt"),
                string(map, "mode"), string(map, "name"), stringList(map, "src"), string(map, "fp"));
    }

    private boolean audienceMatches(Object aud) {
        if (aud instanceof String) {
            return audience.equals(aud);
        }
        if (aud instanceof List) {
            return ((List<?>) aud).contains(audience);
        }
        return false;
    }

    private Key resolve(JsonWebSignature jws) throws UnresolvableKeyException {
        VerificationKey key = keys.find(jws.getKeyIdHeaderValue());
        if (key == null) {
            throw new UnresolvableKeyException("unknown kid");
        }
        if (!key.algorithm().equals(jws.getAlgorithmHeaderValue())) {
            throw new UnresolvableKeyException("kid used with another algorithm");
        }
        return key.verificationKey();
    }

    private static String describe(InvalidJwtException e) {
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return "the token's signature is not valid";
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof UnresolvableKeyException) {
                return "the token's key id (kid) is unknown or used with the wrong algorithm";
            }
            if (t instanceof org.jose4j.lang.InvalidAlgorithmException) {
                return "the token's algorithm (alg) is not accepted";
            }
        }
        String message = String.valueOf(e.getOriginalMessage());
        if (message.contains("AlgorithmConstraints") || message.contains("algorithm")) {
            return "the token's algorithm (alg) is not accepted";
        }
        return "the token is malformed";
    }

    private static String requiredString(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (!(value instanceof String) || ((String) value).isEmpty() || ((String) value).length() > 256) {
            throw reject("the token has no valid " + name + " claim");
        }
        return (String) value;
    }

    private static String string(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String)) {
            throw reject("the token's " + name + " claim is not a string");
        }
        return (String) value;
    }

    private static List<String> stringList(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw reject("the token's " + name + " claim is not a list");
        }
        List<String> out = new ArrayList<>();
        for (Object item : (List<?>) value) {
            if (!(item instanceof String)) {
                throw reject("the token's " + name + " claim is not a list of strings");
            }
            out.add((String) item);
        }
        return out;
    }

    /**
     * NumericDate claims must be non-negative JSON integers: no strings, floats or numbers beyond a
     * long. Negative values are refused so that {@code exp - iat} and {@code nbf - skew} cannot
     * overflow past the lifetime and time checks.
     */
    private static long seconds(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (!(value instanceof Long) || (Long) value < 0) {
            throw reject("the token has no valid " + name + " claim (an integer number of seconds)");
        }
        return (Long) value;
    }

    private static void putIfPresent(JwtClaims claims, String name, String value) {
        if (value != null) {
            claims.setClaim(name, value);
        }
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static EmbedException reject(String description) {
        return EmbedError.invalidToken(description).toException();
    }

    /** 128 random bits, base64url: for {@code jti}, session ids and cache keys. */
    public static String randomId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
