package dev.embed.cache;

import java.time.Instant;

/**
 * Short-lived credential state that must be shared by every request: revoked token ids and
 * sessions, each kept until no token it concerns can still be valid.
 *
 * <p>The default is {@link CaffeineCredentialCache} (in memory, bounded). A cluster replaces it
 * with a shared store through this interface, without touching the flows. Implementations are
 * thread-safe; a revocation is visible to every request that starts after the call returns.
 */
public interface CredentialCache {

    /** Revokes one token ({@code jti}) until {@code until}, its expiry. */
    void revokeToken(String tokenId, Instant until);

    /** Revokes every token of a session until {@code until}, the latest expiry any of them can have. */
    void revokeSession(String sessionId, Instant until);

    boolean isTokenRevoked(String tokenId);

    boolean isSessionRevoked(String sessionId);
}
