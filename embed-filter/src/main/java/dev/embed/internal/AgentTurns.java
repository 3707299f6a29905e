package dev.embed.internal;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import dev.embed.chat.StreamingAgent;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.MessageStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The agent's turns (DESIGN §4, §8, §9): each user message the store holds is a turn, answered
 * once, in order per session, by whichever node claims it.
 *
 * <ul>
 *   <li>{@link #next} claims the session's next turn ({@link MessageStore#claimNext}) after a user
 *       message is stored and after each reply; a sweep on the shared scheduler claims turns that
 *       nobody holds ({@link MessageStore#claimStale}: a node that died, a claim that failed). A
 *       claim is a lease of {@code embed.agent.timeoutSeconds} + {@value #LEASE_MARGIN_SECONDS} s.
 *   <li>A turn calls the agent on the agent executor: {@link StreamingAgent#stream} for streaming
 *       agents (the deltas, concatenated, are the reply), else
 *       {@link EmbedAgent#reply}. Each delta goes at once to the session's event streams on this
 *       node ({@link Deltas}). The reply is stored with {@link MessageStore#reply}, which keeps
 *       it only while the claim is ours and the session live: a message is never answered twice.
 *   <li>A failed, blank, null or late reply becomes {@link #AGENT_FAILED_REPLY}; no agent at all,
 *       {@link #NO_AGENT_REPLY}. A reply longer than {@value #MAX_REPLY_LENGTH} characters is cut
 *       there: the agent is cancelled (its {@code ReplySink} says so and its {@code onCancel}
 *       callbacks run; a {@code CompletionStage} is cancelled) and the text that arrived, up to the
 *       limit, is stored, so a runaway agent cannot fill memory.
 *   <li>The agent is cancelled the same way when its session ends (the store's listener) or its
 *       time runs out; an ended session's reply is dropped.
 * </ul>
 *
 * Thread-safe. {@link #close()} cancels the turns in progress without storing anything for them
 * (with a durable store, another node or the restarted one answers them).
 */
final class AgentTurns implements EmbedStore.Listener {
    /** The assistant's message when the agent fails, answers blank or is too slow. */
    static final String AGENT_FAILED_REPLY =
            "Sorry, the agent could not answer this message. Please try again in a moment.";

    /** The assistant's message when the application has no {@link EmbedAgent}. */
    static final String NO_AGENT_REPLY =
            "No agent is configured for this application yet, so this message cannot be answered.";

    /** Longest reply kept, in characters ({@code char}s); the rest is never stored. */
    static final int MAX_REPLY_LENGTH = 32_000;

    /**
     * Most characters of history handed to the agent with a turn (the newest messages whose text
     * fits, and always the turn's own message), besides the {@code maxConversation} count: what one
     * turn makes the agent hold stays bounded in bytes (issue 13 finding 3).
     */
    static final int MAX_CONVERSATION_CHARS = 256_000;

    /** How much longer than the agent's timeout a claim holds before another node may take it. */
    static final long LEASE_MARGIN_SECONDS = 30;

    /** How often turns that nobody holds are looked for, and how many at most each time. */
    static final long STALE_SWEEP_SECONDS = 5;

    static final int STALE_SWEEP_MAX = 64;

    private static final System.Logger LOG = System.getLogger("dev.embed.chat");

    /**
     * Where the pieces of a reply go as the agent writes them (the session's event streams on this
     * node). Called in the order the reply is written, never for a piece past the length limit; the
     * pieces of one reply concatenated are the stored reply, unless it ends as an apology. Must not
     * block.
     */
    @FunctionalInterface
    interface Deltas {
        Deltas NONE = (sessionId, replyId, text) -> {};

        void delta(String sessionId, String replyId, String text);
    }

    private final EmbedStore store;
    private final @Nullable EmbedAgent agent;
    private final Deltas deltas;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Executor agentExecutor;
    private final Duration timeout;
    private final int maxConversation;
    private final String owner;
    /** The turn this node works on, per session: at most one per session at a time. */
    private final Map<String, Attempt> running = new ConcurrentHashMap<>();

    private volatile @Nullable ScheduledFuture<?> sweep;
    private volatile boolean closed;

    /**
     * @param maxConversation most messages handed to the agent with a turn (the newest)
     */
    AgentTurns(
            EmbedStore store,
            @Nullable EmbedAgent agent,
            Clock clock,
            ScheduledExecutorService scheduler,
            Executor agentExecutor,
            Duration timeout,
            int maxConversation,
            Deltas deltas) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.store = store;
        this.agent = agent;
        this.clock = clock;
        this.scheduler = scheduler;
        this.agentExecutor = agentExecutor;
        this.timeout = timeout;
        this.maxConversation = Math.max(2, maxConversation);
        this.deltas = deltas;
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        this.owner = "node-" + HexFormat.of().formatHex(id);
    }

    /** Starts the periodic sweep for turns that nobody holds. */
    void start() {
        sweep = scheduler.scheduleWithFixedDelay(
                this::claimStale, STALE_SWEEP_SECONDS, STALE_SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /** Whether an {@link EmbedAgent} answers (else every message gets {@link #NO_AGENT_REPLY}). */
    boolean hasAgent() {
        return agent != null;
    }

    /** Claims and starts the session's next turn, unless one of its turns is in progress anywhere. */
    void next(String sessionId) {
        if (closed) {
            return;
        }
        store.messages().claimNext(sessionId, owner, leaseUntil()).ifPresent(this::start);
    }

    /** Claims and starts turns that nobody holds. */
    void claimStale() {
        if (closed) {
            return;
        }
        try {
            for (MessageStore.Turn turn :
                    store.messages().claimStale(owner, clock.instant(), leaseUntil(), STALE_SWEEP_MAX)) {
                start(turn);
            }
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: could not look for unanswered messages: "
                            + e.getClass().getName());
        }
    }

    @Override
    public void messageStored(String sessionId) {
        // Nothing to do: the node that stored a user message claims its turn (or the sweep does).
    }

    @Override
    public void sessionEnded(String sessionId) {
        Attempt attempt = running.get(sessionId);
        if (attempt != null) {
            attempt.abandon();
        }
    }

    /** Turns in progress on this node (for tests and metrics). */
    int inProgress() {
        return running.size();
    }

    /** Stops the sweep and cancels the turns in progress; nothing more is stored. */
    void close() {
        closed = true;
        ScheduledFuture<?> task = sweep;
        if (task != null) {
            task.cancel(false);
        }
        for (Attempt attempt : running.values()) {
            attempt.abandon();
        }
    }

    private Instant leaseUntil() {
        return clock.instant().plus(timeout).plusSeconds(LEASE_MARGIN_SECONDS);
    }

    private void start(MessageStore.Turn turn) {
        Attempt attempt = new Attempt(turn);
        Attempt previous = running.putIfAbsent(turn.sessionId(), attempt);
        if (previous != null) {
            // A stale claim of a turn this node still works on (its lease ran out): the work goes on.
            return;
        }
        try {
            agentExecutor.execute(attempt::call);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: the agent's queue is full; a message of session " + turn.sessionId()
                                + " got an apology instead");
            }
            attempt.endWith(closed ? null : AGENT_FAILED_REPLY);
        }
    }

    /**
     * The history for the agent, at most {@code maxConversation} messages and {@link
     * #MAX_CONVERSATION_CHARS} characters (the newest): each user message
     * followed by its reply (a reply may have been stored after later user messages, which came
     * while the agent answered), ending with the turn's message; user messages stored after it are
     * left out (they are later turns).
     */
    private List<ChatMessage> conversation(MessageStore.Turn turn) {
        MessageStore messages = store.messages();
        String sessionId = turn.sessionId();
        List<ChatMessage> history = new ArrayList<>();
        long chars = 0;
        Optional<MessageStore.Page> page = messages.page(sessionId, null, null, MessageStore.MAX_PAGE_SIZE);
        while (page.isPresent()) {
            history.addAll(0, page.get().messages());
            for (ChatMessage message : page.get().messages()) {
                chars += message.content().length();
            }
            if (!page.get().hasMore()
                    || history.size() >= maxConversation
                    || chars >= MAX_CONVERSATION_CHARS
                    || history.isEmpty()) {
                break;
            }
            page = messages.page(sessionId, null, history.get(0).id(), MessageStore.MAX_PAGE_SIZE);
        }
        Map<String, ChatMessage> replies = new HashMap<>();
        for (ChatMessage message : history) {
            if (!message.fromUser()) {
                replies.put(message.id(), message);
            }
        }
        List<ChatMessage> out = new ArrayList<>(history.size() + 1);
        Set<String> placed = new HashSet<>();
        boolean seen = false;
        for (ChatMessage message : history) {
            if (message.id().equals(turn.message().id())) {
                seen = true;
            } else if (message.fromUser()) {
                if (!seen) {
                    out.add(message);
                    ChatMessage reply = replies.get(MessageStore.replyId(message.id()));
                    if (reply != null) {
                        out.add(reply);
                        placed.add(reply.id());
                    }
                }
            } else if (!placed.contains(message.id())) {
                out.add(message); // a reply whose message is no longer kept
            }
        }
        out.add(turn.message());
        int from = Math.max(0, out.size() - maxConversation);
        long kept = turn.message().content().length();
        for (int i = out.size() - 2; i >= from; i--) {
            kept += out.get(i).content().length();
            if (kept > MAX_CONVERSATION_CHARS) {
                from = i + 1;
                break;
            }
        }
        return List.copyOf(out.subList(from, out.size()));
    }

    private static AgentContext context(EmbedSession session, MessageStore.Turn turn) {
        EmbedSession.LinkData link = session.link();
        return new AgentContext(
                session.id(),
                session.tenant(),
                session.spaceId(),
                session.agentId(),
                turn.mode() != null ? turn.mode() : session.mode(),
                session.externalUserId(),
                session.displayName(),
                link == null ? List.of() : link.sources(),
                link == null ? List.of() : link.knowledgeEntries(),
                link == null ? List.of() : link.referenceQueries(),
                link == null ? null : link.model());
    }

    /**
     * One call of the agent for one turn, and the sink a streaming agent writes to. Ends exactly
     * once ({@link #end}): with a reply, an apology, or nothing (abandoned).
     */
    private final class Attempt implements StreamingAgent.ReplySink {
        private final MessageStore.Turn turn;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final StringBuilder text = new StringBuilder();
        private final List<Runnable> onCancel = new ArrayList<>();
        private boolean cancelled;
        private @Nullable CompletionStage<String> stage;
        private volatile @Nullable ScheduledFuture<?> deadline;

        Attempt(MessageStore.Turn turn) {
            this.turn = turn;
        }

        void call() {
            try {
                Optional<EmbedSession> session =
                        closed ? Optional.empty() : store.sessions().find(turn.sessionId());
                if (session.isEmpty()) {
                    abandon(); // ended meanwhile (or closing): nobody will read a reply
                    return;
                }
                EmbedAgent answering = agent;
                if (answering == null) {
                    endWith(NO_AGENT_REPLY);
                    return;
                }
                AgentContext context = context(session.get(), turn);
                List<ChatMessage> conversation = conversation(turn);
                deadline = scheduler.schedule(this::timeOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (answering instanceof StreamingAgent streaming) {
                    streaming.stream(context, conversation, this);
                    return;
                }
                CompletionStage<String> reply = answering.reply(context, conversation);
                if (reply == null) {
                    failWith(new NullPointerException("EmbedAgent.reply returned null"));
                    return;
                }
                synchronized (this) {
                    stage = reply;
                }
                // The callback's own stage is not needed: the callback handles every outcome.
                var unused = reply.whenComplete((result, error) -> {
                    if (error != null) {
                        failWith(error);
                    } else {
                        succeed(result);
                    }
                });
                if (isCancelled()) {
                    cancelStage(); // timed out or abandoned while reply() ran
                }
            } catch (Throwable t) { // whatever the agent throws, the session's turns must move on
                failWith(t);
            }
        }

        // ---- ReplySink

        @Override
        public void delta(String piece) {
            String kept;
            synchronized (this) {
                if (cancelled || ended.get()) {
                    return;
                }
                int room = MAX_REPLY_LENGTH - text.length();
                if (piece.length() <= room) {
                    text.append(piece);
                    forward(piece); // under the lock: the streams get the pieces in the order kept
                    return;
                }
                int cut = room;
                if (cut > 0 && Character.isHighSurrogate(piece.charAt(cut - 1))) {
                    cut--; // never half a code point
                }
                text.append(piece, 0, cut);
                forward(piece.substring(0, cut));
                kept = text.toString();
            }
            if (end()) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: the agent's reply to a message of session " + turn.sessionId() + " reached "
                                + MAX_REPLY_LENGTH + " characters; it was cancelled and cut there");
                cancel();
                keep(kept);
            }
        }

        private void forward(String piece) {
            if (piece.isEmpty()) {
                return;
            }
            try {
                deltas.delta(
                        turn.sessionId(), MessageStore.replyId(turn.message().id()), piece);
            } catch (RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: a piece of a reply could not be passed on: "
                                + e.getClass().getName());
            }
        }

        @Override
        public void complete() {
            String reply;
            synchronized (this) {
                reply = text.toString();
            }
            succeed(reply);
        }

        @Override
        public void fail(Throwable error) {
            failWith(error);
        }

        @Override
        public synchronized boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void onCancel(Runnable callback) {
            boolean now;
            synchronized (this) {
                now = cancelled;
                if (!now) {
                    onCancel.add(callback);
                }
            }
            if (now) {
                runQuietly(callback);
            }
        }

        // ---- outcomes

        void succeed(@Nullable String reply) {
            if (reply == null || reply.isBlank()) {
                failWith(null);
                return;
            }
            String kept = reply;
            if (reply.length() > MAX_REPLY_LENGTH) {
                int cut = MAX_REPLY_LENGTH;
                if (Character.isHighSurrogate(reply.charAt(cut - 1))) {
                    cut--;
                }
                kept = reply.substring(0, cut);
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: the agent's reply to a message of session " + turn.sessionId() + " was longer than "
                                + MAX_REPLY_LENGTH + " characters; it was cut there");
            }
            endWith(kept);
        }

        void failWith(@Nullable Throwable error) {
            if (!end()) {
                return;
            }
            if (closed) {
                return;
            }
            logFailure(error);
            keep(AGENT_FAILED_REPLY);
        }

        void timeOut() {
            if (!end()) {
                return;
            }
            logFailure(new TimeoutException());
            cancel();
            keep(AGENT_FAILED_REPLY);
        }

        /** The session ended, or the library closes: cancels the agent; nothing is stored. */
        void abandon() {
            if (end()) {
                cancel();
            }
        }

        /** Ends with this reply (null: nothing to store). */
        void endWith(@Nullable String reply) {
            if (end()) {
                keep(reply);
            }
        }

        /** Whether this call ends the attempt: true exactly once. */
        private boolean end() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> task = deadline;
            if (task != null) {
                task.cancel(false);
            }
            running.remove(turn.sessionId(), this);
            return true;
        }

        /** Stores the reply (unless closing), then moves on to the session's next turn. */
        private void keep(@Nullable String reply) {
            if (reply == null || closed) {
                return;
            }
            boolean stored = false;
            try {
                stored = store.messages().reply(turn, reply, clock.instant()).isPresent();
            } catch (RuntimeException e) {
                LOG.log(
                        System.Logger.Level.ERROR,
                        "embed: the store could not keep a reply of session " + turn.sessionId() + ": "
                                + e.getClass().getName());
            }
            if (stored) {
                next(turn.sessionId());
            }
        }

        private void cancel() {
            List<Runnable> callbacks;
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                cancelled = true;
                callbacks = List.copyOf(onCancel);
                onCancel.clear();
            }
            cancelStage();
            callbacks.forEach(AgentTurns::runQuietly);
        }

        private void cancelStage() {
            CompletionStage<String> reply;
            synchronized (this) {
                reply = stage;
            }
            if (reply != null) {
                try {
                    reply.toCompletableFuture().cancel(true);
                } catch (UnsupportedOperationException e) {
                    // a stage that cannot be cancelled: its late result is ignored
                }
            }
        }

        /** Logs why the agent did not answer: the failure's type only, never text or tokens. */
        private void logFailure(@Nullable Throwable error) {
            Throwable cause = error;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            String what = cause == null
                    ? "blank or null reply"
                    : cause instanceof TimeoutException
                            ? "no reply within " + timeout.toMillis() + " ms"
                            : cause.getClass().getName();
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: the agent could not answer a message of session " + turn.sessionId() + " (" + what
                            + "); the session got an apology instead");
        }
    }

    private static void runQuietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: an agent's onCancel callback failed: "
                            + e.getClass().getName());
        }
    }
}
