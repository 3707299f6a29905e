package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import dev.embed.chat.StreamingAgent;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.MessageStore;
import dev.embed.testing.ManualScheduler;
import dev.embed.testing.MutableClock;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ChatService}, {@link AgentTurns} and {@link LongPolls} over the memory store: the §4
 * behaviour both adapters rely on. Nothing here sleeps or waits for another thread: agents and
 * deliveries run on the calling thread, and timers on a {@link ManualScheduler} that the tests
 * advance with the clock.
 */
class ChatServiceTest {
    private static final String SID = "ses_test";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final MutableClock clock = MutableClock.start();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedAgent agent = new ScriptedAgent();
    private MemoryStore store;
    private AgentTurns turns;
    private ChatService chat;
    private EmbedClaims claims;

    @BeforeEach
    void setUp() {
        chat = chatWith(agent);
        claims = session(SID, List.of("docs"));
    }

    @AfterEach
    void tearDown() {
        chat.close();
    }

    // --- POST messages ----------------------------------------------------------------------

    @Test
    void postMessageWhenValidThenAcceptedWithIdSessionAndCreatedAt() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));

        Map<String, Object> answer = chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(List.of("messageId", "sessionId", "createdAt", "status"), new ArrayList<>(answer.keySet()));
        assertEquals("msg_000000000001", answer.get("messageId"));
        assertEquals(SID, answer.get("sessionId"));
        assertEquals("2026-01-01T00:00:00.000Z", answer.get("createdAt"));
        assertEquals("accepted", answer.get("status"));
    }

    @Test
    void postMessageWhenSessionUnknownThenNotFound() {
        EmbedClaims stranger = claimsFor("ses_unknown");

        EmbedException e =
                assertThrows(EmbedException.class, () -> chat.postMessage(stranger, Map.of("message", "hi")));

        assertEquals(404, e.error().status());
        assertEquals("not_found", e.error().code());
    }

    @Test
    void postMessageWhenSessionEndedThenNotFoundForPostAndGet() {
        store.sessions().end(SID);

        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> chat.postMessage(claims, Map.of("message", "hi")))
                        .error()
                        .status());
        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> read(null, null, null, null))
                        .error()
                        .status());
    }

    static Stream<Arguments> badBodies() {
        Map<String, Object> nullMessage = new HashMap<>();
        nullMessage.put("message", null);
        return Stream.of(
                Arguments.of("missing message", Map.of()),
                Arguments.of("null message", nullMessage),
                Arguments.of("empty message", Map.of("message", "")),
                Arguments.of("blank message", Map.of("message", "  \n ")),
                Arguments.of("8001 characters", Map.of("message", "a".repeat(8001))),
                Arguments.of("number", Map.of("message", 42L)),
                Arguments.of("array", Map.of("message", List.of("a"))),
                Arguments.of("NUL", Map.of("message", "a\u0000b")),
                Arguments.of("escape", Map.of("message", "a\u001bb")),
                Arguments.of("lone surrogate", Map.of("message", "a\ud800b")),
                Arguments.of("unknown mode", Map.of("message", "hi", "mode", "turbo")),
                Arguments.of("mode not a string", Map.of("message", "hi", "mode", 1L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void postMessageWhenBodyInvalidThenBadRequestAndNothingStored(String name, Map<String, Object> body) {
        EmbedException e = assertThrows(EmbedException.class, () -> chat.postMessage(claims, body));

        assertEquals(400, e.error().status());
        assertEquals("invalid_request", e.error().code());
        assertFalse(e.error().description().contains("turbo"), "never echoes the value");
        assertEquals(List.of(), messages(read(null, null, null, null)));
        assertEquals(0, agent.calls.size());
    }

    @Test
    void postMessageWhenExactly8000CharactersWithLineBreaksThenAccepted() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        String text = "line one\r\n\tline two " + "é".repeat(8000 - 20);

        chat.postMessage(claims, Map.of("message", text, "mode", "thinking"));

        assertEquals(List.of(text, "ok"), contents(all()));
    }

    @Test
    void postMessageWhenAstralCharactersThenCountsCodePoints() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));

        chat.postMessage(claims, Map.of("message", "😀".repeat(8000)));

        assertEquals(2, all().size());
    }

    @Test
    void postMessageWhenTooManyWaitForTheAgentThenRateLimitedAndNothingStored() {
        agent.answerWith(text -> new CompletableFuture<>());
        for (int i = 0; i < MemoryMessages.MAX_PENDING_TURNS; i++) {
            chat.postMessage(claims, Map.of("message", "m" + i));
        }

        EmbedException e =
                assertThrows(EmbedException.class, () -> chat.postMessage(claims, Map.of("message", "more")));

        assertEquals(429, e.error().status());
        assertEquals("rate_limited", e.error().code());
        assertTrue(e.error().retryAfterSeconds() >= 1);
        assertEquals(MemoryMessages.MAX_PENDING_TURNS, all().size());
    }

    // --- agent calls ------------------------------------------------------------------------

    @Test
    void agentWhenItAnswersThenReplyStoredAfterTheUserMessageUnderItsReplyId() {
        agent.answerWith(text -> CompletableFuture.completedFuture("You said: " + text));

        chat.postMessage(claims, Map.of("message", "hello"));
        List<Map<String, Object>> messages = all();

        assertEquals(
                Map.of(
                        "id",
                        "msg_000000000001",
                        "role",
                        "user",
                        "content",
                        "hello",
                        "createdAt",
                        "2026-01-01T00:00:00.000Z"),
                messages.get(0));
        assertEquals("assistant", messages.get(1).get("role"));
        assertEquals("You said: hello", messages.get(1).get("content"));
        assertEquals(MessageStore.replyId("msg_000000000001"), messages.get(1).get("id"));
        assertEquals(2, messages.size());
    }

    @Test
    void agentWhenCalledThenGetsTypedSessionContextAndModeOfTheMessage() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));

        chat.postMessage(claims, Map.of("message", "one"));
        chat.postMessage(claims, Map.of("message", "two", "mode", "build-app"));

        assertEquals(
                new AgentContext(
                        SID,
                        "acme",
                        "demo",
                        "support",
                        "agent",
                        "user-1",
                        "Ada",
                        List.of("docs"),
                        List.of(new AgentContext.KnowledgeEntry(null, "fact")),
                        List.of(new AgentContext.ReferenceQuery("Q", "query?")),
                        "gpt-5"),
                agent.calls.get(0).context);
        assertEquals("build-app", agent.calls.get(1).context.mode());
        List<ChatMessage> conversation = agent.calls.get(1).conversation;
        assertEquals(
                List.of("one", "ok", "two"),
                conversation.stream().map(ChatMessage::content).toList());
        assertThrows(UnsupportedOperationException.class, () -> conversation.add(conversation.get(0)));
    }

    @Test
    void agentWhenMessagesQueueThenEachTurnSeesTheHistoryUpToItsMessageOnly() {
        List<CompletableFuture<String>> replies = new ArrayList<>();
        agent.answerWith(text -> {
            CompletableFuture<String> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        });
        chat.postMessage(claims, Map.of("message", "one"));
        chat.postMessage(claims, Map.of("message", "two"));
        chat.postMessage(claims, Map.of("message", "three"));
        assertEquals(1, agent.calls.size(), "one turn of a session at a time");

        replies.get(0).complete("re one");
        replies.get(1).complete("re two");

        assertEquals(List.of("one"), contents(agent.calls.get(0).conversation));
        assertEquals(List.of("one", "re one", "two"), contents(agent.calls.get(1).conversation));
        assertEquals(List.of("one", "re one", "two", "re two", "three"), contents(agent.calls.get(2).conversation));
    }

    @Test
    void agentWhenStageFailsThenApologyStoredAndUserMessageKept() {
        agent.answerWith(text -> CompletableFuture.failedFuture(new IllegalStateException("secret detail")));

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(List.of("hello", AgentTurns.AGENT_FAILED_REPLY), contents(all()));
        assertEquals("assistant", all().get(1).get("role"));
    }

    @Test
    void agentWhenItThrowsThenApologyStoredAndNextMessageStillAnswered() {
        agent.answerWith(text -> {
            if (text.equals("boom")) {
                throw new IllegalArgumentException("secret detail");
            }
            return CompletableFuture.completedFuture("fine");
        });

        chat.postMessage(claims, Map.of("message", "boom"));
        chat.postMessage(claims, Map.of("message", "again"));

        assertEquals(List.of("boom", AgentTurns.AGENT_FAILED_REPLY, "again", "fine"), contents(all()));
    }

    @ParameterizedTest(name = "reply {0}")
    @ValueSource(strings = {"", "   "})
    void agentWhenReplyBlankThenApology(String reply) {
        agent.answerWith(text -> CompletableFuture.completedFuture(reply));

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(List.of("hello", AgentTurns.AGENT_FAILED_REPLY), contents(all()));
    }

    @Test
    void agentWhenItReturnsNullThenApology() {
        agent.answerWith(text -> null);

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(List.of("hello", AgentTurns.AGENT_FAILED_REPLY), contents(all()));
    }

    @Test
    void agentWhenSlowerThanTimeoutThenApologyTheStageCancelledAndALateReplyIgnored() {
        CompletableFuture<String> late = new CompletableFuture<>();
        agent.answerWith(text -> late);

        chat.postMessage(claims, Map.of("message", "hello"));
        scheduler.advance(TIMEOUT.minusMillis(1));
        assertEquals(List.of("hello"), contents(all()), "still within its time");
        scheduler.advance(Duration.ofMillis(1));

        assertEquals(List.of("hello", AgentTurns.AGENT_FAILED_REPLY), contents(all()));
        assertTrue(late.isCancelled(), "the timeout cancels the agent's stage");
        assertFalse(late.complete("too late"));
        assertEquals(List.of("hello", AgentTurns.AGENT_FAILED_REPLY), contents(all()));
    }

    @Test
    void agentWhenTimedOutThenSessionsNextMessageIsAnswered() {
        agent.answerWith(text ->
                text.equals("first") ? new CompletableFuture<>() : CompletableFuture.completedFuture("second reply"));

        chat.postMessage(claims, Map.of("message", "first"));
        chat.postMessage(claims, Map.of("message", "second"));
        scheduler.advance(TIMEOUT);

        assertEquals(List.of("first", "second", AgentTurns.AGENT_FAILED_REPLY, "second reply"), contents(all()));
    }

    @Test
    void agentWhenSlowForOneSessionThenOtherSessionsStillAnswered() {
        EmbedClaims other = session("ses_other", null);
        CompletableFuture<String> never = new CompletableFuture<>();
        agent.answerWith(text -> text.equals("stuck") ? never : CompletableFuture.completedFuture("quick"));

        chat.postMessage(claims, Map.of("message", "stuck"));
        chat.postMessage(other, Map.of("message", "hello"));

        assertEquals(
                List.of("hello", "quick"),
                contents(messages(chat.session(other, null, null, null, null).join())));
        Map<String, Object> stuck = read(null, null, null, null);
        assertEquals("responding", stuck.get("status"));
        assertEquals(1, messages(stuck).size());
    }

    @Test
    void agentWhenNoneConfiguredThenReplySaysSo() {
        chat.close();
        chat = chatWith(null);

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(List.of("hello", AgentTurns.NO_AGENT_REPLY), contents(all()));
    }

    @Test
    void agentWhenSessionEndsWhileItAnswersThenItsStageIsCancelledAndNothingStored() {
        CompletableFuture<String> reply = new CompletableFuture<>();
        agent.answerWith(text -> reply);
        chat.postMessage(claims, Map.of("message", "hello"));

        store.sessions().end(SID);

        assertTrue(reply.isCancelled(), "cancellation reaches the agent");
        assertEquals(0, turns.inProgress());
    }

    @Test
    void agentWhenAReplyIsNeverClaimedThenTheSweepAnswersIt() {
        agent.answerWith(text -> CompletableFuture.completedFuture("swept"));
        // Stored as a node that died before claiming it would have left it.
        store.messages().appendUserMessage(store.sessions().find(SID).orElseThrow(), "orphan", null, clock.instant());
        assertEquals(0, agent.calls.size());

        scheduler.advance(Duration.ofSeconds(AgentTurns.STALE_SWEEP_SECONDS));

        assertEquals(List.of("orphan", "swept"), contents(all()));
    }

    @Test
    void agentWhenReplyLongerThanTheLimitThenCutThere() {
        String huge = "x".repeat(AgentTurns.MAX_REPLY_LENGTH + 10);
        agent.answerWith(text -> CompletableFuture.completedFuture(huge));

        chat.postMessage(claims, Map.of("message", "talk"));

        assertEquals(AgentTurns.MAX_REPLY_LENGTH, ((String) all().get(1).get("content")).length());
    }

    // --- streaming agents -------------------------------------------------------------------

    @Test
    void streamingAgentWhenDeltasThenTheirConcatenationIsTheReply() {
        StreamingSpy streaming = new StreamingSpy();
        chat.close();
        chat = chatWith(streaming);

        chat.postMessage(claims, Map.of("message", "hi"));
        StreamingAgent.ReplySink sink = streaming.sinks.get(0);
        sink.delta("Hel");
        sink.delta("lo");
        assertEquals("responding", read(null, null, null, null).get("status"));
        sink.complete();
        sink.delta(" after the end");

        assertEquals(List.of("hi", "Hello"), contents(all()));
        assertFalse(sink.isCancelled());
    }

    @Test
    void streamingAgentWhenReplyRunsPastTheLimitThenCancelledAndWhatArrivedIsKept() {
        StreamingSpy streaming = new StreamingSpy();
        chat.close();
        chat = chatWith(streaming);
        AtomicInteger cancelled = new AtomicInteger();

        chat.postMessage(claims, Map.of("message", "go on"));
        StreamingAgent.ReplySink sink = streaming.sinks.get(0);
        sink.onCancel(cancelled::incrementAndGet);
        String piece = "ab".repeat(5_000);
        while (!sink.isCancelled()) {
            sink.delta(piece);
        }

        assertEquals(1, cancelled.get(), "onCancel ran once");
        String stored = (String) all().get(1).get("content");
        assertEquals(AgentTurns.MAX_REPLY_LENGTH, stored.length());
        assertTrue(stored.startsWith(piece));
        sink.complete();
        assertEquals(2, all().size(), "nothing more after the cut");
    }

    @Test
    void streamingAgentWhenTimedOutOrSessionEndedThenCancelled() {
        StreamingSpy streaming = new StreamingSpy();
        chat.close();
        chat = chatWith(streaming);
        EmbedClaims other = session("ses_other", null);
        List<String> cancelled = new CopyOnWriteArrayList<>();

        chat.postMessage(claims, Map.of("message", "slow"));
        chat.postMessage(other, Map.of("message", "ends"));
        streaming.sinks.get(0).onCancel(() -> cancelled.add("timed out"));
        streaming.sinks.get(1).onCancel(() -> cancelled.add("ended"));
        store.sessions().end("ses_other");
        scheduler.advance(TIMEOUT);

        assertEquals(List.of("ended", "timed out"), cancelled);
        assertTrue(streaming.sinks.get(0).isCancelled());
        assertEquals(List.of("slow", AgentTurns.AGENT_FAILED_REPLY), contents(all()));
    }

    // --- GET session ------------------------------------------------------------------------

    @Test
    void sessionWhenNoMessagesThenEmptyIdleAnswer() {
        Map<String, Object> answer = read(null, null, null, null);

        assertEquals(List.of("sessionId", "status", "messages", "hasMore"), new ArrayList<>(answer.keySet()));
        assertEquals(SID, answer.get("sessionId"));
        assertEquals("idle", answer.get("status"));
        assertEquals(List.of(), answer.get("messages"));
        assertEquals(false, answer.get("hasMore"));
    }

    @Test
    void sessionWhenAgentWorkingThenResponding() {
        CompletableFuture<String> reply = new CompletableFuture<>();
        agent.answerWith(text -> reply);

        chat.postMessage(claims, Map.of("message", "hello"));
        assertEquals("responding", read(null, null, null, "0").get("status"));
        CompletableFuture<Map<String, Object>> poll = chat.session(claims, "msg_000000000001", null, null, "30");
        reply.complete("done");

        Map<String, Object> answer = poll.join();
        assertEquals("idle", answer.get("status"));
        assertEquals(List.of("done"), contents(messages(answer)));
    }

    @Test
    void sessionWhenAfterCursorThenOnlyNewerMessages() {
        agent.answerWith(text -> CompletableFuture.completedFuture("re: " + text));
        String first =
                (String) chat.postMessage(claims, Map.of("message", "one")).get("messageId");
        clock.advance(Duration.ofSeconds(5));
        chat.postMessage(claims, Map.of("message", "two"));
        List<Map<String, Object>> all = all();

        List<Map<String, Object>> newer = messages(read(first, null, null, null));
        List<Map<String, Object>> none = messages(read((String) all.get(3).get("id"), null, null, ""));

        assertEquals(List.of("re: one", "two", "re: two"), contents(newer));
        assertEquals("2026-01-01T00:00:05.000Z", newer.get(1).get("createdAt"));
        assertEquals(List.of(), none);
    }

    @Test
    void sessionWhenLimitAndBeforeThenPagesOfDesignSection4() {
        agent.answerWith(text -> CompletableFuture.completedFuture("re: " + text));
        for (int i = 0; i < 5; i++) {
            chat.postMessage(claims, Map.of("message", "m" + i));
        }
        List<Map<String, Object>> all = all(); // m0, re: m0, ... m4, re: m4

        Map<String, Object> latest = read(null, null, "3", null);
        assertEquals(List.of("re: m3", "m4", "re: m4"), contents(messages(latest)));
        assertEquals(true, latest.get("hasMore"));
        Map<String, Object> before = read(null, (String) all.get(7).get("id"), "4", null);
        assertEquals(List.of("re: m1", "m2", "re: m2", "m3"), contents(messages(before)));
        assertEquals(true, before.get("hasMore"));
        Map<String, Object> oldest = read(null, (String) all.get(3).get("id"), "4", null);
        assertEquals(List.of("m0", "re: m0", "m1"), contents(messages(oldest)));
        assertEquals(false, oldest.get("hasMore"));
        Map<String, Object> after = read((String) all.get(1).get("id"), null, "2", null);
        assertEquals(List.of("m1", "re: m1"), contents(messages(after)));
        assertEquals(true, after.get("hasMore"));
        assertEquals(10, messages(read(null, null, null, null)).size(), "the default limit is 100");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "501", "-1", "abc", "1.5", " 5", "+3", "1000"})
    void sessionWhenLimitOutOfRangeThenBadRequest(String limit) {
        EmbedException e = assertThrows(EmbedException.class, () -> read(null, null, limit, null));

        assertEquals(400, e.error().status());
        assertTrue(e.error().description().contains("limit"), e.error().description());
    }

    @Test
    void sessionWhenAfterAndBeforeTogetherThenBadRequest() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        chat.postMessage(claims, Map.of("message", "one"));

        EmbedException e =
                assertThrows(EmbedException.class, () -> read("msg_000000000001", "msg_000000000001r", null, null));

        assertEquals(400, e.error().status());
    }

    static Stream<String> badCursors() {
        return Stream.of(
                "nope!",
                "msg_000000000009",
                "msg_00000000000",
                "msg_zzzzzzzzzzzzzz",
                "msg_000000000000",
                "MSG_000000000001",
                "msg_000000000001rr",
                "x".repeat(129),
                "msg_000000000001/../x");
    }

    @ParameterizedTest
    @MethodSource("badCursors")
    void sessionWhenAfterOrBeforeMalformedOrUnknownThenBadRequest(String cursor) {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        chat.postMessage(claims, Map.of("message", "one"));

        EmbedException after = assertThrows(EmbedException.class, () -> read(cursor, null, null, "1"));
        EmbedException before = assertThrows(EmbedException.class, () -> read(null, cursor, null, null));

        assertEquals(400, after.error().status());
        assertEquals("invalid_request", after.error().code());
        assertTrue(
                after.error().description().startsWith("after "), after.error().description());
        assertEquals(400, before.error().status());
        assertTrue(
                before.error().description().startsWith("before "),
                before.error().description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"31", "-1", "abc", "1.5", " 5", "1000", "+3", "0x1"})
    void sessionWhenWaitOutOfRangeThenBadRequest(String wait) {
        EmbedException e = assertThrows(EmbedException.class, () -> read(null, null, null, wait));

        assertEquals(400, e.error().status());
        assertTrue(e.error().description().contains("wait"));
    }

    @Test
    void sessionWhenLongPollingThenWakesAsSoonAsTheReplyIsStored() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        agent.answerWith(text -> reply);
        String user =
                (String) chat.postMessage(claims, Map.of("message", "hello")).get("messageId");

        CompletableFuture<Map<String, Object>> poll = chat.session(claims, user, null, null, "30");
        scheduler.advance(Duration.ofSeconds(29));
        assertFalse(poll.isDone(), "nothing newer yet: the poll waits");
        reply.complete("hi there");

        assertTrue(poll.isDone(), "the stored reply woke it");
        assertEquals(List.of("hi there"), contents(messages(poll.get())));
        assertEquals("idle", poll.get().get("status"));
        assertEquals(0, chat.waitingCount());
    }

    @Test
    void sessionWhenLongPollingWithoutCursorThenWakesOnTheUsersOwnMessage() throws Exception {
        agent.answerWith(text -> new CompletableFuture<>());
        CompletableFuture<Map<String, Object>> poll = read30();
        assertFalse(poll.isDone());

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(List.of("hello"), contents(messages(poll.get())));
        assertEquals("responding", poll.get().get("status"));
    }

    @Test
    void sessionWhenNothingArrivesThenEmptyAnswerExactlyWhenTheWaitIsOver() throws Exception {
        CompletableFuture<Map<String, Object>> poll = chat.session(claims, null, null, null, "1");

        scheduler.advance(Duration.ofMillis(999));
        assertFalse(poll.isDone());
        assertEquals(1, chat.waitingCount());
        scheduler.advance(Duration.ofMillis(1));

        assertTrue(poll.isDone());
        assertEquals(List.of(), poll.get().get("messages"));
        assertEquals("idle", poll.get().get("status"));
        assertEquals(0, chat.waitingCount());
        assertEquals(1, scheduler.pending(), "only the sweep of unclaimed turns is left scheduled");
    }

    @Test
    void sessionWhenSeveralPollsWaitThenEveryOneWakes() throws Exception {
        agent.answerWith(text -> new CompletableFuture<>());
        List<CompletableFuture<Map<String, Object>>> polls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            polls.add(read30());
        }

        chat.postMessage(claims, Map.of("message", "hello"));

        for (CompletableFuture<Map<String, Object>> poll : polls) {
            assertEquals(List.of("hello"), contents(messages(poll.get())));
        }
    }

    @Test
    void sessionWhenPollCancelledThenForgottenAndLaterMessagesStillStored() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        CompletableFuture<Map<String, Object>> poll = read30();

        poll.cancel(false);
        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(0, chat.waitingCount());
        assertEquals(2, all().size());
    }

    @Test
    void sessionWhenEndedWhileAPollWaitsThenNotFound() {
        CompletableFuture<Map<String, Object>> poll = read30();

        store.sessions().end(SID);

        ExecutionException e = assertThrows(ExecutionException.class, poll::get);
        assertEquals(404, ((EmbedException) e.getCause()).error().status());
    }

    @Test
    void closeWhenPollWaitingThenServiceUnavailable() {
        CompletableFuture<Map<String, Object>> poll = read30();

        chat.close();

        ExecutionException e = assertThrows(ExecutionException.class, poll::get);
        assertEquals(503, ((EmbedException) e.getCause()).error().status());
        assertEquals(
                503,
                assertThrows(EmbedException.class, () -> chat.postMessage(claims, Map.of("message", "hi")))
                        .error()
                        .status());
    }

    // --- ids and ordering -------------------------------------------------------------------

    @Test
    void messageIdsWhenStoredThenUniqueAndEachResumesTheHistoryRightAfterIt() {
        List<CompletableFuture<String>> replies = new ArrayList<>();
        agent.answerWith(text -> {
            CompletableFuture<String> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        });
        for (int i = 0; i < 20; i++) {
            chat.postMessage(claims, Map.of("message", "m" + i));
        }
        for (int i = 0; i < 20; i++) {
            replies.get(i).complete("re: m" + i);
        }

        List<Map<String, Object>> messages = all();

        assertEquals(40, messages.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            String id = (String) messages.get(i).get("id");
            assertTrue(ids.add(id), "unique: " + id);
            assertTrue(id.matches("msg_[0-9a-z]{12}r?"), id);
            assertEquals(messages.subList(i + 1, messages.size()), messages(read(id, null, "100", null)));
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(
                    MessageStore.replyId((String) messages.get(i).get("id")),
                    messages.get(20 + i).get("id"));
        }
    }

    @Test
    void postMessageWhenSentConcurrentlyThenEveryMessageAndReplyKeptInOrder() throws Exception {
        agent.answerWith(text -> CompletableFuture.completedFuture("re: " + text));
        int threads = 8;
        int perThread = 4; // 32 at most wait for the agent: never rate-limited
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<String>>> sent = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            sent.add(pool.submit(() -> {
                go.await();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    ids.add((String) chat.postMessage(claims, Map.of("message", "t" + thread + "-" + i))
                            .get("messageId"));
                }
                return ids;
            }));
        }
        go.countDown();
        List<String> acceptedIds = new ArrayList<>();
        for (Future<List<String>> f : sent) {
            acceptedIds.addAll(f.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();

        List<Map<String, Object>> messages = all();

        assertEquals(2 * threads * perThread, messages.size());
        List<String> ids = messages.stream().map(m -> (String) m.get("id")).toList();
        assertEquals(ids.size(), new HashSet<>(ids).size(), "ids unique");
        assertTrue(ids.containsAll(acceptedIds));
        List<Map<String, Object>> users =
                messages.stream().filter(m -> m.get("role").equals("user")).toList();
        List<Map<String, Object>> replies =
                messages.stream().filter(m -> m.get("role").equals("assistant")).toList();
        assertEquals(threads * perThread, users.size());
        assertEquals(
                users.stream().map(u -> "re: " + u.get("content")).toList(),
                replies.stream().map(r -> r.get("content")).toList(),
                "one reply per message, in order");
        assertEquals(
                users.stream()
                        .map(u -> MessageStore.replyId((String) u.get("id")))
                        .toList(),
                replies.stream().map(r -> r.get("id")).toList());
    }

    /** Issue 13 finding 3: the agent is handed the newest history that fits in a bounded number of characters. */
    @Test
    void agentWhenHistoryIsLongThenHandedOnlyItsNewestMessagesWithinTheCharacterBound() {
        String longReply = "r".repeat(20_000);
        agent.answerWith(text -> CompletableFuture.completedFuture(longReply));
        String question = "q".repeat(ChatRequests.MAX_MESSAGE_LENGTH);
        for (int i = 0; i < 30; i++) {
            chat.postMessage(claims, Map.of("message", i + question.substring(3)));
        }

        List<ChatMessage> last = agent.calls.get(29).conversation();
        long chars = last.stream().mapToLong(m -> m.content().length()).sum();

        assertTrue(chars <= AgentTurns.MAX_CONVERSATION_CHARS, "the agent got " + chars + " characters");
        assertTrue(chars > AgentTurns.MAX_CONVERSATION_CHARS - 28_000, "and the newest that fit: " + chars);
        assertEquals(
                "29" + question.substring(3), last.get(last.size() - 1).content(), "ending with the turn's message");
        assertEquals(longReply, last.get(last.size() - 2).content());
    }

    // --- helpers ----------------------------------------------------------------------------

    private ChatService chatWith(EmbedAgent answering) {
        if (store == null) {
            store = new MemoryStore(clock, 1000, 1000);
        }
        LongPolls polls = new LongPolls(scheduler, Runnable::run);
        HeldRequests held = new HeldRequests(8);
        EventStreams streams = new EventStreams(store, held, clock, scheduler, Runnable::run, 15_000);
        turns = new AgentTurns(store, answering, clock, scheduler, Runnable::run, TIMEOUT, 1000, streams);
        store.addListener(polls);
        store.addListener(streams);
        store.addListener(turns);
        turns.start();
        return new ChatService(store, turns, polls, streams, held, clock);
    }

    private EmbedClaims session(String sid, List<String> sources) {
        Instant now = clock.instant();
        EmbedSession.LinkData link = sources == null
                ? null
                : new EmbedSession.LinkData(
                        sources,
                        List.of(new AgentContext.KnowledgeEntry(null, "fact")),
                        List.of(new AgentContext.ReferenceQuery("Q", "query?")),
                        "gpt-5",
                        Map.of(),
                        Map.of());
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
                        now.plusSeconds(3600),
                        List.of(),
                        link));
        return claimsFor(sid);
    }

    private EmbedClaims claimsFor(String sid) {
        long now = clock.instant().getEpochSecond();
        return new EmbedClaims(
                "user-1",
                sid,
                "jti-1",
                TokenKind.EMBED_SESSION,
                now,
                now,
                now + 3600,
                "demo",
                "support",
                null,
                null,
                List.of(),
                null);
    }

    private Map<String, Object> read(String after, String before, String limit, String wait) {
        return chat.session(claims, after, before, limit, wait).join();
    }

    private CompletableFuture<Map<String, Object>> read30() {
        return chat.session(claims, null, null, null, "30");
    }

    /** Every message of the session (at most 500), oldest first. */
    private List<Map<String, Object>> all() {
        return messages(read(null, null, "500", null));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(Map<String, Object> answer) {
        assertNotNull(answer.get("messages"));
        return (List<Map<String, Object>>) answer.get("messages");
    }

    private static List<Object> contents(List<?> messages) {
        return messages.stream()
                .map(m -> m instanceof ChatMessage message ? message.content() : ((Map<?, ?>) m).get("content"))
                .toList();
    }

    /** An agent whose answer each test scripts, recording every call. */
    static final class ScriptedAgent implements EmbedAgent {
        record Call(AgentContext context, List<ChatMessage> conversation) {}

        final List<Call> calls = new CopyOnWriteArrayList<>();
        private volatile java.util.function.Function<String, CompletionStage<String>> answer =
                text -> new CompletableFuture<>();

        void answerWith(java.util.function.Function<String, CompletionStage<String>> answer) {
            this.answer = answer;
        }

        @Override
        public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
            calls.add(new Call(context, conversation));
            String question = conversation.get(conversation.size() - 1).content();
            return answer.apply(question);
        }
    }

    /** A streaming agent that keeps each sink for the test to write to. */
    static final class StreamingSpy implements StreamingAgent {
        final List<ReplySink> sinks = new CopyOnWriteArrayList<>();

        @Override
        public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
            sinks.add(sink);
        }
    }
}
