package dev.embed.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Sessions and their owners: a continuation checks who asks, an end is possible, and every node
 * finds a session minted on any other.
 */
public interface SessionStore {

    /**
     * Records a new session. Its id is new (128 random bits): a store may refuse a duplicate.
     *
     * @throws dev.embed.error.EmbedException 429 when the tenant has as many sessions as its share
     *     of the store allows; 503 when the store cannot be reached
     */
    void create(EmbedSession session);

    /**
     * Extends a live session so that it lives at least until {@code until} (a continuation minted
     * a token that expires later). Never shortens it.
     *
     * @return the session as it is now, or empty when it is not live (unknown, ended, expired)
     */
    Optional<EmbedSession> extend(String sessionId, Instant until);

    /**
     * The live session with this id: empty when it is unknown, ended or past its {@code
     * expiresAt}. May be answered from a local cache that the store keeps true (an end on another
     * node is seen within 1 s).
     */
    Optional<EmbedSession> find(String sessionId);

    /**
     * Ends the session: from now on {@link #find} is empty on every node, its messages and pending
     * turns are deleted, and every node's {@link EmbedStore.Listener#sessionEnded} is called.
     * Revoking its tokens is {@link RevocationStore#revokeSession}, which the library calls first.
     *
     * @return the session if it was live
     */
    Optional<EmbedSession> end(String sessionId);
}
