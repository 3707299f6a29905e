package dev.embed.store;

import dev.embed.chat.ChatMessage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The messages of each session, and the agent's turns on them (DESIGN §4, §8).
 *
 * <h2>History</h2>
 *
 * A session's history is in the order its messages were stored; a message id is a position in it
 * (the {@code after} and {@code before} cursors of DESIGN §4, and {@code Last-Event-ID}). Ids are
 * unique within the session and match {@code [A-Za-z0-9._-]{1,120}}. They are otherwise opaque:
 * the agent's reply to message {@code m} has the id {@link #replyId replyId(m)}, decided before
 * the reply is written (the {@code delta} events of a reply carry it), so when a user sends a
 * message while the agent still answers an earlier one, ids are not in string order.
 *
 * <h2>Turns</h2>
 *
 * Each user message is a turn that awaits the agent's reply from the moment it is stored. Turns of
 * one session are answered one at a time, in the order stored; turns of different sessions
 * concurrently, on any node. A node {@linkplain #claimNext claims} a turn with a lease; the reply
 * is {@linkplain #reply stored} only while the claim is still that node's, and under the id {@link
 * #replyId}, so that a message is never answered twice, even when a node that was presumed dead
 * comes back. A turn whose lease runs out (its node died) is {@linkplain #claimStale claimed} by
 * another node.
 */
public interface MessageStore {

    /** The most messages one page may hold. */
    int MAX_PAGE_SIZE = 500;

    /** The id of the agent's reply to the user message {@code messageId}. */
    static String replyId(String messageId) {
        return messageId + "r";
    }

    /**
     * Stores the end user's message at the end of the session's history, and makes it a turn
     * awaiting the agent, atomically.
     *
     * @param mode the message's own {@code mode}, or null for the session's
     * @return the stored message, with its new id
     * @throws dev.embed.error.EmbedException 404 when the session is not live in the store
     *     (unknown, ended or expired: it may have ended on another node since it was read); 429
     *     when too many turns of the session already await the agent, or when storing it would
     *     exceed a byte budget; 503 when the store cannot be reached. Nothing is stored then.
     */
    ChatMessage appendUserMessage(EmbedSession session, String content, @Nullable String mode, Instant createdAt);

    /**
     * A page of the session's history, oldest first.
     *
     * <ul>
     *   <li>with {@code afterId}: the first {@code limit} messages stored after it;
     *   <li>with {@code beforeId}: the last {@code limit} messages stored before it;
     *   <li>with neither: the last {@code limit} messages.
     * </ul>
     *
     * <p>On the node that stored a message, a page has it as soon as the store call returned; on
     * another node, by the time that node's listeners are told (within 1 s), so a store may answer
     * from a copy it keeps (the embed GET then costs no round trip to a database).
     *
     * @param limit 1 to {@link #MAX_PAGE_SIZE}
     * @return empty when {@code afterId} or {@code beforeId} is not the id of a message of the
     *     session (the endpoints answer 400); an unknown or ended session has no messages
     */
    Optional<Page> page(String sessionId, @Nullable String afterId, @Nullable String beforeId, int limit);

    /**
     * Claims the session's next turn, its oldest user message without a reply, unless a turn of the
     * session is claimed by anyone with a lease that has not run out.
     *
     * @param owner this node's id (stable for the life of the JVM)
     * @param leaseUntil until when the claim holds; after it another node may take the turn over
     */
    Optional<Turn> claimNext(String sessionId, String owner, Instant leaseUntil);

    /**
     * Claims turns that nobody holds: never claimed, or whose lease ran out before {@code now}; at
     * most one per session (its oldest) and at most {@code max} in all. Every node calls this
     * periodically, so that a turn of a node that died is answered by another.
     */
    List<Turn> claimStale(String owner, Instant now, Instant leaseUntil, int max);

    /**
     * Stores the agent's reply to the turn's message, under the id {@link #replyId}, and closes the
     * turn, atomically, if the claim is still this one (no other node took the turn over) and the
     * session is live. Listeners on every node are told.
     *
     * @return the stored reply, or empty when the claim was lost or the session ended: the reply
     *     is then dropped
     */
    Optional<ChatMessage> reply(Turn turn, String content, Instant createdAt);

    /**
     * A page of history.
     *
     * @param hasMore whether messages exist beyond this page in the direction asked (after the
     *     last one with {@code afterId}, before the first one otherwise)
     * @param responding whether a user message of the session awaits the agent's reply
     */
    record Page(List<ChatMessage> messages, boolean hasMore, boolean responding) {
        public Page {
            messages = List.copyOf(messages);
        }
    }

    /**
     * A claimed turn: the user message to answer, and the claim.
     *
     * @param mode the message's own {@code mode}, or null for the session's
     * @param claimId unique per claim: {@link #reply} succeeds only for the current one
     */
    record Turn(
            String sessionId,
            ChatMessage message,
            @Nullable String mode,
            String owner,
            String claimId,
            Instant leaseUntil) {
        public Turn {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(claimId, "claimId");
            Objects.requireNonNull(leaseUntil, "leaseUntil");
        }
    }
}
