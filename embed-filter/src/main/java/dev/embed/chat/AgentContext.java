package dev.embed.chat;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link EmbedAgent} knows about the conversation it answers, besides the messages: whose
 * session it is and what it was minted for. Everything here comes from the session the customer's
 * backend minted with its API key, never from the browser, except {@code mode}, which the end user
 * may choose per message among the modes of DESIGN §3.1.
 *
 * @param sessionId the chat session
 * @param tenant the tenant of the API key that minted the session
 * @param spaceId the space, or null (flows without one)
 * @param agentId the agent the session talks to, or null
 * @param mode {@code chat}, {@code agent}, {@code thinking} or {@code build-app}: the message's
 *     {@code mode}, else the session's
 * @param externalUserId the customer's id for the end user ({@code externalUserId}, {@code uid} or
 *     the visitor)
 * @param displayName the end user's display name, or null
 * @param attributes session-scoped data of the flow that minted the session (flow D puts {@code
 *     sources}, {@code knowledgeBaseEntries} and {@code referenceQueries} here); immutable, never
 *     persisted by the library, and empty for flows A–C
 */
public record AgentContext(
        String sessionId,
        String tenant,
        @Nullable String spaceId,
        @Nullable String agentId,
        String mode,
        String externalUserId,
        @Nullable String displayName,
        Map<String, Object> attributes) {

    public AgentContext {
        Objects.requireNonNull(sessionId, "sessionId");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
