package dev.embed.internal;

import java.util.Optional;

/**
 * Records each session's owner so that continuing a session checks who asks, and ending one is
 * possible. The default is {@link InMemorySessionRegistry}; a host app may keep sessions in its
 * own store ({@code embed.sessionRegistry=com.acme.MySessionRegistry}).
 *
 * <p>Implementations are thread-safe.
 */
public interface SessionRegistry {

    /** Creates or replaces the session. */
    void save(EmbedSession session);

    /** The live session with this id, if any (ended and expired sessions are absent). */
    Optional<EmbedSession> find(String sessionId);

    /** Ends the session; returns whether it existed. */
    boolean end(String sessionId);
}
