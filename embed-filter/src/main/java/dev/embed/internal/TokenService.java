package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.RevocationStore;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.security.Key;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwx.HeaderParameterNames;
import org.jose4j.jwx.Headers;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;
import org.jspecify.annotations.Nullable;

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
 * <p>The JWS is checked with jose4j's {@link JsonWebSignature} (algorithm allow-list, key
 * validation, {@code crit}, signature), the way its {@code JwtConsumer} checks a signed JWT, with
 * three differences: nested JWTs and unencoded payloads are refused (this library mints neither),
 * the signature is checked before the payload's JSON is parsed, and the base64url decoding of the
 * payload and the parsing of the ring's own headers are done once or by the JDK ({@link
 * VerifyingSignature}); minting likewise lets the JDK do the base64url ({@link
 * MintingSignature}). Together this halves the cost of a full verification and divides that of
 * a mint by three, with byte-identical tokens.
 *
 * <p><b>Verified-token cache.</b> The hosted page and native clients present the same token again
 * and again, so a token that verified is remembered, keyed by its exact compact serialization, with
 * the claims it carried: a repeated token skips the signature, Base64 and JSON work (about 10 µs)
 * and costs one map lookup. What can change between two uses is still checked on every use,
 * against the clock and the {@link RevocationStore} (local memory, no I/O): {@code exp}, {@code nbf} and {@code iat}, and
 * the revocation of the {@code jti} or the session, which therefore takes effect on the very next
 * request. The cache is a Caffeine map bounded by {@code maximumSize} ({@code
 * embed.tokens.verifiedCacheSize}; 0 turns it off), and each entry expires at its token's {@code
 * exp}, read on the injected clock, so no token string outlives its token. Only tokens that passed
 * every rule are entered, and only those of at most {@link #MAX_CACHED_TOKEN_LENGTH} characters:
 * a failure is never remembered, so junk tokens cost CPU (a full verification each) but no
 * memory, and nobody without a signing key can add an entry.
 *
 * <p>Immutable (but for the cache) and thread-safe.
 */
final class TokenService {
    /** Longest compact token accepted, in characters (DESIGN §2). */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    /**
     * Longest token the verified-token cache keeps, in characters: tokens this library mints are
     * far shorter (about 400), so this only bounds what one entry can cost. Longer tokens are
     * verified in full every time.
     */
    public static final int MAX_CACHED_TOKEN_LENGTH = 2 * 1024;

    /** Default {@code maximumSize} of the verified-token cache, {@code embed.tokens.verifiedCacheSize}. */
    public static final long DEFAULT_VERIFIED_CACHE_SIZE = 1_000_000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int COMMON_LIMIT = 4096;

    private final KeyRing keys;
    private final String issuer;
    private final String audience;
    private final long skewSeconds;
    private final Clock clock;
    private final RevocationStore revocations;
    /** The JWS algorithms of the ring's keys: nothing else (never {@code none}) is accepted. */
    private final AlgorithmConstraints algorithms;
    /** Parsed headers of the tokens the ring's keys mint, by their base64url text (read-only). */
    private final Map<String, Headers> knownHeaders;
    /** The base64url header of every token the signing key signs. */
    private final String encodedHeader;
    /** Verified tokens by their exact text; null when turned off. */
    private final @Nullable Cache<TokenKey, EmbedClaims> verified;
    /** The few distinct values of spc, agt and mode, so that cached claims share one copy of each. */
    private final Map<String, String> common = new ConcurrentHashMap<>();

    /** A service with a verified-token cache of {@link #DEFAULT_VERIFIED_CACHE_SIZE} entries. */
    public TokenService(
            KeyRing keys, String issuer, String audience, long skewSeconds, Clock clock, RevocationStore revocations) {
        this(keys, issuer, audience, skewSeconds, clock, revocations, DEFAULT_VERIFIED_CACHE_SIZE);
    }

    /**
     * @param verifiedCacheSize most verified tokens remembered (see the class comment); 0 turns the
     *     cache off
     */
    public TokenService(
            KeyRing keys,
            String issuer,
            String audience,
            long skewSeconds,
            Clock clock,
            RevocationStore revocations,
            long verifiedCacheSize) {
        if (verifiedCacheSize < 0) {
            throw new IllegalArgumentException("verifiedCacheSize must not be negative: " + verifiedCacheSize);
        }
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.skewSeconds = skewSeconds;
        this.clock = clock;
        this.revocations = revocations;
        this.algorithms = new AlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT, keys.algorithms().toArray(new String[0]));
        Map<String, Headers> headers = new HashMap<>();
        for (VerificationKey key : keys.all()) {
            Headers parsed = MintingSignature.headers(key);
            headers.put(parsed.getEncodedHeader(), parsed);
        }
        this.knownHeaders = Map.copyOf(headers);
        this.encodedHeader = MintingSignature.headers(keys.signer()).getEncodedHeader();
        this.verified = verifiedCacheSize == 0
                ? null
                : Caffeine.newBuilder()
                        .maximumSize(verifiedCacheSize)
                        .ticker(ExpireAt.ticker(clock))
                        .expireAfter(new ExpireAt<TokenKey, EmbedClaims>(EmbedClaims::expiresAtInstant))
                        // Drops each entry promptly at its exp, even when no request comes to trigger it.
                        .scheduler(Scheduler.systemScheduler())
                        // Maintenance (eviction, expiry) is a few hundred ns of bookkeeping: run it on the
                        // caller, not by waking a pool thread on every insertion.
                        .executor(Runnable::run)
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
        return mint(spec, now, now + spec.ttlSeconds());
    }

    /**
     * Signs a new token that expires at {@code expiresAt} (a flow D link's expiry): {@code iat} and
     * {@code nbf} are now; the spec's ttl bounds the lifetime.
     *
     * @throws IllegalArgumentException when {@code expiresAt} is not after now or lies beyond the
     *     spec's ttl
     */
    public MintedToken mintUntil(TokenSpec spec, Instant expiresAt) {
        long now = clock.instant().getEpochSecond();
        long exp = expiresAt.getEpochSecond();
        if (exp <= now || exp - now > spec.ttlSeconds()) {
            throw new IllegalArgumentException("expiresAt must be within the spec's ttl from now");
        }
        return mint(spec, now, exp);
    }

    private MintedToken mint(TokenSpec spec, long now, long exp) {
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

        String token = sign(claims.toJson());
        EmbedClaims signed = new EmbedClaims(
                spec.subject(),
                spec.sessionId(),
                jti,
                spec.kind(),
                now,
                now,
                exp,
                spec.spaceId(),
                spec.agentId(),
                spec.mode(),
                spec.displayName(),
                spec.sources(),
                spec.fingerprintHash());
        return new MintedToken(token, signed);
    }

    /** Signs claims (JSON text) with the signing key: a JWS compact serialization. */
    String sign(String claimsJson) {
        VerificationKey signer = keys.signer();
        try {
            return new MintingSignature(signer, encodedHeader, claimsJson).serialize();
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
        Cache<TokenKey, EmbedClaims> cache = verified;
        TokenKey key = cache != null && token != null && token.length() <= MAX_CACHED_TOKEN_LENGTH
                ? new TokenKey(token)
                : null;
        if (cache != null && key != null) {
            EmbedClaims cached = cache.getIfPresent(key);
            if (cached != null) {
                try {
                    checkTimeAndRevocation(cached);
                } catch (EmbedException e) {
                    // Expired or revoked: it will never pass again (but for a clock set back), so free it now.
                    cache.invalidate(key);
                    throw e;
                }
                return cached;
            }
        }
        EmbedClaims claims = parse(token);
        checkTimeAndRevocation(claims);
        if (cache != null && key != null && claims.expiresAt() > Math.floorDiv(clock.millis(), 1000L)) {
            cache.put(key, claims);
        }
        return claims;
    }

    /**
     * Checks what can change between two uses of one token: the clock against {@code exp} and
     * {@code nbf}, and revocation of its {@code jti} or session.
     */
    public void checkTimeAndRevocation(EmbedClaims claims) {
        // Epoch seconds as Instant.getEpochSecond() counts them, without allocating an Instant.
        long now = Math.floorDiv(clock.millis(), 1000L);
        if (now - skewSeconds >= claims.expiresAt()) {
            throw reject("the token has expired; mint a new one");
        }
        if (claims.notBefore() - skewSeconds > now) {
            throw reject("the token is not valid yet (nbf is in the future)");
        }
        if (claims.issuedAt() - skewSeconds > now) {
            throw reject("the token was issued in the future (iat)");
        }
        if (revocations.isTokenRevoked(claims.tokenId()) || revocations.isSessionRevoked(claims.sessionId())) {
            throw reject("the token has been revoked (its session was ended)");
        }
    }

    /** Whether this exact token is in the verified-token cache (tests). */
    boolean isCached(String token) {
        return verified != null && verified.getIfPresent(new TokenKey(token)) != null;
    }

    /** Entries of the verified-token cache after pending evictions and expiries ran (tests, metrics). */
    long verifiedCacheSize() {
        if (verified == null) {
            return 0;
        }
        verified.cleanUp();
        return verified.estimatedSize();
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
        int segmentStart = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
                requireCanonical(token, segmentStart, i);
                segmentStart = i + 1;
            } else if (!isBase64Url(c)) {
                throw reject(
                        "the token is malformed: a JWS compact serialization has only base64url characters and dots");
            }
        }
        if (dots != 2) {
            throw reject("the token is malformed: expected a signed JWT (three dot-separated parts)");
        }
        requireCanonical(token, segmentStart, token.length());
        // jose4j's JWS, as its JwtConsumer would use it for a signed JWT, but for nested JWTs and
        // unencoded payloads (never minted here), and with the signature checked before the
        // payload's JSON is parsed.
        JwtClaims claims;
        try {
            VerifyingSignature jws = new VerifyingSignature(knownHeaders);
            jws.setCompactSerialization(token);
            if (jws.getHeaders().getObjectHeaderValue(HeaderParameterNames.BASE64URL_ENCODE_PAYLOAD) != null
                    || jws.getContentTypeHeaderValue() != null) {
                throw reject("the token is malformed: it is not a plain signed JWT");
            }
            jws.setAlgorithmConstraints(algorithms);
            jws.setKey(resolve(jws));
            if (!jws.verifySignature()) {
                throw reject("the token's signature is not valid");
            }
            claims = JwtClaims.parse(jws.getPayload());
        } catch (EmbedException e) {
            throw e;
        } catch (UnresolvableKeyException e) {
            throw reject("the token's key id (kid) is unknown or used with the wrong algorithm");
        } catch (InvalidAlgorithmException e) {
            throw reject("the token's algorithm (alg) is not accepted");
        } catch (JoseException | InvalidJwtException | RuntimeException e) {
            // jose4j's own messages may quote the token: never passed on.
            throw reject("the token is malformed");
        }
        return claimsOf(claims);
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
        TokenKind kind =
                TokenKind.fromClaim(map.get("kty")).orElseThrow(() -> reject("the token has no known kty claim"));
        long iat = seconds(map, "iat");
        long exp = seconds(map, "exp");
        long nbf = map.containsKey("nbf") ? seconds(map, "nbf") : iat;
        if (exp <= iat) {
            throw reject("the token expires before it was issued");
        }
        if (exp - iat > kind.maxLifetimeSeconds()) {
            throw reject("the token lives longer than the " + kind.maxLifetimeSeconds() + " s its flow allows");
        }
        return new EmbedClaims(
                sub,
                sid,
                jti,
                kind,
                iat,
                nbf,
                exp,
                common(string(map, "spc")),
                common(string(map, "agt")),
                common(string(map, "mode")),
                string(map, "name"),
                stringList(map, "src"),
                string(map, "fp"));
    }

    /**
     * The shared copy of a claim value that few tokens differ in (space, agent, mode): a million
     * cached claims then hold one "demo" instead of a million. Only values of signed tokens come
     * here, and past {@link #COMMON_LIMIT} distinct values new ones are simply not shared.
     */
    private @Nullable String common(@Nullable String value) {
        if (value == null) {
            return null;
        }
        String known = common.get(value);
        if (known != null) {
            return known;
        }
        if (common.size() >= COMMON_LIMIT) {
            return value;
        }
        known = common.putIfAbsent(value, value);
        return known != null ? known : value;
    }

    private boolean audienceMatches(@Nullable Object aud) {
        if (aud instanceof String) {
            return audience.equals(aud);
        }
        if (aud instanceof List<?> audiences) {
            return audiences.contains(audience);
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

    private static String requiredString(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (!(value instanceof String text) || text.isEmpty() || text.length() > 256) {
            throw reject("the token has no valid " + name + " claim");
        }
        return text;
    }

    private static @Nullable String string(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw reject("the token's " + name + " claim is not a string");
        }
        return text;
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
            if (!(item instanceof String text)) {
                throw reject("the token's " + name + " claim is not a list of strings");
            }
            out.add(text);
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
        if (!(value instanceof Long seconds) || seconds < 0) {
            throw reject("the token has no valid " + name + " claim (an integer number of seconds)");
        }
        return seconds;
    }

    private static void putIfPresent(JwtClaims claims, String name, @Nullable String value) {
        if (value != null) {
            claims.setClaim(name, value);
        }
    }

    /**
     * Refuses a segment whose last character carries bits beyond its last byte (RFC 4648 §3.5):
     * a lenient decoder maps up to 16 texts to the same bytes, so without this one signed token
     * would have many accepted spellings, each a separate entry of the verified-token cache. What
     * this library (and any RFC 7515 encoder) mints is canonical.
     */
    private static void requireCanonical(String token, int start, int end) {
        int rest = (end - start) % 4;
        if (rest == 0) {
            return;
        }
        int last = base64UrlValue(token.charAt(end - 1));
        if (rest == 1 || (rest == 2 && (last & 0x0F) != 0) || (rest == 3 && (last & 0x03) != 0)) {
            throw reject("the token is malformed: a part is not canonical base64url");
        }
    }

    private static int base64UrlValue(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : 63;
    }

    /** Base64url characters by code: a table lookup does not mispredict on a token's random characters. */
    private static final boolean[] BASE64URL = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            BASE64URL[c] =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        }
    }

    private static boolean isBase64Url(char c) {
        return c < 128 && BASE64URL[c];
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
