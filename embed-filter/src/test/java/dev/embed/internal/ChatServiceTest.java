package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ChatService}: the §4 behaviour both adapters rely on. */
class ChatServiceTest {
    private static final String SID = "ses_test";
    private static final long WAIT_MS = 5_000;

    private final MutableClock clock = MutableClock.start();
    private final InMemorySessionRegistry sessions = new InMemorySessionRegistry(clock, 1000);
    private final ScriptedAgent agent = new ScriptedAgent();
    private ChatService chat;
    private EmbedClaims claims;

    @BeforeEach
    void setUp() {
        claims = session(SID, Map.of("sources", List.of("docs")));
        chat = chatWith(agent, Duration.ofSeconds(30));
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
        sessions.end(SID);

        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> chat.postMessage(claims, Map.of("message", "hi")))
                        .error()
                        .status());
        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> chat.session(claims, null, null))
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
        assertEquals(List.of(), messages(chat.session(claims, null, null).join()));
        assertEquals(0, agent.calls.size());
    }

    @Test
    void postMessageWhenExactly8000CharactersWithLineBreaksThenAccepted() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        String text = "line one\r\n\tline two " + "é".repeat(8000 - 20);

        chat.postMessage(claims, Map.of("message", text, "mode", "thinking"));

        assertEquals(text, awaitMessages(claims, 2).get(0).get("content"));
    }

    @Test
    void postMessageWhenAstralCharactersThenCountsCodePoints() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));

        chat.postMessage(claims, Map.of("message", "😀".repeat(8000)));

        assertEquals(2, awaitMessages(claims, 2).size());
    }

    // --- agent calls ------------------------------------------------------------------------

    @Test
    void agentWhenItAnswersThenReplyAppendedAfterTheUserMessage() {
        agent.answerWith(text -> CompletableFuture.completedFuture("You said: " + text));

        chat.postMessage(claims, Map.of("message", "hello"));
        List<Map<String, Object>> messages = awaitMessages(claims, 2);

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
        assertEquals("msg_000000000002", messages.get(1).get("id"));
    }

    @Test
    void agentWhenCalledThenGetsSessionContextAndModeOfTheMessage() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));

        chat.postMessage(claims, Map.of("message", "one"));
        awaitMessages(claims, 2);
        chat.postMessage(claims, Map.of("message", "two", "mode", "build-app"));
        awaitMessages(claims, 4);

        AgentContext first = agent.calls.get(0).context;
        assertEquals(
                new AgentContext(
                        SID, "acme", "demo", "support", "agent", "user-1", "Ada", Map.of("sources", List.of("docs"))),
                first);
        assertEquals("build-app", agent.calls.get(1).context.mode());
        List<ChatMessage> conversation = agent.calls.get(1).conversation;
        assertEquals(
                List.of("one", "ok", "two"),
                conversation.stream().map(ChatMessage::content).toList());
        assertThrows(UnsupportedOperationException.class, () -> conversation.add(conversation.get(0)));
    }

    @Test
    void agentWhenStageFailsThenApologyAppendedAndUserMessageKept() {
        agent.answerWith(text -> CompletableFuture.failedFuture(new IllegalStateException("secret detail")));

        chat.postMessage(claims, Map.of("message", "hello"));
        List<Map<String, Object>> messages = awaitMessages(claims, 2);

        assertEquals("hello", messages.get(0).get("content"));
        assertEquals("assistant", messages.get(1).get("role"));
        assertEquals(ChatService.AGENT_FAILED_REPLY, messages.get(1).get("content"));
    }

    @Test
    void agentWhenItThrowsThenApologyAppendedAndNextMessageStillAnswered() {
        agent.answerWith(text -> {
            if (text.equals("boom")) {
                throw new IllegalArgumentException("secret detail");
            }
            return CompletableFuture.completedFuture("fine");
        });

        chat.postMessage(claims, Map.of("message", "boom"));
        awaitMessages(claims, 2);
        chat.postMessage(claims, Map.of("message", "again"));
        List<Map<String, Object>> messages = awaitMessages(claims, 4);

        assertEquals(List.of("boom", ChatService.AGENT_FAILED_REPLY, "again", "fine"), contents(messages));
    }

    @ParameterizedTest(name = "reply {0}")
    @ValueSource(strings = {"", "   "})
    void agentWhenReplyBlankThenApology(String reply) {
        agent.answerWith(text -> CompletableFuture.completedFuture(reply));

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(
                ChatService.AGENT_FAILED_REPLY, awaitMessages(claims, 2).get(1).get("content"));
    }

    @Test
    void agentWhenItReturnsNullThenApology() {
        agent.answerWith(text -> null);

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(
                ChatService.AGENT_FAILED_REPLY, awaitMessages(claims, 2).get(1).get("content"));
    }

    @Test
    void agentWhenSlowerThanTimeoutThenApologyAndLateReplyIgnored() throws Exception {
        chat.close();
        chat = chatWith(agent, Duration.ofMillis(100));
        CompletableFuture<String> late = new CompletableFuture<>();
        agent.answerWith(text -> late);

        chat.postMessage(claims, Map.of("message", "hello"));
        assertEquals(List.of("hello", ChatService.AGENT_FAILED_REPLY), contents(awaitMessages(claims, 2)));
        // Completing the stage runs everything the service hung on it, here, before complete() returns:
        // a snapshot taken after it sees whatever the late reply could have done.
        assertTrue(late.complete("too late"), "the agent's stage was still open when the timeout struck");

        assertEquals(
                List.of("hello", ChatService.AGENT_FAILED_REPLY),
                contents(messages(chat.session(claims, null, null).join())));
    }

    @Test
    void agentWhenTimedOutThenSessionsNextMessageIsAnswered() {
        chat.close();
        chat = chatWith(agent, Duration.ofMillis(100));
        agent.answerWith(text ->
                text.equals("first") ? new CompletableFuture<>() : CompletableFuture.completedFuture("second reply"));

        chat.postMessage(claims, Map.of("message", "first"));
        chat.postMessage(claims, Map.of("message", "second"));

        assertEquals(
                List.of("first", "second", ChatService.AGENT_FAILED_REPLY, "second reply"),
                contents(awaitMessages(claims, 4)));
    }

    @Test
    void agentWhenSlowForOneSessionThenOtherSessionsStillAnswered() {
        EmbedClaims other = session("ses_other", Map.of());
        CompletableFuture<String> never = new CompletableFuture<>();
        agent.answerWith(text -> text.equals("stuck") ? never : CompletableFuture.completedFuture("quick"));

        chat.postMessage(claims, Map.of("message", "stuck"));
        chat.postMessage(other, Map.of("message", "hello"));

        assertEquals(List.of("hello", "quick"), contents(awaitMessages(other, 2)));
        Map<String, Object> stuck = chat.session(claims, null, null).join();
        assertEquals("responding", stuck.get("status"));
        assertEquals(1, messages(stuck).size());
    }

    @Test
    void agentWhenNoneConfiguredThenReplySaysSo() {
        chat.close();
        chat = chatWith(null, Duration.ofSeconds(30));

        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(List.of("hello", ChatService.NO_AGENT_REPLY), contents(awaitMessages(claims, 2)));
    }

    @Test
    void postMessageWhenTooManyWaitForTheAgentThenRateLimited() {
        agent.answerWith(text -> new CompletableFuture<>());
        for (int i = 0; i < ChatService.MAX_PENDING_PER_SESSION; i++) {
            chat.postMessage(claims, Map.of("message", "m" + i));
        }

        EmbedException e =
                assertThrows(EmbedException.class, () -> chat.postMessage(claims, Map.of("message", "more")));

        assertEquals(429, e.error().status());
        assertEquals("rate_limited", e.error().code());
        assertTrue(e.error().retryAfterSeconds() >= 1);
    }

    // --- GET session ------------------------------------------------------------------------

    @Test
    void sessionWhenNoMessagesThenEmptyIdleAnswer() {
        Map<String, Object> answer = chat.session(claims, null, null).join();

        assertEquals(List.of("sessionId", "status", "messages"), new ArrayList<>(answer.keySet()));
        assertEquals(SID, answer.get("sessionId"));
        assertEquals("idle", answer.get("status"));
        assertEquals(List.of(), answer.get("messages"));
    }

    @Test
    void sessionWhenAgentWorkingThenResponding() {
        CompletableFuture<String> reply = new CompletableFuture<>();
        agent.answerWith(text -> reply);

        chat.postMessage(claims, Map.of("message", "hello"));
        assertEquals("responding", chat.session(claims, null, "0").join().get("status"));
        reply.complete("done");

        Map<String, Object> answer = chat.session(claims, "msg_000000000001", "30")
                .orTimeout(WAIT_MS, TimeUnit.MILLISECONDS)
                .join();
        assertEquals("idle", answer.get("status"));
        assertEquals(List.of("done"), contents(messages(answer)));
    }

    @Test
    void sessionWhenAfterCursorThenOnlyNewerMessages() {
        agent.answerWith(text -> CompletableFuture.completedFuture("re: " + text));
        String first =
                (String) chat.postMessage(claims, Map.of("message", "one")).get("messageId");
        awaitMessages(claims, 2);
        clock.advance(Duration.ofSeconds(5));
        chat.postMessage(claims, Map.of("message", "two"));
        List<Map<String, Object>> all = awaitMessages(claims, 4);

        List<Map<String, Object>> newer =
                messages(chat.session(claims, first, null).join());
        List<Map<String, Object>> none =
                messages(chat.session(claims, (String) all.get(3).get("id"), "").join());

        assertEquals(List.of("re: one", "two", "re: two"), contents(newer));
        assertEquals("2026-01-01T00:00:05.000Z", newer.get(1).get("createdAt"));
        assertEquals(List.of(), none);
    }

    static Stream<String> badCursors() {
        return Stream.of(
                "nope!",
                "msg_000000000009",
                "msg_00000000000",
                "msg_zzzzzzzzzzzzzz",
                "msg_000000000000",
                "MSG_000000000001",
                "x".repeat(129),
                "msg_000000000001/../x");
    }

    @ParameterizedTest
    @MethodSource("badCursors")
    void sessionWhenAfterMalformedOrUnknownThenBadRequest(String after) {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        chat.postMessage(claims, Map.of("message", "one"));
        awaitMessages(claims, 2);

        EmbedException e = assertThrows(EmbedException.class, () -> chat.session(claims, after, "1"));

        assertEquals(400, e.error().status());
        assertEquals("invalid_request", e.error().code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"31", "-1", "abc", "1.5", " 5", "1000", "+3", "0x1"})
    void sessionWhenWaitOutOfRangeThenBadRequest(String wait) {
        EmbedException e = assertThrows(EmbedException.class, () -> chat.session(claims, null, wait));

        assertEquals(400, e.error().status());
        assertTrue(e.error().description().contains("wait"));
    }

    @Test
    void sessionWhenLongPollingThenWakesAsSoonAsTheReplyIsAppended() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        agent.answerWith(text -> reply);
        String user =
                (String) chat.postMessage(claims, Map.of("message", "hello")).get("messageId");

        CompletableFuture<Map<String, Object>> poll = chat.session(claims, user, "30");
        Thread.sleep(100);
        assertFalse(poll.isDone(), "nothing newer yet: the poll waits");
        long start = System.nanoTime();
        reply.complete("hi there");
        Map<String, Object> answer = poll.get(WAIT_MS, TimeUnit.MILLISECONDS);

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertEquals(List.of("hi there"), contents(messages(answer)));
        assertEquals("idle", answer.get("status"));
    }

    @Test
    void sessionWhenLongPollingWithoutCursorThenWakesOnTheUsersOwnMessage() throws Exception {
        agent.answerWith(text -> new CompletableFuture<>());
        CompletableFuture<Map<String, Object>> poll = chat.session(claims, null, "30");
        assertFalse(poll.isDone());

        chat.postMessage(claims, Map.of("message", "hello"));
        Map<String, Object> answer = poll.get(WAIT_MS, TimeUnit.MILLISECONDS);

        assertEquals(List.of("hello"), contents(messages(answer)));
        assertEquals("responding", answer.get("status"));
    }

    @Test
    void sessionWhenNothingArrivesThenEmptyAnswerAfterTheWait() throws Exception {
        long start = System.nanoTime();

        CompletableFuture<Map<String, Object>> poll = chat.session(claims, null, "1");
        assertFalse(poll.isDone());
        Map<String, Object> answer = poll.get(WAIT_MS, TimeUnit.MILLISECONDS);

        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs >= 900, "waited " + elapsedMs + " ms");
        assertEquals(List.of(), answer.get("messages"));
        assertEquals("idle", answer.get("status"));
    }

    @Test
    void sessionWhenSeveralPollsWaitThenEveryOneWakes() throws Exception {
        agent.answerWith(text -> new CompletableFuture<>());
        List<CompletableFuture<Map<String, Object>>> polls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            polls.add(chat.session(claims, null, "30"));
        }

        chat.postMessage(claims, Map.of("message", "hello"));

        for (CompletableFuture<Map<String, Object>> poll : polls) {
            assertEquals(List.of("hello"), contents(messages(poll.get(WAIT_MS, TimeUnit.MILLISECONDS))));
        }
    }

    @Test
    void sessionWhenPollCancelledThenLaterMessagesStillStored() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        CompletableFuture<Map<String, Object>> poll = chat.session(claims, null, "30");

        poll.cancel(false);
        chat.postMessage(claims, Map.of("message", "hello"));

        assertEquals(2, awaitMessages(claims, 2).size());
    }

    @Test
    void closeWhenPollWaitingThenServiceUnavailable() {
        CompletableFuture<Map<String, Object>> poll = chat.session(claims, null, "30");

        chat.close();

        ExecutionException e = assertThrows(ExecutionException.class, () -> poll.get(WAIT_MS, TimeUnit.MILLISECONDS));
        assertEquals(503, ((EmbedException) e.getCause()).error().status());
        assertEquals(
                503,
                assertThrows(EmbedException.class, () -> chat.postMessage(claims, Map.of("message", "hi")))
                        .error()
                        .status());
    }

    // --- ids and ordering -------------------------------------------------------------------

    @Test
    void messageIdsWhenAppendedThenOpaqueAndStrictlyIncreasing() {
        agent.answerWith(text -> CompletableFuture.completedFuture("ok"));
        for (int i = 0; i < 20; i++) {
            chat.postMessage(claims, Map.of("message", "m" + i));
        }

        List<Map<String, Object>> messages = awaitMessages(claims, 40);

        for (int i = 0; i < messages.size(); i++) {
            String id = (String) messages.get(i).get("id");
            assertTrue(id.matches("msg_[0-9a-z]{12}"), id);
            if (i > 0) {
                assertTrue(id.compareTo((String) messages.get(i - 1).get("id")) > 0, id);
            }
        }
    }

    @Test
    void postMessageWhenSentConcurrentlyThenEveryMessageAndReplyKeptInOrder() throws Exception {
        agent.answerWith(text -> CompletableFuture.supplyAsync(() -> "re: " + text));
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
            acceptedIds.addAll(f.get(WAIT_MS, TimeUnit.MILLISECONDS));
        }
        pool.shutdown();

        List<Map<String, Object>> messages = awaitMessages(claims, 2 * threads * perThread);

        List<String> ids = messages.stream().map(m -> (String) m.get("id")).toList();
        assertEquals(ids.stream().sorted().distinct().toList(), ids, "ids unique and in order");
        assertTrue(ids.containsAll(acceptedIds));
        List<String> users = messages.stream()
                .filter(m -> m.get("role").equals("user"))
                .map(m -> (String) m.get("content"))
                .toList();
        List<String> replies = messages.stream()
                .filter(m -> m.get("role").equals("assistant"))
                .map(m -> (String) m.get("content"))
                .toList();
        assertEquals(threads * perThread, users.size());
        assertEquals(users.stream().map(u -> "re: " + u).toList(), replies, "one reply per message, in order");
    }

    // --- helpers ----------------------------------------------------------------------------

    private ChatService chatWith(EmbedAgent agent, Duration timeout) {
        return ChatService.builder(sessions)
                .agent(agent)
                .clock(clock)
                .agentTimeout(timeout)
                .build();
    }

    private EmbedClaims session(String sid, Map<String, Object> attributes) {
        Instant now = clock.instant();
        sessions.save(new EmbedSession(
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
                attributes));
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

    /** Polls (without advancing the test clock) until the session holds {@code count} messages. */
    private List<Map<String, Object>> awaitMessages(EmbedClaims who, int count) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        List<Map<String, Object>> messages;
        do {
            messages = messages(chat.session(who, null, null).join());
            if (messages.size() >= count) {
                assertEquals(
                        count,
                        messages.size(),
                        () -> "messages: "
                                + contents(
                                        messages(chat.session(who, null, null).join())));
                return messages;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + count + " messages, got " + contents(messages));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(Map<String, Object> answer) {
        assertNotNull(answer.get("messages"));
        return (List<Map<String, Object>>) answer.get("messages");
    }

    private static List<Object> contents(List<Map<String, Object>> messages) {
        return messages.stream().map(m -> m.get("content")).toList();
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
}
