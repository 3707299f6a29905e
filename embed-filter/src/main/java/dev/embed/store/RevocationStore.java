package dev.embed.store;

import java.time.Instant;

/**
 * Revoked sessions and token ids (DESIGN §2, §3.4). A revocation is kept until {@code until}: the
 * latest expiry a token it concerns can have, after which the token is refused anyway.
 *
 * <p>The two {@code is...Revoked} methods run on every embed request, including those whose token
 * this node verified before: they must answer from local memory, without I/O. A store keeps that
 * memory true: a revocation made on this node is seen at once, one made on another node within 1
 * s (a notification, with a periodic catch-up read behind it), and a node that starts loads every
 * revocation still in force before it serves.
 */
public interface RevocationStore {

    /** Revokes every token of the session until {@code until}. */
    void revokeSession(String sessionId, Instant until);

    /** Revokes one token ({@code jti}) until {@code until}. */
    void revokeToken(String tokenId, Instant until);

    /** Whether the session is revoked; local, no I/O. */
    boolean isSessionRevoked(String sessionId);

    /** Whether the token id is revoked; local, no I/O. */
    boolean isTokenRevoked(String tokenId);
}
