package dev.embed.internal;

import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.MessageStore;
import dev.embed.token.EmbedClaims;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The chat of the embed JSON endpoints (DESIGN §4), adapter-neutral: the endpoint layer passes the
 * verified {@link EmbedClaims} (already bound to the path's session) and the request's body or
 * query, and writes what this returns; refusals are {@link EmbedException}s carrying the §5 error.
 *
 * <ul>
 *   <li>{@link #postMessage} checks the message ({@link ChatRequests}), applies flow D's per-uid
 *       limits ({@link UidLimits}), stores it in the {@link MessageStore} (a turn awaiting the
 *       agent from then on) and answers {@code 202}; {@link AgentTurns} then has the agent answer
 *       it.
 *   <li>{@link #session} answers a page of the session's messages (DESIGN §4's {@code after},
 *       {@code before}, {@code limit}, {@code hasMore}) and long-polls with {@code wait} through
 *       {@link LongPolls}, which the store's listener wakes.
 *   <li>{@link #events} opens the session's event stream ({@link EventStreams}).
 *   <li>Streams and long polls held at once per session are bounded ({@link HeldRequests}: 429).
 * </ul>
 *
 * Thread-safe.
 */
final class ChatService {
    private final EmbedStore store;
    private final AgentTurns turns;
    private final LongPolls polls;
    private final EventStreams streams;
    private final HeldRequests held;
    private final UidLimits limits;
    private final Clock clock;
    private volatile boolean closed;

    ChatService(
            EmbedStore store, AgentTurns turns, LongPolls polls, EventStreams streams, HeldRequests held, Clock clock) {
        this.store = store;
        this.turns = turns;
        this.polls = polls;
        this.streams = streams;
        this.held = held;
        this.limits = new UidLimits(store.rateLimits());
        this.clock = clock;
    }

    /**
     * {@code POST /api/v1/embed/chat-sessions/{sessionId}/messages}.
     *
     * @param claims the verified token, bound to the path's session
     * @param body the parsed JSON body: {@code message} and optional {@code mode}
     * @return the {@code 202} answer {@code {"messageId", "sessionId", "createdAt", "status":
     *     "accepted"}}
     * @throws EmbedException 404 when the session ended or never existed; 400 for a bad field; 429
     *     when too many messages of the session wait for the agent, or past flow D's limits; 503
     *     after {@link #close()} or when the store cannot be reached
     */
    public Map<String, Object> postMessage(EmbedClaims claims, Map<String, Object> body) {
        requireOpen();
        EmbedSession session = liveSession(claims);
        String content = ChatRequests.message(body);
        String mode = ChatRequests.mode(body);
        limits.admit(session);
        ChatMessage message = store.messages()
                .appendUserMessage(session, content, mode != null ? mode : claims.mode(), clock.instant());
        turns.next(session.id());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("messageId", message.id());
        answer.put("sessionId", session.id());
        answer.put("createdAt", MintService.EXPIRES_AT.format(message.createdAt()));
        answer.put("status", "accepted");
        return answer;
    }

    /**
     * {@code GET /api/v1/embed/chat-sessions/{sessionId}?after=&before=&limit=&wait=}: {@code
     * {"sessionId", "status", "messages": [...], "hasMore"}}, where {@code status} is {@code
     * responding} while a message of the session awaits the agent and {@code idle} otherwise.
     *
     * @param after a message id: the next {@code limit} messages after it, oldest first
     * @param before a message id: the {@code limit} messages before it (not with {@code after})
     * @param limit 1–500, default 100; without a cursor, the latest {@code limit} messages
     * @param wait 0–30 seconds: when nothing is newer than {@code after} (or the session has no
     *     messages), how long to wait for one before answering with none
     * @return completes at once when there is something to answer (or nothing to wait for), else
     *     when a message is stored or the wait is over; exceptionally with an {@link
     *     EmbedException} (404 when the session ends meanwhile, 503 when the library closes).
     *     Cancelling it ends the wait.
     * @throws EmbedException 404 when the session ended or never existed; 400 for a bad query
     */
    public CompletableFuture<Map<String, Object>> session(
            EmbedClaims claims,
            @Nullable String after,
            @Nullable String before,
            @Nullable String limit,
            @Nullable String wait) {
        requireOpen();
        String sid = liveSession(claims).id();
        String afterId = ChatRequests.cursor(after, "after");
        String beforeId = ChatRequests.cursor(before, "before");
        if (afterId != null && beforeId != null) {
            throw ChatRequests.bad("send after or before, not both");
        }
        int size = ChatRequests.limit(limit);
        int waitSeconds = ChatRequests.waitSeconds(wait);
        String cursorName = afterId != null ? "after" : "before";
        Map<String, Object> now = read(sid, afterId, beforeId, size, cursorName);
        if (!isEmpty(now) || waitSeconds == 0 || beforeId != null) {
            return CompletableFuture.completedFuture(now);
        }
        held.acquire(sid);
        CompletableFuture<Map<String, Object>> waiting;
        try {
            waiting = polls.await(
                    sid,
                    () -> read(sid, afterId, null, size, cursorName),
                    answer -> !isEmpty(answer),
                    TimeUnit.SECONDS.toMillis(waitSeconds));
        } catch (RuntimeException e) {
            held.release(sid);
            throw e;
        }
        // The callback's own future is not needed: release() cannot fail.
        var unused = waiting.whenComplete((answer, error) -> held.release(sid));
        return waiting;
    }

    /**
     * {@code GET /api/v1/embed/chat-sessions/{sessionId}/events}: checks the request; the stream
     * itself is {@link EventStreams}'.
     *
     * @param lastEventId the {@code Last-Event-ID} header, which wins over {@code after}
     * @throws EmbedException 404 when the session ended or never existed; 400 for a bad cursor; 429
     *     when the session holds {@code embed.chat.maxHeldPerSession} streams and long polls; 503
     *     after {@link #close()}
     */
    Endpoint.Events events(EmbedClaims claims, @Nullable String lastEventId, @Nullable String after) {
        requireOpen();
        return streams.open(claims, lastEventId, after);
    }

    /** Event streams open right now, across sessions (for metrics and tests). */
    int openStreams() {
        return streams.open();
    }

    /** Long polls waiting right now, across sessions (for metrics and tests). */
    public int waitingCount() {
        return polls.waiting();
    }

    /** Whether an agent answers (else every message gets {@link AgentTurns#NO_AGENT_REPLY}). */
    boolean hasAgent() {
        return turns.hasAgent();
    }

    /** Stops accepting requests; waiting long polls answer 503, turns in progress are cancelled. */
    void close() {
        closed = true;
        streams.close();
        polls.close();
        turns.close();
    }

    /** A message as DESIGN §4 shows it: {@code {"id", "role", "content", "createdAt"}}, the time ISO-8601 UTC with milliseconds. */
    static Map<String, Object> json(ChatMessage message) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", message.id());
        json.put("role", message.role());
        json.put("content", message.content());
        json.put("createdAt", MintService.EXPIRES_AT.format(message.createdAt()));
        return json;
    }

    private Map<String, Object> read(
            String sid, @Nullable String afterId, @Nullable String beforeId, int limit, String cursorName) {
        MessageStore.Page page = store.messages()
                .page(sid, afterId, beforeId, limit)
                .orElseThrow(() -> ChatRequests.badCursor(cursorName));
        List<Object> messages = new ArrayList<>(page.messages().size());
        for (ChatMessage message : page.messages()) {
            messages.add(json(message));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("sessionId", sid);
        answer.put("status", page.responding() ? "responding" : "idle");
        answer.put("messages", messages);
        answer.put("hasMore", page.hasMore());
        return answer;
    }

    private static boolean isEmpty(Map<String, Object> answer) {
        return answer.get("messages") instanceof List<?> messages && messages.isEmpty();
    }

    private EmbedSession liveSession(EmbedClaims claims) {
        Objects.requireNonNull(claims, "claims");
        return store.sessions()
                .find(claims.sessionId())
                .orElseThrow(() -> EmbedError.notFound(
                                "this chat session has ended or does not exist; mint a new token for a new session")
                        .toException());
    }

    private void requireOpen() {
        if (closed) {
            throw LongPolls.closing();
        }
    }
}
