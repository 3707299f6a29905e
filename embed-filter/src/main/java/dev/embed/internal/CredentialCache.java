package dev.embed.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Short-lived credential state that must be shared by every request: revoked token ids and
 * sessions, each kept until no token it concerns can still be valid; flow D's credentials waiting
 * to be redeemed with their cache key (DESIGN §3.3); and the token buckets of the rate limits
 * (flow C's per-visitor mints, flow D's per-uid messages).
 *
 * <p>The default is {@link CaffeineCredentialCache} (in memory, bounded). A cluster replaces it
 * with a shared store through this interface, without touching the flows. Implementations are
 * thread-safe; a revocation or a redemption is visible to every request that starts after the
 * call returns. Nothing here is ever written anywhere durable by the default, and an
 * implementation must keep it only as long as each method says.
 */
public interface CredentialCache {

    /** Revokes one token ({@code jti}) until {@code until}, its expiry. */
    void revokeToken(String tokenId, Instant until);

    /** Revokes every token of a session until {@code until}, the latest expiry any of them can have. */
    void revokeSession(String sessionId, Instant until);

    boolean isTokenRevoked(String tokenId);

    boolean isSessionRevoked(String sessionId);

    /**
     * Keeps a credential under a random cache key until {@code expiresAt}, the credential's own
     * expiry, then forgets it.
     *
     * @param cacheKey an unguessable key (at least 128 random bits); replaces nothing in practice
     */
    void putCredential(String cacheKey, String credential, Instant expiresAt);

    /**
     * Removes and returns the credential of this key, atomically: of any number of concurrent
     * callers at most one gets it. Empty when the key is unknown, already taken or expired.
     */
    Optional<String> takeCredential(String cacheKey);

    /** The credential of this key, left in place; empty when unknown, taken or expired. */
    Optional<String> peekCredential(String cacheKey);

    /**
     * Takes one permit from each of the buckets {@code limits} describe under {@code bucketKey},
     * or, if any of them is empty, from none (all or nothing, atomically). Buckets that no request
     * has touched are full; a bucket's state is kept only until it would be full again.
     *
     * @param bucketKey whose buckets: one visitor of one key and agent, one user of one tenant
     * @param limits at least one; names tell the buckets under one key apart
     */
    RateLimit.Decision tryAcquire(String bucketKey, List<RateLimit> limits);
}
