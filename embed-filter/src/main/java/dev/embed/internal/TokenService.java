package dev.embed.internal;

import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.RevocationStore;
import dev.embed.token.EmbedClaims;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;

/**
 * Mints and verifies embed tokens: JWS compact JWTs (RFC 7519, RFC 7515) made and checked with
 * jose4j, following RFC 8725. Three parts, each with its own reason to change: {@link CompactJws}
 * (the serialization: form, algorithm, key, signature), {@link TokenClaims} (what the claims say),
 * {@link VerifiedTokens} (the cache of tokens that verified); this class puts them together and
 * checks what changes with time.
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
 * <p>The JWS is checked with jose4j's {@link org.jose4j.jws.JsonWebSignature} (algorithm
 * allow-list, key validation, {@code crit}, signature), the way its {@code JwtConsumer} checks a
 * signed JWT, with three differences: nested JWTs and unencoded payloads are refused (this library
 * mints neither), the signature is checked before the payload's JSON is parsed, and the base64url
 * decoding of the payload and the parsing of the ring's own headers are done once or by the JDK
 * ({@link VerifyingSignature}); minting likewise lets the JDK do the base64url ({@link
 * MintingSignature}). Together this halves the cost of a full verification and divides that of a
 * mint by three, with byte-identical tokens.
 *
 * <p><b>Verified-token cache.</b> The hosted page and native clients present the same token again
 * and again, so a token that verified is remembered ({@link VerifiedTokens}) with the claims it
 * carried: a repeated token skips the signature, Base64 and JSON work and costs one map lookup.
 * What can change between two uses is still checked on every use, against the clock and the
 * {@link RevocationStore} (local memory, no I/O): {@code exp}, {@code nbf} and {@code iat}, and the
 * revocation of the {@code jti} or the session, which therefore takes effect on the very next
 * request. Only tokens that passed every rule are entered: a failure is never remembered, so junk
 * tokens cost CPU (a full verification each) but no memory, and nobody without a signing key can
 * add an entry.
 *
 * <p>Each token is signed by the key the {@link KeyRing} chooses for its kind (flow C's visitor
 * tokens: HS256). Immutable (but for the cache) and thread-safe.
 */
final class TokenService {
    /** Longest compact token accepted, in characters (DESIGN §2). */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    /**
     * Longest token the verified-token cache keeps, in characters: tokens this library mints are
     * far shorter (about 450), so this only bounds the digest a lookup computes (an entry keeps the
     * token's SHA-256, whatever its length). Longer tokens are verified in full every time.
     */
    public static final int MAX_CACHED_TOKEN_LENGTH = 2 * 1024;

    /** Default {@code maximumSize} of the verified-token cache, {@code embed.tokens.verifiedCacheSize}. */
    public static final long DEFAULT_VERIFIED_CACHE_SIZE = 1_000_000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final KeyRing keys;
    private final long skewSeconds;
    private final Clock clock;
    private final RevocationStore revocations;
    private final CompactJws jws;
    private final TokenClaims claims;
    private final VerifiedTokens verified;

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
        this.verified = new VerifiedTokens(verifiedCacheSize, clock);
        this.keys = keys;
        this.skewSeconds = skewSeconds;
        this.clock = clock;
        this.revocations = revocations;
        this.jws = new CompactJws(keys);
        this.claims = new TokenClaims(issuer, audience);
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
        VerificationKey signer = keys.signerFor(spec.kind());
        if (signer == null) {
            throw new IllegalStateException("embed: the key ring has no key that signs " + spec.kind() + " tokens");
        }
        String jti = randomId();
        String token = jws.sign(signer, claims.write(spec, jti, now, exp));
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
        return jws.sign(keys.signer(), claimsJson);
    }

    /**
     * Verifies a compact token and returns its claims.
     *
     * @throws EmbedException 401 {@code invalid_token} with a description safe to show a client
     */
    public EmbedClaims verify(String token) {
        TokenKey key = verified.keyOf(token);
        if (key != null) {
            EmbedClaims cached = verified.get(key);
            if (cached != null) {
                try {
                    checkTimeAndRevocation(cached);
                } catch (EmbedException e) {
                    // Expired or revoked: it will never pass again (but for a clock set back), so free it now.
                    verified.forget(key);
                    throw e;
                }
                return cached;
            }
        }
        EmbedClaims read = parse(token);
        checkTimeAndRevocation(read);
        if (key != null) {
            verified.remember(key, read);
        }
        return read;
    }

    /**
     * Checks what can change between two uses of one token: the clock against {@code exp} and
     * {@code nbf}, and revocation of its {@code jti} or session.
     */
    public void checkTimeAndRevocation(EmbedClaims token) {
        // Epoch seconds as Instant.getEpochSecond() counts them, without allocating an Instant.
        long now = Math.floorDiv(clock.millis(), 1000L);
        if (now - skewSeconds >= token.expiresAt()) {
            throw reject("the token has expired; mint a new one");
        }
        if (token.notBefore() - skewSeconds > now) {
            throw reject("the token is not valid yet (nbf is in the future)");
        }
        if (token.issuedAt() - skewSeconds > now) {
            throw reject("the token was issued in the future (iat)");
        }
        if (revocations.isTokenRevoked(token.tokenId()) || revocations.isSessionRevoked(token.sessionId())) {
            throw reject("the token has been revoked (its session was ended)");
        }
    }

    /** Whether this exact token is in the verified-token cache (tests). */
    boolean isCached(String token) {
        return verified.contains(token);
    }

    /** Entries of the verified-token cache after pending evictions and expiries ran (tests, metrics). */
    long verifiedCacheSize() {
        return verified.size();
    }

    /** Structure, algorithm, key, signature and the claims that never change. */
    EmbedClaims parse(String token) {
        return claims.read(jws.verify(token));
    }

    private static EmbedException reject(String description) {
        return EmbedError.invalidToken(description).toException();
    }

    /** 128 random bits, base64url: for {@code jti}, session ids and cache keys. */
    public static String randomId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }
}
