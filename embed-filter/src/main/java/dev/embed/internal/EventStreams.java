package dev.embed.internal;

import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedStore;
import dev.embed.store.MessageStore;
import dev.embed.token.EmbedClaims;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The sessions' event streams ({@code GET /api/v1/embed/chat-sessions/{sessionId}/events}, DESIGN
 * §4), without a thread each: an open stream is an entry in a map by session, and everything it
 * sends is queued on its {@link Exchange.EventStream}, which the adapter writes as the connection
 * takes it.
 *
 * <ul>
 *   <li>{@code event: message}, {@code id: <messageId>}: every stored message after {@code
 *       Last-Event-ID} (or {@code ?after=}; with neither, the latest {@value #PAGE} messages, as the
 *       session's {@code GET} answers), then each new one. Messages are read from the store in pages
 *       of {@value #PAGE}, on the delivery executor, one read at a time per stream, whenever the
 *       store's {@link EmbedStore.Listener} says the session has a new message (on this node at
 *       once, from other nodes within a second); a stream whose client lags pauses reading at
 *       {@value #PAUSE_BYTES} queued bytes until its queue drains, so no history is ever held
 *       whole.
 *   <li>{@code event: delta}, {@code data: {"id", "delta"}}: each piece of a reply the agent writes
 *       on this node ({@link AgentTurns.Deltas}); {@code id} is the reply's message id ({@link
 *       MessageStore#replyId}). Deltas carry no {@code id:} line, so {@code Last-Event-ID} is always a
 *       stored message. A stream opened while a reply is written gets its deltas from then on; the
 *       finished {@code message} always carries the whole text.
 *   <li>{@code event: ended}, {@code data: {"reason"}} ({@code session_ended}, {@code token_expired}),
 *       then the stream closes.
 *   <li>A comment line every {@code embed.events.keepAliveMillis} (at most 15 s), which also finds
 *       connections that are gone.
 * </ul>
 *
 * A client more than {@value #MAX_QUEUED_BYTES} bytes behind is dropped (it resumes with {@code
 * Last-Event-ID}). Streams and long polls held at once per session are bounded ({@link
 * HeldRequests}). Thread-safe.
 */
final class EventStreams implements EmbedStore.Listener, AgentTurns.Deltas {
    /** Messages read from the store at once. */
    static final int PAGE = ChatRequests.DEFAULT_LIMIT;

    /** Queued bytes at which a stream stops reading history until its client has taken them. */
    static final long PAUSE_BYTES = 64 * 1024;

    /** Queued bytes past which a client is too slow and its stream is closed. */
    static final long MAX_QUEUED_BYTES = 1024 * 1024;

    /** The longest interval between keep-alive comments (DESIGN §4). */
    static final long MAX_KEEP_ALIVE_MILLIS = 15_000;

    static final String SESSION_ENDED = "session_ended";
    static final String TOKEN_EXPIRED = "token_expired";

    private static final System.Logger LOG = System.getLogger("dev.embed.chat");

    private final EmbedStore store;
    private final HeldRequests held;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Executor delivery;
    private final long keepAliveMillis;
    private final Map<String, Set<Subscriber>> streams = new ConcurrentHashMap<>();
    private volatile boolean closed;

    EventStreams(
            EmbedStore store,
            HeldRequests held,
            Clock clock,
            ScheduledExecutorService scheduler,
            Executor delivery,
            long keepAliveMillis) {
        if (keepAliveMillis < 1 || keepAliveMillis > MAX_KEEP_ALIVE_MILLIS) {
            throw new IllegalArgumentException("keepAliveMillis must be 1.." + MAX_KEEP_ALIVE_MILLIS);
        }
        this.store = store;
        this.held = held;
        this.clock = clock;
        this.scheduler = scheduler;
        this.delivery = delivery;
        this.keepAliveMillis = keepAliveMillis;
    }

    /**
     * Checks a request for the stream of the token's session and counts it as held.
     *
     * @param lastEventId the {@code Last-Event-ID} header (wins over {@code after})
     * @param after the {@code after} query parameter
     * @throws EmbedException 404 when the session ended or never existed, 400 for a cursor that is
     *     no message of the session, 429 when the session holds too many streams and long polls,
     *     503 when the library closes
     */
    Endpoint.Events open(EmbedClaims claims, @Nullable String lastEventId, @Nullable String after) {
        if (closed) {
            throw LongPolls.closing();
        }
        boolean header = lastEventId != null && !lastEventId.isEmpty();
        String name = header ? "Last-Event-ID" : "after";
        String cursor = ChatRequests.cursor(header ? lastEventId : after, name);
        String sid = claims.sessionId();
        if (store.sessions().find(sid).isEmpty()) {
            throw EmbedError.notFound(
                            "this chat session has ended or does not exist; mint a new token for a new session")
                    .toException();
        }
        if (cursor != null && store.messages().page(sid, cursor, null, 1).isEmpty()) {
            throw ChatRequests.badCursor(name);
        }
        held.acquire(sid);
        return new Subscriber(sid, cursor, claims.expiresAtInstant().toEpochMilli());
    }

    // ------------------------------------------------------------------------------ what happens

    @Override
    public void messageStored(String sessionId) {
        for (Subscriber subscriber : subscribers(sessionId)) {
            subscriber.pump();
        }
    }

    @Override
    public void sessionEnded(String sessionId) {
        for (Subscriber subscriber : subscribers(sessionId)) {
            subscriber.end(SESSION_ENDED);
        }
    }

    @Override
    public void delta(String sessionId, String replyId, String text) {
        if (text.isEmpty()) {
            return;
        }
        Set<Subscriber> subscribers = streams.get(sessionId);
        if (subscribers == null || subscribers.isEmpty()) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", replyId);
        data.put("delta", text);
        String json = Json.write(data);
        for (Subscriber subscriber : subscribers) {
            subscriber.send("delta", null, json);
        }
    }

    /** Streams open right now, across sessions (for metrics and tests). */
    int open() {
        int count = 0;
        for (Set<Subscriber> set : streams.values()) {
            count += set.size();
        }
        return count;
    }

    /** Closes every stream (without {@code ended}: the clients reconnect to another node or later). */
    void close() {
        closed = true;
        for (Set<Subscriber> set : streams.values()) {
            for (Subscriber subscriber : set) {
                subscriber.finish(true);
            }
        }
    }

    private Set<Subscriber> subscribers(String sessionId) {
        Set<Subscriber> set = streams.get(sessionId);
        return set == null ? Set.of() : set;
    }

    private void deliver(Runnable task) {
        try {
            delivery.execute(task);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                task.run();
            }
        }
    }

    /** One open stream. */
    private final class Subscriber implements Endpoint.Events {
        private final String sessionId;
        private final long expiresAtMillis;
        private final AtomicBoolean over = new AtomicBoolean();
        /** The last message sent; null until the first page. Read and written by the pump only. */
        private volatile @Nullable String lastId;

        private volatile Exchange.@Nullable EventStream stream;
        private volatile @Nullable ScheduledFuture<?> keepAlive;
        private volatile @Nullable ScheduledFuture<?> expiry;
        // the pump runs on one thread at a time: guarded by this
        private boolean pumping;
        private boolean again;

        Subscriber(String sessionId, @Nullable String cursor, long expiresAtMillis) {
            this.sessionId = sessionId;
            this.lastId = cursor;
            this.expiresAtMillis = expiresAtMillis;
        }

        @Override
        public void start(Exchange.EventStream opened) {
            stream = opened;
            if (closed) {
                finish(true);
                return;
            }
            streams.compute(sessionId, (sid, set) -> {
                Set<Subscriber> live = set != null ? set : ConcurrentHashMap.newKeySet();
                live.add(this);
                return live;
            });
            keepAlive = scheduler.scheduleWithFixedDelay(
                    this::keepAlive, keepAliveMillis, keepAliveMillis, TimeUnit.MILLISECONDS);
            long untilExpiry = Math.max(0, expiresAtMillis - clock.millis());
            expiry = scheduler.schedule(() -> end(TOKEN_EXPIRED), untilExpiry, TimeUnit.MILLISECONDS);
            if (over.get()) {
                forget(); // gone while starting
                cancelTimers();
                return;
            }
            // Ended between the check of open() and now: the listener found no stream to tell.
            try {
                if (store.sessions().find(sessionId).isEmpty()) {
                    end(SESSION_ENDED);
                    return;
                }
            } catch (RuntimeException e) {
                failed(e);
                return;
            }
            pump();
        }

        @Override
        public void gone() {
            finish(false);
        }

        /** Sends {@code ended} with its reason and closes the stream. */
        void end(String reason) {
            Exchange.EventStream open = stream;
            if (over.get() || open == null) {
                return;
            }
            open.send("ended", null, Json.write(Map.of("reason", reason)));
            finish(true);
        }

        /** Queues an event; drops a client that is too far behind. */
        void send(String event, @Nullable String id, String data) {
            Exchange.EventStream open = stream;
            if (open == null || over.get()) {
                return;
            }
            if (open.queuedBytes() > MAX_QUEUED_BYTES) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "embed: an event stream of session " + sessionId + " fell " + MAX_QUEUED_BYTES
                                + " bytes behind; it was closed (the client resumes with Last-Event-ID)");
                finish(true);
                return;
            }
            if (!open.send(event, id, data)) {
                finish(false);
            }
        }

        private void keepAlive() {
            Exchange.EventStream open = stream;
            if (open != null && !over.get() && !open.comment("keep-alive")) {
                finish(false);
            }
        }

        /** Reads and sends the messages after the last one sent, one pump at a time per stream. */
        void pump() {
            synchronized (this) {
                if (over.get()) {
                    return;
                }
                if (pumping) {
                    again = true;
                    return;
                }
                pumping = true;
            }
            deliver(this::runPump);
        }

        private void runPump() {
            while (true) {
                boolean paused = sendPages();
                synchronized (this) {
                    if (!paused && again && !over.get()) {
                        again = false;
                        continue;
                    }
                    pumping = false;
                    again = false;
                }
                Exchange.EventStream open = stream;
                if (paused && open != null) {
                    open.whenDrained(this::pump);
                }
                return;
            }
        }

        /** Sends pages until nothing is newer; true when it paused for a slow client. */
        private boolean sendPages() {
            Exchange.EventStream open = stream;
            try {
                while (open != null && !over.get()) {
                    if (open.queuedBytes() >= PAUSE_BYTES) {
                        return true;
                    }
                    String after = lastId;
                    Optional<MessageStore.Page> page = store.messages().page(sessionId, after, null, PAGE);
                    if (page.isEmpty()) {
                        // The cursor is no longer kept (the oldest messages went): go on from the latest.
                        page = store.messages().page(sessionId, null, null, PAGE);
                        if (page.isEmpty()) {
                            return false;
                        }
                    }
                    List<ChatMessage> messages = page.get().messages();
                    for (ChatMessage message : messages) {
                        send("message", message.id(), Json.write(ChatService.json(message)));
                    }
                    if (!messages.isEmpty()) {
                        lastId = messages.get(messages.size() - 1).id();
                    }
                    if (messages.isEmpty() || (after != null && !page.get().hasMore())) {
                        return false;
                    }
                }
            } catch (RuntimeException e) {
                failed(e);
            }
            return false;
        }

        /** The store failed: the stream closes without {@code ended}, and the client resumes later. */
        private void failed(RuntimeException e) {
            if (!(e instanceof EmbedException)) {
                LOG.log(
                        System.Logger.Level.ERROR,
                        "embed: could not read the messages of session " + sessionId + " for its event stream: "
                                + e.getClass().getName(),
                        e);
            }
            finish(true);
        }

        /** Ends the stream once: forgets it, stops its timers, releases its hold; closes it if asked. */
        void finish(boolean closeStream) {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            forget();
            cancelTimers();
            held.release(sessionId);
            Exchange.EventStream open = stream;
            if (closeStream && open != null) {
                open.close();
            }
        }

        private void forget() {
            streams.computeIfPresent(sessionId, (sid, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }

        private void cancelTimers() {
            ScheduledFuture<?> task = keepAlive;
            if (task != null) {
                task.cancel(false);
            }
            task = expiry;
            if (task != null) {
                task.cancel(false);
            }
        }
    }
}
