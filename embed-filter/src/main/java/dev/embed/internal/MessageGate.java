package dev.embed.internal;

/**
 * Decides whether a session may send a user message now, before {@link ChatService} stores it:
 * flow D's per-uid {@code limits} (DESIGN §3.3) are applied here. A gate refuses by throwing an
 * {@link dev.embed.error.EmbedException}, typically 429 {@code rate_limited} with {@code
 * Retry-After}; the message is then neither stored nor sent to the agent.
 *
 * <p>Called on request threads, concurrently; implementations are thread-safe and quick.
 */
@FunctionalInterface
public interface MessageGate {
    /** Lets every message through. */
    MessageGate OPEN = session -> {};

    /**
     * Lets a message into the session, or refuses it.
     *
     * @param session the live session the message is for
     * @throws dev.embed.error.EmbedException to refuse the message
     */
    void admit(EmbedSession session);
}
