package dev.embed.chat;

import java.time.Instant;
import java.util.Objects;

/**
 * One message of a chat session, as the embed JSON endpoints show it (DESIGN §4): {@code {"id",
 * "role", "content", "createdAt"}}.
 *
 * @param id opaque, unique within the session, and ordered: a later message of the session has a
 *     later id (the {@code after} cursor of {@code GET /api/v1/embed/chat-sessions/{sessionId}})
 * @param role {@link #USER} or {@link #ASSISTANT}
 * @param content the text
 * @param createdAt when the message was stored
 */
public record ChatMessage(String id, String role, String content, Instant createdAt) {
    /** The role of a message the end user sent. */
    public static final String USER = "user";

    /** The role of a message the agent (or the library, on the agent's behalf) wrote. */
    public static final String ASSISTANT = "assistant";

    public ChatMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(createdAt, "createdAt");
        if (!USER.equals(role) && !ASSISTANT.equals(role)) {
            throw new IllegalArgumentException("role must be user or assistant: " + role);
        }
    }

    /** Whether the end user sent it. */
    public boolean fromUser() {
        return USER.equals(role);
    }
}
