package dev.embed.internal;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.token.EmbedClaims;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The chat behind the embed JSON endpoints (DESIGN §4), adapter-neutral: the servlet and JAX-RS
 * adapters pass it the verified {@link EmbedClaims} (already bound to the path's session) and the
 * request's body or parameters, and write what it returns; refusals are {@link EmbedException}s
 * carrying the §5 error.
 *
 * <ul>
 *   <li>{@link #postMessage} stores the end user's message and answers {@code 202} at once; the
 *       {@link EmbedAgent} is then called on a bounded pool, one message at a time per session, and
 *       its reply is appended to the session. A failed, blank or late reply (see {@code
 *       embed.agent.timeoutSeconds}) becomes an assistant message saying the agent could not
 *       answer; the user's message is always kept.
 *   <li>{@link #session} returns the session's messages, optionally only those after a cursor, and
 *       long-polls: its future completes as soon as a message is appended, or empty after {@code
 *       wait} seconds. No thread waits meanwhile: the append completes the future, and one shared
 *       timer thread ends the waits (and the agent timeouts). Futures that complete later are
 *       completed on a small delivery pool, never on the timer or an agent's thread.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops its threads; {@code Embed.close()} calls it.
 */
public final class ChatService implements AutoCloseable {
    /** Longest {@code message}, in characters (Unicode code points). */
    public static final int MAX_MESSAGE_LENGTH = 8000;

    /** Longest {@code wait}, in seconds. */
    public static final int MAX_WAIT_SECONDS = 30;

    /** User messages of one session that may wait for the agent at once; more answer 429. */
    public static final int MAX_PENDING_PER_SESSION = 32;

    /** The assistant's message when the agent fails, answers blank or is too slow. */
    public static final String AGENT_FAILED_REPLY =
            "Sorry, the agent could not answer this message. Please try again in a moment.";

    /** The assistant's message when the application has no {@link EmbedAgent}. */
    public static final String NO_AGENT_REPLY =
            "No agent is configured for this application yet, so this message cannot be answered.";

    static final int AGENT_THREADS = 16;
    static final int AGENT_QUEUE = 10_000;
    static final int DELIVERY_THREADS = 4;
    private static final int LOCK_STRIPES = 64;
    private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern WAIT = Pattern.compile("[0-9]{1,3}");
    private static final System.Logger LOG = System.getLogger("dev.embed.chat");

    private final SessionRegistry sessions;
    private final ChatStore store;
    private final @Nullable EmbedAgent agent;
    private final MessageGate gate;
    private final Clock clock;
    private final Duration agentTimeout;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor agentPool;
    private final ThreadPoolExecutor deliveryPool;
    private final Object[] locks = new Object[LOCK_STRIPES];
    /** Sessions whose agent is working: the running turn and those queued. Changed under lock(sid). */
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private ChatService(Builder b) {
        this.sessions = b.sessions;
        this.clock = b.clock;
        this.agent = b.agent;
        this.gate = b.gate;
        this.agentTimeout = b.agentTimeout;
        this.store = b.store != null ? b.store : new InMemoryChatStore(clock, b.maxSessions, b.maxMessagesPerSession);
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("embed-chat-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.agentPool = new ThreadPoolExecutor(
                AGENT_THREADS,
                AGENT_THREADS,
                60,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(AGENT_QUEUE),
                daemon("embed-chat-agent"));
        agentPool.allowCoreThreadTimeOut(true);
        this.deliveryPool = new ThreadPoolExecutor(
                DELIVERY_THREADS,
                DELIVERY_THREADS,
                60,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemon("embed-chat-delivery"));
        deliveryPool.allowCoreThreadTimeOut(true);
    }

    /** A builder; {@code sessions} is the registry that says which sessions are live. */
    public static Builder builder(SessionRegistry sessions) {
        return new Builder(sessions);
    }

    /**
     * {@code POST /api/v1/embed/chat-sessions/{sessionId}/messages}: stores the user's message and
     * has the agent answer it asynchronously.
     *
     * @param claims the verified token, bound to the path's session
     * @param body the parsed JSON body: {@code message} (string, 1–8000 characters; line breaks and
     *     tabs allowed, other control characters not) and optional {@code mode} ({@code chat},
     *     {@code agent}, {@code thinking}, {@code build-app})
     * @return the {@code 202} answer {@code {"messageId", "sessionId", "createdAt", "status":
     *     "accepted"}}
     * @throws EmbedException 404 {@code not_found} when the session ended or never existed; 400
     *     {@code invalid_request} for a bad field; 429 when too many messages of the session wait
     *     for the agent, or when the {@link MessageGate} refuses it; 503 after {@link #close()}
     */
    public Map<String, Object> postMessage(EmbedClaims claims, Map<String, Object> body) {
        requireOpen();
        EmbedSession session = liveSession(claims);
        if (body == null) {
            throw EmbedError.invalidRequest("request body must be a JSON object")
                    .toException();
        }
        String content = message(body);
        String mode = Fields.optionalEnum(body, "mode", Fields.MODES, null);
        gate.admit(session);
        String sid = session.id();
        Turn turn;
        boolean startNow;
        synchronized (lock(sid)) {
            Lane lane = lanes.get(sid);
            if (lane != null && lane.size() >= MAX_PENDING_PER_SESSION) {
                throw EmbedError.rateLimited(
                                "too many messages of this session are waiting for the agent's reply;"
                                        + " wait for the replies before sending more",
                                1)
                        .toException();
            }
            ChatMessage user = store.append(sid, session.expiresAt(), ChatMessage.USER, content, clock.instant());
            turn = new Turn(sid, user, mode != null ? mode : claims.mode(), claims.displayName(), session.expiresAt());
            if (lane == null) {
                startNow = true;
                lanes.put(sid, new Lane());
            } else {
                startNow = false;
                lane.queued.addLast(turn);
            }
        }
        wake(sid);
        if (startNow) {
            start(turn);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("messageId", turn.message.id());
        answer.put("sessionId", sid);
        answer.put("createdAt", MintService.EXPIRES_AT.format(turn.message.createdAt()));
        answer.put("status", "accepted");
        return answer;
    }

    /**
     * {@code GET /api/v1/embed/chat-sessions/{sessionId}?after=&wait=}: {@code {"sessionId",
     * "status", "messages": [...]}}, where {@code status} is {@code responding} while the agent
     * works on a message of the session and {@code idle} otherwise.
     *
     * @param claims the verified token, bound to the path's session
     * @param after null or empty for every kept message; else a message id of this session, to get
     *     only newer messages
     * @param wait null or empty for 0; else whole seconds, 0–30: when nothing is newer than {@code
     *     after}, how long to wait for a message before answering with none
     * @return completes at once when there is something to return (or {@code wait} is 0), else
     *     when a message is appended or the wait is over. It may complete exceptionally with an
     *     {@link EmbedException} (503 when the service closes). Cancelling it ends the wait.
     * @throws EmbedException 404 {@code not_found} when the session ended or never existed; 400
     *     {@code invalid_request} for a malformed or unknown {@code after} or a bad {@code wait}
     */
    public CompletableFuture<Map<String, Object>> session(
            EmbedClaims claims, @Nullable String after, @Nullable String wait) {
        requireOpen();
        EmbedSession session = liveSession(claims);
        String cursor = cursor(after);
        int waitSeconds = waitSeconds(wait);
        String sid = session.id();
        List<ChatMessage> newer = messagesAfter(sid, cursor);
        if (!newer.isEmpty() || waitSeconds == 0) {
            return CompletableFuture.completedFuture(answer(sid, newer));
        }
        Waiter waiter = new Waiter(sid, cursor);
        // Added inside compute(): forget() may drop an emptied set at the same moment.
        waiters.compute(sid, (k, set) -> {
            Set<Waiter> live = set != null ? set : ConcurrentHashMap.newKeySet();
            live.add(waiter);
            return live;
        });
        // The callback's own future is not needed: forget() cannot fail.
        var unused = waiter.future.whenComplete((answer, error) -> forget(waiter));
        // A message appended between the read above and the registration found no waiter to wake.
        boolean arrived;
        try {
            arrived = !messagesAfter(sid, cursor).isEmpty();
        } catch (RuntimeException e) {
            waiter.future.cancel(false);
            throw e;
        }
        if (arrived && waiter.claim()) {
            complete(waiter);
            return waiter.future;
        }
        ScheduledFuture<?> expiry = timer.schedule(
                () -> {
                    if (waiter.claim()) {
                        deliver(waiter);
                    }
                },
                waitSeconds,
                TimeUnit.SECONDS);
        waiter.expiry = expiry;
        if (waiter.future.isDone()) {
            expiry.cancel(false);
        }
        return waiter.future;
    }

    /** The store holding the sessions' messages. */
    public ChatStore store() {
        return store;
    }

    /** Long polls waiting right now, across sessions (for metrics and tests). */
    public int waitingCount() {
        int count = 0;
        for (Set<Waiter> set : waiters.values()) {
            count += set.size();
        }
        return count;
    }

    /** Whether an {@link EmbedAgent} answers (else every message gets {@link #NO_AGENT_REPLY}). */
    public boolean hasAgent() {
        return agent != null;
    }

    /**
     * Stops the threads. Waiting {@link #session} futures complete with 503; replies still
     * outstanding are dropped (the users' messages stay stored).
     */
    @Override
    public void close() {
        closed = true;
        for (Set<Waiter> set : waiters.values()) {
            for (Waiter waiter : set) {
                if (waiter.claim()) {
                    waiter.future.completeExceptionally(closing());
                }
            }
        }
        timer.shutdownNow();
        agentPool.shutdownNow();
        deliveryPool.shutdown();
    }

    // --- the agent's turns ------------------------------------------------------------------

    private void start(Turn turn) {
        try {
            agentPool.execute(() -> call(turn));
        } catch (RejectedExecutionException e) {
            if (!closed) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: the agent's queue is full (" + AGENT_QUEUE + " messages); a message of session "
                                + turn.sessionId + " got an apology instead");
            }
            advance(turn, closed ? null : AGENT_FAILED_REPLY);
        }
    }

    private void call(Turn turn) {
        CompletableFuture<String> result = new CompletableFuture<>();
        ScheduledFuture<?> deadline = null;
        try {
            Optional<EmbedSession> live = closed ? Optional.empty() : sessions.find(turn.sessionId);
            if (live.isEmpty()) {
                advance(turn, null); // ended meanwhile (or closing): nobody will read a reply
                return;
            }
            if (agent == null) {
                advance(turn, NO_AGENT_REPLY);
                return;
            }
            EmbedSession session = live.get();
            turn.expiresAt = session.expiresAt();
            @SuppressWarnings("deprecation") // the untyped attributes go with the store SPI's typed session (issue 12)
            AgentContext context = new AgentContext(
                    session.id(),
                    session.tenant(),
                    session.spaceId(),
                    session.agentId(),
                    turn.mode != null ? turn.mode : session.mode() != null ? session.mode() : "chat",
                    session.externalUserId(),
                    turn.displayName != null ? turn.displayName : session.displayName(),
                    session.attributes());
            List<ChatMessage> conversation = conversation(turn);
            deadline = timer.schedule(
                    () -> result.completeExceptionally(new TimeoutException()),
                    agentTimeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            CompletionStage<String> stage = agent.reply(context, conversation);
            if (stage == null) {
                result.completeExceptionally(new NullPointerException("EmbedAgent.reply returned null"));
            } else {
                stage.whenComplete((text, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(text);
                    }
                });
            }
        } catch (Throwable t) { // whatever the agent throws, the session's queue must move on
            result.completeExceptionally(t);
        }
        ScheduledFuture<?> cancel = deadline;
        // The callback's own future is not needed: the callback handles every outcome of the turn.
        var unused = result.whenComplete((text, error) -> {
            if (cancel != null) {
                cancel.cancel(false);
            }
            if (error == null && text != null && !text.isBlank()) {
                advance(turn, text);
            } else if (closed) {
                advance(turn, null);
            } else {
                logFailure(turn, error);
                advance(turn, AGENT_FAILED_REPLY);
            }
        });
    }

    /** The history for the agent: ends with the turn's message; later user messages are left out. */
    private List<ChatMessage> conversation(Turn turn) {
        List<ChatMessage> all = store.messagesAfter(turn.sessionId, null).orElse(List.of());
        List<ChatMessage> out = new ArrayList<>(all.size());
        boolean seen = false;
        for (ChatMessage message : all) {
            if (message.id().equals(turn.message.id())) {
                seen = true;
            } else if (!(seen && message.fromUser())) {
                out.add(message);
            }
        }
        out.add(turn.message);
        return List.copyOf(out);
    }

    /** Appends the turn's reply (if any), then starts the session's next turn or marks it idle. */
    private void advance(Turn turn, @Nullable String reply) {
        String sid = turn.sessionId;
        Turn next;
        synchronized (lock(sid)) {
            if (reply != null) {
                try {
                    store.append(sid, turn.expiresAt, ChatMessage.ASSISTANT, reply, clock.instant());
                } catch (RuntimeException e) {
                    LOG.log(
                            System.Logger.Level.ERROR,
                            "embed: the chat store could not keep a reply of session " + sid + ": "
                                    + e.getClass().getName());
                }
            }
            Lane lane = lanes.get(sid);
            next = lane == null ? null : lane.queued.pollFirst();
            if (next == null) {
                lanes.remove(sid);
            }
        }
        wake(sid);
        if (next != null && !closed) {
            start(next);
        }
    }

    /** Logs why the agent did not answer: the failure's type only, never text or tokens. */
    private void logFailure(Turn turn, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String what = cause == null
                ? "blank or null reply"
                : cause instanceof TimeoutException
                        ? "no reply within " + agentTimeout.toMillis() + " ms"
                        : cause.getClass().getName();
        LOG.log(
                System.Logger.Level.WARNING,
                "embed: the agent could not answer a message of session " + turn.sessionId + " (" + what
                        + "); the session got an apology instead");
    }

    // --- long polls -------------------------------------------------------------------------

    /** Wakes every long poll of the session; each reads what is newer than its own cursor. */
    private void wake(String sid) {
        Set<Waiter> set = waiters.get(sid);
        if (set == null) {
            return;
        }
        for (Waiter waiter : set) {
            if (waiter.claim()) {
                deliver(waiter);
            }
        }
    }

    /** Completes off the calling thread, so that no adapter writes a response on ours. */
    private void deliver(Waiter waiter) {
        try {
            deliveryPool.execute(() -> complete(waiter));
        } catch (RejectedExecutionException e) {
            complete(waiter);
        }
    }

    private void complete(Waiter waiter) {
        try {
            waiter.future.complete(answer(waiter.sessionId, messagesAfter(waiter.sessionId, waiter.cursor)));
        } catch (EmbedException e) {
            waiter.future.completeExceptionally(e);
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: could not read the messages of session " + waiter.sessionId + ": "
                            + e.getClass().getName());
            waiter.future.completeExceptionally(e);
        }
    }

    private void forget(Waiter waiter) {
        ScheduledFuture<?> expiry = waiter.expiry;
        if (expiry != null) {
            expiry.cancel(false);
        }
        waiters.computeIfPresent(waiter.sessionId, (sid, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    // --- helpers ----------------------------------------------------------------------------

    private EmbedSession liveSession(EmbedClaims claims) {
        Objects.requireNonNull(claims, "claims");
        Optional<EmbedSession> session = sessions.find(claims.sessionId());
        if (session.isEmpty()) {
            store.remove(claims.sessionId());
            throw EmbedError.notFound(
                            "this chat session has ended or does not exist; mint a new token for a new" + " session")
                    .toException();
        }
        return session.get();
    }

    private List<ChatMessage> messagesAfter(String sid, @Nullable String cursor) {
        return store.messagesAfter(sid, cursor).orElseThrow(() -> badCursor().toException());
    }

    private Map<String, Object> answer(String sid, List<ChatMessage> messages) {
        List<Object> json = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            json.add(json(message));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("sessionId", sid);
        answer.put("status", lanes.containsKey(sid) ? "responding" : "idle");
        answer.put("messages", json);
        return answer;
    }

    /** A message as DESIGN §4 shows it: {@code {"id", "role", "content", "createdAt"}}, the time ISO-8601 UTC with milliseconds. */
    public static Map<String, Object> json(ChatMessage message) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", message.id());
        json.put("role", message.role());
        json.put("content", message.content());
        json.put("createdAt", MintService.EXPIRES_AT.format(message.createdAt()));
        return json;
    }

    static String message(Map<String, Object> body) {
        Object value = body.get("message");
        if (value == null) {
            throw bad("message is required");
        }
        if (!(value instanceof String text)) {
            throw bad("message must be a string");
        }

        int length = text.codePointCount(0, text.length());
        if (length < 1 || text.isBlank()) {
            throw bad("message must have at least 1 character that is not white space");
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw bad("message must have at most " + MAX_MESSAGE_LENGTH + " characters");
        }
        // Line breaks and tabs belong in chat text; other controls do not.
        if (Fields.hasControlCharacter(
                text.replace('\n', ' ').replace('\r', ' ').replace('\t', ' '))) {
            throw bad("message must not contain control characters other than line breaks and tabs");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad("message must be valid Unicode text");
            }
        }
        return text;
    }

    static @Nullable String cursor(@Nullable String after) {
        if (after == null || after.isEmpty()) {
            return null;
        }
        if (!CURSOR.matcher(after).matches()) {
            throw badCursor().toException();
        }
        return after;
    }

    static int waitSeconds(@Nullable String wait) {
        if (wait == null || wait.isEmpty()) {
            return 0;
        }
        if (!WAIT.matcher(wait).matches() || Integer.parseInt(wait) > MAX_WAIT_SECONDS) {
            throw bad("wait must be a whole number of seconds from 0 to " + MAX_WAIT_SECONDS);
        }
        return Integer.parseInt(wait);
    }

    private static EmbedError badCursor() {
        return EmbedError.invalidRequest("after must be the id of a message of this session; fetch the session"
                + " without after to start over");
    }

    private static EmbedException bad(String description) {
        return EmbedError.invalidRequest(description).toException();
    }

    private static EmbedException closing() {
        return EmbedError.serviceUnavailable("the server is shutting down; retry in a moment")
                .toException();
    }

    private void requireOpen() {
        if (closed) {
            throw closing();
        }
    }

    private Object lock(String sid) {
        int h = sid.hashCode();
        return locks[(h ^ (h >>> 16)) & (LOCK_STRIPES - 1)];
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One user message waiting for, or getting, the agent's reply. */
    private static final class Turn {
        final String sessionId;
        final ChatMessage message;
        final @Nullable String mode;
        final @Nullable String displayName;
        volatile Instant expiresAt;

        Turn(
                String sessionId,
                ChatMessage message,
                @Nullable String mode,
                @Nullable String displayName,
                Instant expiresAt) {
            this.sessionId = sessionId;
            this.message = message;
            this.mode = mode;
            this.displayName = displayName;
            this.expiresAt = expiresAt;
        }
    }

    /** A session with a turn the agent works on, and the turns queued behind it. */
    private static final class Lane {
        final ArrayDeque<Turn> queued = new ArrayDeque<>();

        /** Turns of the session not yet answered: the running one and the queued ones. */
        int size() {
            return queued.size() + 1;
        }
    }

    /** One pending long poll. Completed exactly once, by whoever claims it first. */
    private static final class Waiter {
        final String sessionId;
        final @Nullable String cursor;
        final CompletableFuture<Map<String, Object>> future = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile @Nullable ScheduledFuture<?> expiry;

        Waiter(String sessionId, @Nullable String cursor) {
            this.sessionId = sessionId;
            this.cursor = cursor;
        }

        boolean claim() {
            return !future.isDone() && claimed.compareAndSet(false, true);
        }
    }

    /** Builds a {@link ChatService}; each option has a default. */
    public static final class Builder {
        private final SessionRegistry sessions;
        private @Nullable EmbedAgent agent;
        private MessageGate gate = MessageGate.OPEN;
        private @Nullable ChatStore store;
        private Clock clock = Clock.systemUTC();
        private Duration agentTimeout = Duration.ofSeconds(30);
        private long maxSessions = 1_000_000;
        private int maxMessagesPerSession = 1000;

        private Builder(SessionRegistry sessions) {
            this.sessions = Objects.requireNonNull(sessions, "sessions");
        }

        /** The host's agent; without one, every message gets {@link ChatService#NO_AGENT_REPLY}. */
        public Builder agent(@Nullable EmbedAgent agent) {
            this.agent = agent;
            return this;
        }

        /** Decides whether a session may send a message now (flow D's per-uid limits). Default: {@link MessageGate#OPEN}. */
        public Builder messageGate(MessageGate gate) {
            this.gate = Objects.requireNonNull(gate, "gate");
            return this;
        }

        /** Where messages are kept. Default: an {@link InMemoryChatStore}. */
        public Builder store(@Nullable ChatStore store) {
            this.store = store;
            return this;
        }

        /** The clock of {@code createdAt} and of the default store's expiry. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long the agent may take for one reply (default 30 s). */
        public Builder agentTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("agentTimeout must be positive: " + timeout);
            }
            this.agentTimeout = timeout;
            return this;
        }

        /** Most sessions the default store keeps (default 1,000,000). */
        public Builder maxSessions(long maxSessions) {
            if (maxSessions < 1) {
                throw new IllegalArgumentException("maxSessions must be positive: " + maxSessions);
            }
            this.maxSessions = maxSessions;
            return this;
        }

        /** Most messages the default store keeps per session; older ones go first (default 1000). */
        public Builder maxMessagesPerSession(int maxMessagesPerSession) {
            if (maxMessagesPerSession < 2) {
                throw new IllegalArgumentException(
                        "maxMessagesPerSession must be at least 2: " + maxMessagesPerSession);
            }
            this.maxMessagesPerSession = maxMessagesPerSession;
            return this;
        }

        public ChatService build() {
            return new ChatService(this);
        }
    }
}
