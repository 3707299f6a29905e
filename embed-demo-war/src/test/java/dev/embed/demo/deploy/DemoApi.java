package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.embed.testing.Http;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's HTTP API as a customer's backend and a browser use it, against any node: every call
 * names the node it goes to. Requests go through {@link Http}, which remembers every key, token,
 * cache key and fingerprint it sees ({@code dev.embed.testing.Secrets}): the scan of the database
 * for credentials at rest looks for exactly those.
 */
public final class DemoApi {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String apiKey;

    public DemoApi(String apiKey) {
        this.apiKey = apiKey;
    }

    /** A flow B session: its id and token; its URLs are built on whichever node is asked. */
    public record Session(String id, String token) {
        @Override
        public String toString() {
            return "Session[" + id + "]";
        }
    }

    /** Flow B mint (§3.1), optionally continuing {@code sessionId}. */
    public HttpResponse<String> mint(DemoNode node, String user, String sessionId) throws Exception {
        String body = "{\"externalUserId\": \"" + user + "\""
                + (sessionId == null ? "" : ", \"sessionId\": \"" + sessionId + "\"") + "}";
        return Http.postJson(node.uri("/api/v1/spaces/demo/agents/support/embed-sessions"), apiKey, body);
    }

    public Session newSession(DemoNode node, String user) throws Exception {
        HttpResponse<String> minted = mint(node, user, null);
        assertEquals(200, minted.statusCode(), () -> "mint on " + node + ": " + minted.body());
        Map<String, Object> body = Http.json(minted);
        return new Session((String) body.get("sessionId"), (String) body.get("token"));
    }

    /** §3.1: ends the session (204); its tokens answer 401 from then on, on every node. */
    public HttpResponse<String> end(DemoNode node, Session session) throws Exception {
        return Http.delete(node.uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + session.id()), apiKey);
    }

    public HttpResponse<String> send(DemoNode node, Session session, String text) throws Exception {
        return Http.postJson(
                node.uri("/api/v1/embed/chat-sessions/" + session.id() + "/messages"),
                session.token(),
                "{\"message\": \"" + text + "\"}");
    }

    /** Sends and returns the new message's id (202). */
    public String sent(DemoNode node, Session session, String text) throws Exception {
        HttpResponse<String> sent = send(node, session, text);
        assertEquals(202, sent.statusCode(), () -> "send on " + node + ": " + sent.body());
        return (String) Http.json(sent).get("messageId");
    }

    /** GET of the session with a query such as {@code ?after=...&wait=20} (or empty). */
    public HttpResponse<String> read(DemoNode node, Session session, String query) throws Exception {
        return Http.get(node.uri("/api/v1/embed/chat-sessions/" + session.id() + query), session.token());
    }

    /** The messages of a 200 answer. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> messages(HttpResponse<String> answer) {
        assertEquals(200, answer.statusCode(), answer::body);
        return (List<Map<String, Object>>) Http.json(answer).get("messages");
    }

    /** Waits up to {@code timeout} for the assistant's reply to {@code messageId} (id + "r"); its content. */
    public String awaitReply(DemoNode node, Session session, String messageId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long waitSeconds = Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime())));
            for (Map<String, Object> message :
                    messages(read(node, session, "?after=" + messageId + "&wait=" + waitSeconds))) {
                if ((messageId + "r").equals(message.get("id"))) {
                    return (String) message.get("content");
                }
            }
        }
        throw new AssertionError("no reply to " + messageId + " on " + node + " within " + timeout);
    }

    /** Flow C (§3.2) with this fingerprint. */
    public HttpResponse<String> visitor(DemoNode node, String fingerprint) throws Exception {
        return Http.send(HttpRequest.newBuilder(node.uri("/v1/embed-tokens/request"))
                .timeout(Duration.ofSeconds(30))
                .header("api-secret", apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"agent_id\": \"support\", \"fingerprint\": \"" + fingerprint + "\"}"))
                .build());
    }

    /** Flow D (§3.3): creates a link living {@code ttl} seconds; its cache key. */
    public String createLink(DemoNode node, String uid, int ttl) throws Exception {
        HttpResponse<String> created = Http.postJson(
                node.uri("/api/v1/iframe/create"),
                apiKey,
                "{\"uid\": \"" + uid + "\", \"srcs\": [\"docs\"], \"ttl\": " + ttl
                        + ", \"knowledge_base_entries\": [\"Support hours are 9:00-17:00 CET.\"]}");
        assertEquals(200, created.statusCode(), () -> "create on " + node + ": " + created.body());
        return (String) Http.json(created).get("cache_key");
    }

    public HttpResponse<String> redeem(DemoNode node, String cacheKey) throws Exception {
        return Http.postJson(node.uri("/api/v1/iframe/token"), null, "{\"cache_key\": \"" + cacheKey + "\"}");
    }

    /** Flow A (§3.1): an embedUrl. */
    public HttpResponse<String> embedUrl(DemoNode node, String user) throws Exception {
        return Http.postJson(
                node.uri("/api/v1/spaces/demo/agents/sales/embed-urls"),
                apiKey,
                "{\"externalUserId\": \"" + user + "\", \"displayName\": \"Kelly\"}");
    }

    /** A fresh device fingerprint. */
    public static String fingerprint() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The error code of a §5 error answer. */
    public static String error(HttpResponse<String> answer) {
        return String.valueOf(Http.json(answer).get("error"));
    }
}
