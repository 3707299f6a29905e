package dev.embed.internal;

import dev.embed.chat.ChatMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the messages of each chat session. The default is {@link InMemoryChatStore} (bounded,
 * entries expire with their session); a host app that wants history to survive a restart, or to be
 * shared by a cluster, implements this interface and passes it to {@code
 * Embed.builder(config).chatStore(...)}.
 *
 * <p>Implementations are thread-safe, and {@link #append} is atomic per session: message ids of a
 * session are unique and follow the order of appending (the id returned by one call is later than
 * every id returned before it for the same session), even when several threads append at once.
 */
public interface ChatStore {

    /**
     * Stores a message at the end of the session's history and returns it with its new id.
     *
     * @param sessionId the session
     * @param sessionExpiresAt until when the session can live: the history may be dropped after it
     *     (a later call with a later instant extends it)
     * @param role {@link ChatMessage#USER} or {@link ChatMessage#ASSISTANT}
     * @param content the text
     * @param createdAt the message's time
     */
    ChatMessage append(String sessionId, Instant sessionExpiresAt, String role, String content, Instant createdAt);

    /**
     * The session's messages after the one with id {@code afterId} (every kept message when it is
     * null), oldest first.
     *
     * @return empty when {@code afterId} is not an id this store issued for the session (the
     *     endpoints answer 400); a known id whose message has since been dropped still counts
     */
    Optional<List<ChatMessage>> messagesAfter(String sessionId, @Nullable String afterId);

    /** Forgets the session's history (the session ended). */
    void remove(String sessionId);
}
