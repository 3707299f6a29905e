package dev.embed.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The events stream of DESIGN §4 ({@code GET /api/v1/embed/chat-sessions/{sessionId}/events}),
 * written once over raw HTTP for both adapters: headers, framing, deltas that add up to the stored
 * message, resume without duplicates, keep-alive, the 401/403 rules, the end at session end and at
 * token expiry, the bound per session, and no thread per open stream. The adapters' integration
 * tests extend it with their {@link Deployment}, under {@code /shop}, with the {@link
 * EchoTestAgent} (three deltas over 150 ms) and keep-alives every {@value #KEEP_ALIVE_MILLIS} ms.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EventsContract {
    static final long KEEP_ALIVE_MILLIS = 300;
    static final int MAX_HELD = 8;
    static final Duration WAIT = Duration.ofSeconds(10);

    protected Deployment server;

    protected abstract Deployment deploy(Map<String, String> configuration) throws Exception;

    @BeforeAll
    void start() throws Exception {
        Map<String, String> configuration = new LinkedHashMap<>(AdapterContract.configuration());
        configuration.put("embed.events.keepAliveMillis", Long.toString(KEEP_ALIVE_MILLIS));
        configuration.put("embed.chat.maxHeldPerSession", Integer.toString(MAX_HELD));
        server = deploy(configuration);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    @Test
    void eventsWhenOpenedThenStreamHeadersOfDesignSection4() throws Exception {
        Session session = session("events-headers");
        try (EventStreamClient stream = session.events()) {
            assertEquals(200, stream.status());
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
            assertEquals("no-cache, no-transform", stream.header("Cache-Control"));
            assertEquals("no", stream.header("X-Accel-Buffering"));
            assertEquals("DENY", stream.header("X-Frame-Options"));
            assertNull(stream.header("Content-Length"), "a stream has no length");
        }
    }

    @Test
    void eventsWhenAMessageIsAnsweredThenItsMessageTheDeltasAndTheReplyThatTheyAddUpTo() throws Exception {
        Session session = session("events-deltas");
        try (EventStreamClient stream = session.events()) {
            String messageId = session.send("Stream this reply, please");
            String replyId = messageId + "r";

            EventStreamClient.Event first = stream.nextEvent(WAIT);
            assertEquals("message", first.event());
            assertEquals(messageId, first.id());
            Map<String, Object> user = Json.parseObject(first.data());
            assertEquals(List.of("id", "role", "content", "createdAt"), new ArrayList<>(user.keySet()));
            assertEquals("user", user.get("role"));
            assertEquals("Stream this reply, please", user.get("content"));
            assertTrue(
                    stream.text()
                            .contains("event: message\nid: " + messageId + "\ndata: {\"id\":\"" + messageId + "\""),
                    stream.text());

            StringBuilder deltas = new StringBuilder();
            int pieces = 0;
            EventStreamClient.Event event;
            while ((event = stream.nextEvent(WAIT)) != null && "delta".equals(event.event())) {
                assertNull(event.id(), "a delta carries no id line");
                Map<String, Object> delta = Json.parseObject(event.data());
                assertEquals(replyId, delta.get("id"));
                deltas.append(delta.get("delta"));
                pieces++;
            }
            assertNotNull(event, "the stream stayed open");
            assertEquals("message", event.event());
            assertEquals(replyId, event.id());
            Map<String, Object> reply = Json.parseObject(event.data());
            assertEquals("assistant", reply.get("role"));
            assertEquals(EchoTestAgent.replyTo("Stream this reply, please"), reply.get("content"));
            assertEquals(3, pieces, "the echo agent writes three deltas");
            assertEquals(reply.get("content"), deltas.toString(), "the deltas add up to the stored message");
            assertTrue(stream.text().contains("event: delta\ndata: {\"id\":\"" + replyId + "\",\"delta\":"));
        }
    }

    @Test
    void eventsWhenResumedWithLastEventIdOrAfterThenOnlyLaterMessagesAndNoDuplicates() throws Exception {
        Session session = session("events-resume");
        String first = session.send("first");
        session.awaitMessages(2);
        String second = session.send("second");
        session.awaitMessages(4);

        try (EventStreamClient resumed = session.events("Last-Event-ID: " + first + "r")) {
            assertEquals(List.of(second, second + "r"), messageIds(resumed, 2));
            assertNoMessageWithin(resumed, Duration.ofMillis(3 * KEEP_ALIVE_MILLIS));
        }
        try (EventStreamClient after = session.events("?after=" + first)) {
            assertEquals(List.of(first + "r", second, second + "r"), messageIds(after, 3));
        }
        try (EventStreamClient whole = session.events()) {
            assertEquals(List.of(first, first + "r", second, second + "r"), messageIds(whole, 4));
        }
        try (EventStreamClient unknown = session.events("Last-Event-ID: msg_nothing_here")) {
            assertEquals(400, unknown.status());
        }
    }

    @Test
    void eventsWhenIdleThenAKeepAliveCommentEveryConfiguredInterval() throws Exception {
        Session session = session("events-keepalive");
        // Taken before the stream opens: the server times its comments from the opening, which an
        // instant taken after the answer's headers would miss by up to a millisecond.
        long started = System.nanoTime();
        try (EventStreamClient stream = session.events()) {
            int comments = 0;
            while (comments < 3) {
                EventStreamClient.Event event = stream.next(Duration.ofMillis(4 * KEEP_ALIVE_MILLIS));
                assertNotNull(event);
                if (event.isComment()) {
                    comments++;
                }
            }
            long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(elapsed >= 2 * KEEP_ALIVE_MILLIS, "three comments came after " + elapsed + " ms");
            assertTrue(
                    stream.text().contains("\n: keep-alive\n") || stream.text().startsWith(": keep-alive\n"));
        }
    }

    @Test
    void eventsWhenNoTokenThenChallengeWithoutErrorAttribute() throws Exception {
        try (EventStreamClient stream = EventStreamClient.open(server.base(), path("ses_x"), null)) {
            assertEquals(401, stream.status());
            assertEquals("Bearer realm=\"embed\"", stream.header("WWW-Authenticate"));
        }
    }

    @Test
    void eventsWhenBadOrQueryTokenThen401Or400AndWhenAnotherSessionsTokenThen403() throws Exception {
        Session session = session("events-auth");
        Session other = session("events-auth-other");
        try (EventStreamClient stream = EventStreamClient.open(server.base(), path(session.id), "garbage")) {
            assertEquals(401, stream.status());
            assertTrue(stream.header("WWW-Authenticate").contains("error=\"invalid_token\""));
        }
        try (EventStreamClient stream = EventStreamClient.open(server.base(), path(session.id), other.token)) {
            assertEquals(403, stream.status());
            assertTrue(stream.header("WWW-Authenticate").contains("error=\"insufficient_scope\""));
        }
        try (EventStreamClient stream =
                EventStreamClient.open(server.base(), path(session.id) + "?access_token=" + session.token, null)) {
            assertEquals(400, stream.status(), "the token goes in the header only");
        }
        try (EventStreamClient stream = EventStreamClient.open(
                server.base(),
                "/api/v1/embed/chat-sessions/" + other.id + "/../" + session.id + "/events",
                other.token)) {
            assertTrue(
                    stream.status() == 403 || stream.status() == 400,
                    "the session as routed and normalised is checked too: " + stream.status());
        }
    }

    @Test
    void eventsWhenSessionEndedThenEndedAndClosed() throws Exception {
        Session session = session("events-delete");
        try (EventStreamClient stream = session.events()) {
            assertEquals(200, stream.status());
            HttpResponse<String> deleted =
                    Http.delete(server.uri("/api/v1/embed-sessions/" + session.id), TestKeys.ACME_KEY);
            assertEquals(204, deleted.statusCode(), deleted.body());

            EventStreamClient.Event ended = stream.nextEvent(WAIT);
            assertEquals("ended", ended.event());
            assertEquals("session_ended", Json.parseObject(ended.data()).get("reason"));
            assertTrue(stream.closesWithin(WAIT), "the stream closes after ended");
        }
    }

    @Test
    void eventsWhenTheTokenExpiresThenEndedAndClosed() throws Exception {
        Session session = session("events-expiry");
        String shortLived = withExpiry(session.token, Instant.now().plusSeconds(2));
        try (EventStreamClient stream = EventStreamClient.open(server.base(), path(session.id), shortLived)) {
            assertEquals(200, stream.status());
            EventStreamClient.Event ended = stream.nextEvent(WAIT);
            assertEquals("ended", ended.event());
            assertEquals("token_expired", Json.parseObject(ended.data()).get("reason"));
            assertTrue(stream.closesWithin(WAIT));
        }
    }

    @Test
    void eventsWhenTheSessionHoldsTheMostStreamsThen429UntilOneCloses() throws Exception {
        Session session = session("events-bound");
        List<EventStreamClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_HELD; i++) {
                EventStreamClient stream = session.events();
                open.add(stream);
                assertEquals(200, stream.status());
            }
            try (EventStreamClient refused = session.events()) {
                assertEquals(429, refused.status());
                assertNotNull(refused.header("Retry-After"));
            }
            HttpResponse<String> poll = Http.get(URI.create(session.url() + "?wait=1"), session.token);
            assertEquals(429, poll.statusCode(), "long polls count too");
            open.remove(0).close();
            long deadline = System.nanoTime() + WAIT.toNanos();
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                // the server sees the closed connection at its next keep-alive write
                Thread.sleep(KEEP_ALIVE_MILLIS);
                EventStreamClient again = session.events();
                status = again.status();
                open.add(again);
            }
            assertEquals(200, status);
        } finally {
            for (EventStreamClient stream : open) {
                stream.close();
            }
        }
    }

    /**
     * 500 open streams (over 63 sessions) hold no thread each: the server's JVM (this one) grows by
     * far fewer threads than streams, and every stream still gets its session's message.
     */
    @Test
    void eventsWhen500StreamsOpenThenNoThreadEach() throws Exception {
        int streams = 500;
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i * MAX_HELD < streams; i++) {
            sessions.add(session("events-many-" + i));
        }
        int before = ManagementFactory.getThreadMXBean().getThreadCount();
        List<EventStreamClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < streams; i++) {
                EventStreamClient stream = sessions.get(i / MAX_HELD).events();
                assertEquals(200, stream.status());
                open.add(stream);
            }
            int during = ManagementFactory.getThreadMXBean().getThreadCount();
            System.out.println("[events] " + streams + " open streams: JVM threads " + before + " -> " + during);
            assertTrue(
                    during - before < 60,
                    streams + " open streams must not hold a thread each: threads went from " + before + " to "
                            + during);

            Session last = sessions.get(sessions.size() - 1);
            String id = last.send("to every stream of the session");
            for (int i = (sessions.size() - 1) * MAX_HELD; i < streams; i++) {
                assertEquals(id, open.get(i).nextEvent(WAIT).id());
            }
        } finally {
            for (EventStreamClient stream : open) {
                stream.close();
            }
        }
    }

    // --- helpers ----------------------------------------------------------------------------

    static String path(String sessionId) {
        return "/api/v1/embed/chat-sessions/" + sessionId + "/events";
    }

    private static List<String> messageIds(EventStreamClient stream, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            EventStreamClient.Event event = stream.nextEvent(WAIT);
            assertNotNull(event);
            if ("message".equals(event.event())) {
                ids.add(event.id());
            }
        }
        return ids;
    }

    private static void assertNoMessageWithin(EventStreamClient stream, Duration quiet) throws Exception {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                EventStreamClient.Event event = stream.next(Duration.ofNanos(deadline - System.nanoTime()));
                assertFalse(event != null && "message".equals(event.event()), "a message came twice: " + event);
            } catch (java.net.SocketTimeoutException e) {
                return;
            }
        }
    }

    /** The token with another {@code exp}, signed again with the deployment's secret. */
    private static String withExpiry(String token, Instant expiry) {
        String[] parts = token.split("\\.", -1);
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        Map<String, Object> claims = new LinkedHashMap<>(
                Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)));
        claims.put("exp", expiry.getEpochSecond());
        return TokenForge.hs256(header, Json.write(claims), Base64.getDecoder().decode(TestKeys.SECRET));
    }

    Session session(String externalUserId) throws Exception {
        HttpResponse<String> response = Http.postJson(
                server.uri("/api/v1/spaces/demo/agents/support/embed-sessions"),
                TestKeys.ACME_KEY,
                "{\"externalUserId\": \"" + externalUserId + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> body = Http.json(response);
        return new Session((String) body.get("sessionId"), (String) body.get("token"));
    }

    /** A minted session and its token. */
    final class Session {
        final String id;
        final String token;

        Session(String id, String token) {
            this.id = id;
            this.token = token;
        }

        URI url() {
            return server.uri("/api/v1/embed/chat-sessions/" + id);
        }

        /** Opens the stream; a first argument starting with {@code ?} is its query, the rest header lines. */
        EventStreamClient events(String... extra) throws Exception {
            String query = extra.length > 0 && extra[0].startsWith("?") ? extra[0] : "";
            String[] headers = query.isEmpty() ? extra : java.util.Arrays.copyOfRange(extra, 1, extra.length);
            return EventStreamClient.open(server.base(), path(id) + query, token, headers);
        }

        /** Posts a message; its id. */
        String send(String message) throws Exception {
            HttpResponse<String> sent =
                    Http.postJson(URI.create(url() + "/messages"), token, Json.write(Map.of("message", message)));
            assertEquals(202, sent.statusCode(), sent.body());
            return (String) Http.json(sent).get("messageId");
        }

        void awaitMessages(int count) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                HttpResponse<String> read = Http.get(URI.create(url() + "?limit=500"), token);
                List<?> messages = (List<?>) Http.json(read).get("messages");
                if (messages.size() >= count) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the session did not reach " + count + " messages");
        }
    }
}
