package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.StreamingAgent;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.testing.ManualScheduler;
import dev.embed.testing.MutableClock;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event streams of DESIGN §4 ({@link EventStreams}) over the memory store, through {@link
 * ChatService} as the endpoint calls it. Nothing sleeps: deliveries run on the calling thread,
 * timers on a {@link ManualScheduler}, and each stream is a {@link FakeStream} whose client takes
 * bytes when the test says so.
 */
class EventStreamsTest {
    private static final String SID = "ses_events";
    private static final long KEEP_ALIVE_MILLIS = 15_000;
    private static final int MAX_HELD = 8;

    private final MutableClock clock = MutableClock.start();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final Agent agent = new Agent();
    private MemoryStore store;
    private ChatService chat;
    private EmbedClaims claims;

    @BeforeEach
    void setUp() {
        store = new MemoryStore(clock, 1000, 1000);
        LongPolls polls = new LongPolls(scheduler, Runnable::run);
        HeldRequests held = new HeldRequests(MAX_HELD);
        EventStreams streams = new EventStreams(store, held, clock, scheduler, Runnable::run, KEEP_ALIVE_MILLIS);
        AgentTurns turns =
                new AgentTurns(store, agent, clock, scheduler, Runnable::run, Duration.ofSeconds(30), 1000, streams);
        store.addListener(polls);
        store.addListener(streams);
        store.addListener(turns);
        chat = new ChatService(store, turns, polls, streams, held, clock);
        claims = session(SID, 3600);
    }

    @AfterEach
    void tearDown() {
        chat.close();
    }

    @Test
    void openWhenNoCursorThenEveryMessageSoFarThenEachNewOneAsStored() {
        post("one");
        agent.sinks.get(0).delta("answer one");
        agent.sinks.get(0).complete();

        FakeStream stream = open(null, null);
        String two = post("two");

        assertEquals(
                List.of("message msg_000000000001", "message msg_000000000001r", "message " + two),
                stream.eventsWithIds());
        Map<String, Object> first = Json.parseObject(stream.data("message").get(0));
        assertEquals(List.of("id", "role", "content", "createdAt"), new ArrayList<>(first.keySet()));
        assertEquals("one", first.get("content"));
        assertEquals("user", first.get("role"));
    }

    @Test
    void openWhenLastEventIdThenOnlyLaterMessagesAndNoDuplicates() {
        post("one");
        agent.sinks.get(0).delta("answer");
        agent.sinks.get(0).complete();
        String two = post("two");

        FakeStream resumed = open("msg_000000000001r", "msg_000000000001");

        assertEquals(List.of("message " + two), resumed.eventsWithIds(), "Last-Event-ID wins over after");
        FakeStream after = open(null, "msg_000000000001");
        assertEquals(List.of("message msg_000000000001r", "message " + two), after.eventsWithIds());
    }

    @Test
    void deltasWhenAgentStreamsThenEachGoesOutAtOnceAndTheyAddUpToTheStoredMessage() {
        FakeStream stream = open(null, null);
        post("hi");
        StreamingAgent.ReplySink sink = agent.sinks.get(0);

        sink.delta("Hel");
        assertEquals(List.of("{\"id\":\"msg_000000000001r\",\"delta\":\"Hel\"}"), stream.data("delta"));
        sink.delta("lo, ");
        sink.delta("line\nbreak");
        sink.complete();

        StringBuilder joined = new StringBuilder();
        for (String data : stream.data("delta")) {
            Map<String, Object> delta = Json.parseObject(data);
            assertEquals("msg_000000000001r", delta.get("id"));
            joined.append(delta.get("delta"));
        }
        List<String> messages = stream.data("message");
        assertEquals("Hello, line\nbreak", joined.toString());
        assertEquals(joined.toString(), Json.parseObject(messages.get(1)).get("content"));
        assertEquals(
                List.of("message msg_000000000001", "delta", "delta", "delta", "message msg_000000000001r"),
                stream.eventsWithIds(),
                "deltas carry no id: Last-Event-ID is always a stored message");
    }

    @Test
    void deltasWhenReplyRunsPastTheLimitThenTheyStopAtTheCutAndStillAddUp() {
        FakeStream stream = open(null, null);
        post("go on");
        StreamingAgent.ReplySink sink = agent.sinks.get(0);
        String piece = "x".repeat(3000);
        while (!sink.isCancelled()) {
            sink.delta(piece);
            stream.take();
        }

        StringBuilder joined = new StringBuilder();
        for (String data : stream.data("delta")) {
            joined.append(Json.parseObject(data).get("delta"));
        }
        assertEquals(AgentTurns.MAX_REPLY_LENGTH, joined.length());
        assertEquals(
                joined.toString(),
                Json.parseObject(stream.data("message").get(1)).get("content"));
    }

    @Test
    void historyWhenLongerThanAPageThenReadInPagesAndPausedWhileTheClientLags() {
        agent.autoReply = "y".repeat(200);
        for (int i = 0; i < 350; i++) {
            post("message " + i);
        }
        FakeStream stream = new FakeStream();
        stream.autoTake = false;
        chat.events(claims, null, "msg_000000000001").start(stream);

        int first = stream.data("message").size();
        assertTrue(first < 699, "paused before the whole history: " + first);
        assertTrue(stream.queuedBytes() <= EventStreams.PAUSE_BYTES + 100 * 400, "queued " + stream.queuedBytes());
        while (stream.queuedBytes() > 0) {
            stream.take();
        }

        List<String> ids = stream.ids();
        assertEquals(699, ids.size());
        assertEquals("msg_000000000001r", ids.get(0));
        assertEquals(699, ids.stream().distinct().count(), "no message twice");
        List<String> stored = new ArrayList<>();
        for (Object m : (List<?>) chat.session(claims, "msg_000000000001", null, "500", null)
                .join()
                .get("messages")) {
            stored.add((String) ((Map<?, ?>) m).get("id"));
        }
        assertEquals(stored, ids.subList(0, stored.size()), "in storage order");
    }

    @Test
    void keepAliveWhenIdleThenACommentEveryInterval() {
        FakeStream stream = open(null, null);
        scheduler.advance(Duration.ofMillis(KEEP_ALIVE_MILLIS - 1));
        assertEquals(0, stream.comments);

        scheduler.advance(Duration.ofMillis(1));
        assertEquals(1, stream.comments);
        scheduler.advance(Duration.ofMillis(2 * KEEP_ALIVE_MILLIS));
        assertEquals(3, stream.comments);
    }

    @Test
    void tokenWhenItExpiresThenEndedAndClosed() {
        EmbedClaims shortLived = claimsFor(SID, 60);
        FakeStream stream = new FakeStream();
        chat.events(shortLived, null, null).start(stream);

        scheduler.advance(Duration.ofSeconds(59));
        assertFalse(stream.closed);
        scheduler.advance(Duration.ofSeconds(1));

        assertEquals(List.of("ended"), stream.eventsWithIds());
        assertEquals("{\"reason\":\"token_expired\"}", stream.data("ended").get(0));
        assertTrue(stream.closed);
        assertEquals(0, chat.openStreams());
        assertEquals(0, scheduler.pending(), "its timers are cancelled");
    }

    @Test
    void sessionWhenEndedThenEveryStreamGetsEndedAndClosesAndTheAgentIsCancelled() {
        FakeStream one = open(null, null);
        FakeStream two = open(null, null);
        post("hi");
        StreamingAgent.ReplySink sink = agent.sinks.get(0);
        sink.delta("part");

        store.sessions().end(SID);

        for (FakeStream stream : List.of(one, two)) {
            assertEquals("{\"reason\":\"session_ended\"}", stream.data("ended").get(0));
            assertTrue(stream.closed);
        }
        assertTrue(sink.isCancelled());
        assertEquals(0, chat.openStreams());
    }

    @Test
    void openWhenSessionEndedOrUnknownThenNotFound() {
        store.sessions().end(SID);
        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> open(null, null))
                        .error()
                        .status());
        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> chat.events(claimsFor("ses_nobody", 60), null, null))
                        .error()
                        .status());
    }

    @Test
    void openWhenCursorIsNoMessageOfTheSessionThenBadRequest() {
        EmbedException e = assertThrows(EmbedException.class, () -> open("msg_000000000042", null));
        assertEquals(400, e.error().status());
        assertTrue(e.error().description().contains("Last-Event-ID"), e.error().description());
        assertEquals(
                400,
                assertThrows(EmbedException.class, () -> open(null, "bad id!"))
                        .error()
                        .status());
    }

    @Test
    void heldWhenStreamsAndLongPollsReachTheLimitThenRateLimitedUntilOneEnds() {
        List<FakeStream> streams = new ArrayList<>();
        for (int i = 0; i < MAX_HELD - 1; i++) {
            streams.add(open(null, null));
        }
        CompletableFuture<Map<String, Object>> poll = chat.session(claims, null, null, null, "30");

        EmbedException refused = assertThrows(EmbedException.class, () -> open(null, null));
        assertEquals(429, refused.error().status());
        assertEquals(
                429,
                assertThrows(EmbedException.class, () -> chat.session(claims, null, null, null, "30"))
                        .error()
                        .status());
        assertEquals(
                "idle",
                chat.session(claims, null, null, null, null).join().get("status"),
                "a read that does not wait is not held, so not refused");

        streams.get(0).client.gone();
        open(null, null);
        poll.cancel(false);
        open(null, null);
    }

    @Test
    void clientWhenGoneThenForgottenAndItsTimersCancelled() {
        FakeStream stream = open(null, null);
        assertEquals(1, chat.openStreams());

        stream.client.gone();

        assertEquals(0, chat.openStreams());
        assertEquals(0, scheduler.pending());
        post("after");
        assertEquals(List.of(), stream.eventsWithIds());
    }

    @Test
    void clientWhenTooFarBehindThenClosedSoItResumes() {
        FakeStream stream = open(null, null);
        stream.autoTake = false;
        for (int i = 0; i < 100 && !stream.closed; i++) {
            post("more " + i);
            StreamingAgent.ReplySink sink = agent.sinks.get(i);
            sink.delta("z".repeat(30_000));
            sink.complete();
        }

        assertTrue(stream.closed);
        assertEquals(0, chat.openStreams());
    }

    // --- helpers ----------------------------------------------------------------------------

    private FakeStream open(@Nullable String lastEventId, @Nullable String after) {
        FakeStream stream = new FakeStream();
        stream.client = chat.events(claims, lastEventId, after);
        stream.client.start(stream);
        return stream;
    }

    private String post(String text) {
        return (String) chat.postMessage(claims, Map.of("message", text)).get("messageId");
    }

    private EmbedClaims session(String sid, long ttlSeconds) {
        Instant now = clock.instant();
        store.sessions()
                .create(new EmbedSession(
                        sid,
                        "acme",
                        "demo",
                        "support",
                        "user-1",
                        "Ada",
                        "agent",
                        "session",
                        now,
                        now.plusSeconds(ttlSeconds),
                        List.of(),
                        null));
        return claimsFor(sid, ttlSeconds);
    }

    private EmbedClaims claimsFor(String sid, long ttlSeconds) {
        long now = clock.instant().getEpochSecond();
        return new EmbedClaims(
                "user-1",
                sid,
                "jti-1",
                TokenKind.EMBED_SESSION,
                now,
                now,
                now + ttlSeconds,
                "demo",
                "support",
                null,
                null,
                List.of(),
                null);
    }

    /** A streaming agent whose sinks the tests write to. */
    static final class Agent implements StreamingAgent {
        final List<ReplySink> sinks = new CopyOnWriteArrayList<>();
        volatile @Nullable String autoReply;

        @Override
        public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
            sinks.add(sink);
            String reply = autoReply;
            if (reply != null) {
                sink.delta(reply);
                sink.complete();
            }
        }
    }

    /** An event stream whose client takes every byte at once, or when {@link #take} is called. */
    static final class FakeStream implements Exchange.EventStream {
        record Event(String event, @Nullable String id, String data) {}

        final List<Event> events = new ArrayList<>();
        final List<Runnable> drained = new ArrayList<>();
        Endpoint.Events client;
        boolean autoTake = true;
        boolean closed;
        int comments;
        long queued;

        @Override
        public synchronized boolean send(@Nullable String event, @Nullable String id, String data) {
            if (closed) {
                return false;
            }
            events.add(new Event(event == null ? "message" : event, id, data));
            queued += Exchange.EventStream.frame(event, id, data).getBytes(StandardCharsets.UTF_8).length;
            if (autoTake) {
                take();
            }
            return true;
        }

        @Override
        public synchronized boolean comment(String text) {
            if (closed) {
                return false;
            }
            comments++;
            return true;
        }

        @Override
        public synchronized long queuedBytes() {
            return queued;
        }

        @Override
        public void whenDrained(Runnable task) {
            if (queued == 0) {
                task.run();
            } else {
                drained.add(task);
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        /** The client takes everything queued. */
        void take() {
            queued = 0;
            List<Runnable> tasks = List.copyOf(drained);
            drained.clear();
            tasks.forEach(Runnable::run);
        }

        List<String> eventsWithIds() {
            return events.stream()
                    .map(e -> e.id() == null ? e.event() : e.event() + " " + e.id())
                    .toList();
        }

        List<String> ids() {
            return events.stream().filter(e -> e.id() != null).map(Event::id).toList();
        }

        List<String> data(String event) {
            return events.stream()
                    .filter(e -> e.event().equals(event))
                    .map(Event::data)
                    .toList();
        }
    }
}
