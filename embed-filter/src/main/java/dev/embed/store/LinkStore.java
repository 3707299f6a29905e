package dev.embed.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Flow D links waiting to be redeemed (DESIGN §3.3, §8). The library keeps a link under the
 * SHA-256 of its cache key, never the key itself, and keeps the claims of the token to sign, never
 * a token: the JWT is signed when the link is redeemed.
 */
public interface LinkStore {

    /**
     * Keeps a link until its {@link Link#expiresAt()}.
     *
     * @param keyHash the lowercase hex SHA-256 of the cache key (64 characters)
     */
    void put(String keyHash, Link link);

    /**
     * Removes and returns the link, atomically across every node: of any number of concurrent
     * callers, on any nodes, exactly one gets it. Empty when unknown, already taken or expired.
     */
    Optional<Link> take(String keyHash);

    /** The link, left in place; empty when unknown, taken or expired. */
    Optional<Link> peek(String keyHash);

    /**
     * What a redemption signs: an {@code iframe} token for this session and subject, scoped to the
     * sources, expiring at {@code expiresAt}.
     */
    record Link(String sessionId, String subject, List<String> sources, Instant createdAt, Instant expiresAt) {
        public Link {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
            sources = List.copyOf(sources);
        }
    }
}
