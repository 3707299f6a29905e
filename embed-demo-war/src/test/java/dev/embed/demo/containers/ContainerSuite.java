package dev.embed.demo.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.EventStreamClient;
import dev.embed.testing.OpenApiConformance;
import dev.embed.testing.OpenApiRecorder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo WAR's HTTP contract, black-box, written once and run on every container we support (issue
 * 6): a subclass deploys the WAR the build packaged and names only its {@link #baseUrl()} (with the
 * context path) and the demo {@link #apiKey()}. Everything else is what DESIGN.md promises on the
 * wire, on the demo's fixtures (§7: space {@code demo}, agents {@code support} and {@code sales},
 * sources {@code docs} and {@code faq}):
 *
 * <ul>
 *   <li>mint flows A–D (§3) and that every URL the library produces carries the context path;
 *   <li>the embed JSON endpoints (§4): a message, the demo agent's reply by long-poll, 403 across
 *       sessions;
 *   <li>the errors (§5): 400, 401 with {@code WWW-Authenticate}, 403, 404, 413, 415;
 *   <li>the hosted pages' headers (§6), {@code X-Frame-Options: DENY} on the JSON endpoints, CORS,
 *       and {@code /.well-known/jwks.json};
 *   <li>every JSON answer has the shape written in {@code json-shapes.txt} (same members, same
 *       types, same {@code Content-Type}), so that answers are identical in shape across containers
 *       whatever JSON provider a container brings.
 * </ul>
 *
 * Failure messages never carry the key or a token. Each test class is one container, so a failure
 * names its container in the report.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class ContainerSuite {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String JSON = "application/json;charset=utf-8";
    /** The demo's own endpoints (the customer site and its backend): not the library's. */
    private static final Pattern DEMO_ENDPOINTS = Pattern.compile("/|/demo/.*");

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final JsonShapes shapes = JsonShapes.load();

    /** Where the demo WAR answers: scheme, host, port and context path, without a trailing slash. */
    protected abstract URI baseUrl();

    /** The demo API key the container's demo was started with. */
    protected abstract String apiKey();

    @AfterAll
    void writeShapes() throws IOException {
        shapes.write(getClass().getSimpleName());
    }

    /**
     * Every answer of this container against the OpenAPI document ({@link OpenApiConformance}),
     * but the demo's own pages and backend ({@code /}, {@code /demo/*}).
     */
    @AfterAll
    void checkAnswersAgainstTheOpenApiDocument() {
        OpenApiConformance.verify(baseUrl(), DEMO_ENDPOINTS, List.of());
    }

    // ---- Flow A: embed URLs (§3.1) ----

    @ParameterizedTest(name = "agent {0}")
    @ValueSource(strings = {"support", "sales"})
    void embedUrlWhenMintedThenChatPageUnderTheContextPathWithTheTokenInTheFragment(String agent) throws Exception {
        HttpResponse<String> minted = mint(
                "embed-urls",
                agent,
                "{\"externalUserId\": \"customer-123\", \"displayName\": \"Kelly\", \"ttlSeconds\": 600, \"mode\": \"chat\"}");

        assertStatus(200, minted);
        assertJsonAnswer(minted);
        shapes.check("A.embed-urls", minted);
        Map<String, Object> body = json(minted);
        String sessionId = (String) body.get("sessionId");
        String embedUrl = (String) body.get("embedUrl");
        String prefix = baseUrl() + "/embed/chat/" + sessionId + "#token=";
        assertTrue(
                embedUrl.startsWith(prefix),
                "embedUrl is not " + prefix + "…: " + DemoSecrets.redactCredentials(embedUrl));
        assertContextPath(URI.create(embedUrl));
        Map<String, Object> claims = claims(embedUrl.substring(prefix.length()));
        assertEquals("customer-123", claims.get("sub"));
        assertEquals(sessionId, claims.get("sid"));
        assertEquals("demo", claims.get("spc"));
        assertEquals(agent, claims.get("agt"));
        assertEquals("Kelly", claims.get("name"));
        long exp = (Long) claims.get("exp");
        assertEquals(600L, exp - (Long) claims.get("iat"));
        String expiresAt = (String) body.get("expiresAt");
        assertTrue(expiresAt.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), expiresAt);
        assertEquals(Instant.ofEpochSecond(exp), Instant.parse(expiresAt));
    }

    // ---- Flow B: embed sessions (§3.1) ----

    @Test
    void embedSessionWhenMintedThenEmbedApiUrlsUnderTheContextPathAndTheTokenReachesItsSession() throws Exception {
        HttpResponse<String> minted =
                mint("embed-sessions", "support", "{\"externalUserId\": \"wechat-openid-oABC123\"}");

        assertStatus(200, minted);
        assertJsonAnswer(minted);
        shapes.check("B.embed-sessions", minted);
        Session session = Session.of(json(minted));
        assertEquals(baseUrl() + "/api/v1/embed/chat-sessions/" + session.id, session.sessionUrl.toString());
        assertEquals(
                baseUrl() + "/api/v1/embed/chat-sessions/" + session.id + "/messages", session.messagesUrl.toString());
        assertContextPath(session.sessionUrl);
        assertContextPath(session.messagesUrl);
        assertEquals("session", claims(session.token).get("kty"));
        assertEquals(Instant.ofEpochSecond((Long) claims(session.token).get("exp")), Instant.parse((String)
                json(minted).get("expiresAt")));

        HttpResponse<String> read = get(session.sessionUrl, session.token);
        assertStatus(200, read);
        assertJsonAnswer(read);
        shapes.check("chat.session-empty", read);
        assertEquals(session.id, json(read).get("sessionId"));
        assertEquals(List.of(), json(read).get("messages"));
    }

    @Test
    void embedSessionWhenContinuedThenSameSessionAndWhenContinuedByAnotherUserThenForbidden() throws Exception {
        Session first = newSession("continuing-user");
        HttpResponse<String> again = mint(
                "embed-sessions",
                "support",
                "{\"externalUserId\": \"continuing-user\", \"sessionId\": \"" + first.id + "\"}");
        assertStatus(200, again);
        assertEquals(first.id, json(again).get("sessionId"));

        HttpResponse<String> stranger = mint(
                "embed-sessions",
                "support",
                "{\"externalUserId\": \"someone-else\", \"sessionId\": \"" + first.id + "\"}");
        assertError(403, "insufficient_scope", stranger);
        shapes.check("error.403.session-of-another-user", stranger);
    }

    @Test
    void eventsWhenMessageSentThenDeltasAddUpToTheStoredReplyAndResumeHasNoDuplicateAndDeleteEndsIt() throws Exception {
        Session session = newSession("streaming-user");
        String path = "/api/v1/embed/chat-sessions/" + session.id + "/events";
        String text = "Stream it (" + getClass().getSimpleName() + ")";
        String messageId;
        try (EventStreamClient stream = EventStreamClient.open(baseUrl(), path, session.token)) {
            assertEquals(200, stream.status());
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
            assertEquals("no-cache, no-transform", stream.header("Cache-Control"));
            assertEquals("no", stream.header("X-Accel-Buffering"));
            assertEquals("DENY", stream.header("X-Frame-Options"));

            HttpResponse<String> sent =
                    post(session.messagesUrl, "Bearer " + session.token, "{\"message\": \"" + text + "\"}");
            assertStatus(202, sent);
            messageId = (String) json(sent).get("messageId");
            EventStreamClient.Event user = stream.nextEvent(Duration.ofSeconds(20));
            assertEquals("message", user.event());
            assertEquals(messageId, user.id());
            StringBuilder deltas = new StringBuilder();
            int pieces = 0;
            EventStreamClient.Event event;
            while ((event = stream.nextEvent(Duration.ofSeconds(20))) != null && "delta".equals(event.event())) {
                deltas.append(StrictJson.parseObject(event.data()).get("delta"));
                pieces++;
            }
            assertNotNull(event);
            assertEquals(messageId + "r", event.id());
            Object content = StrictJson.parseObject(event.data()).get("content");
            assertTrue(pieces > 1, "the demo agent streams its reply in several deltas: " + pieces);
            assertEquals(content, deltas.toString(), "the deltas add up to the stored reply");
            assertTrue(((String) content).startsWith("You said: \u201c" + text + "\u201d"), (String) content);
        }
        try (EventStreamClient resumed =
                EventStreamClient.open(baseUrl(), path, session.token, "Last-Event-ID: " + messageId)) {
            assertEquals(200, resumed.status());
            assertEquals(
                    messageId + "r", resumed.nextEvent(Duration.ofSeconds(20)).id(), "resumes after the id");
            HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("/api/v1/embed-sessions/" + session.id))
                    .header("Authorization", "Bearer " + apiKey())
                    .DELETE());
            assertStatus(204, deleted);
            EventStreamClient.Event ended = resumed.nextEvent(Duration.ofSeconds(20));
            assertEquals("ended", ended.event(), "no message twice, then ended");
            assertTrue(resumed.closesWithin(Duration.ofSeconds(20)));
        }
    }

    @Test
    void embedSessionWhenDeletedThenItsTokenAnswersUnauthorized() throws Exception {
        Session session = newSession("leaving-user");
        HttpResponse<String> deleted =
                send(HttpRequest.newBuilder(uri("/api/v1/spaces/demo/agents/support/embed-sessions/" + session.id))
                        .header("Authorization", "Bearer " + apiKey())
                        .DELETE());
        assertStatus(204, deleted);

        HttpResponse<String> after = get(session.sessionUrl, session.token);
        assertError(401, "invalid_token", after);
        assertTrue(after.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
    }

    // ---- Flow C: visitor tokens (§3.2) ----

    @Test
    @SuppressWarnings("unchecked")
    void visitorTokenWhenRequestedWithApiSecretThenEnvelopeAndATokenOfItsSession() throws Exception {
        HttpResponse<String> minted = visitor(apiKey(), "support", fingerprint());

        assertStatus(200, minted);
        assertJsonAnswer(minted);
        shapes.check("C.visitor-token", minted);
        Map<String, Object> envelope = json(minted);
        assertEquals(true, envelope.get("success"));
        Map<String, Object> data = (Map<String, Object>) envelope.get("data");
        String token = (String) data.get("token");
        String sessionId = (String) data.get("session_id");
        Map<String, Object> claims = claims(token);
        assertEquals("HS256", header(token).get("alg"));
        assertEquals(3600L, (Long) claims.get("exp") - (Long) claims.get("iat"));
        assertEquals("visitor", claims.get("kty"));
        assertEquals(sessionId, claims.get("sid"));

        HttpResponse<String> read = get(uri("/api/v1/embed/chat-sessions/" + sessionId), token);
        assertStatus(200, read);
        assertEquals(sessionId, json(read).get("sessionId"));
    }

    @Test
    void visitorTokenWhenAgentUnknownThenNotFoundInTheEnvelope() throws Exception {
        HttpResponse<String> refused = visitor(apiKey(), "nobody", fingerprint());
        assertEnvelopeError(404, "not_found", refused);
        shapes.check("C.error.404.unknown-agent", refused);
    }

    @Test
    void visitorTokenWhenApiSecretUnknownThenUnauthorizedInTheEnvelope() throws Exception {
        HttpResponse<String> refused = visitor("sk_thisKeyIsNotTheDemoKey0123456789", "support", fingerprint());
        assertEnvelopeError(401, "invalid_token", refused);
        shapes.check("C.error.401.unknown-key", refused);
    }

    // ---- Flow D: cached iframe links (§3.3) ----

    @Test
    void iframeLinkWhenCreatedThenUrlUnderTheContextPathAndTheCacheKeyRedeemsOnceForAWorkingToken() throws Exception {
        HttpResponse<String> created = post(
                uri("/api/v1/iframe/create"),
                "Bearer " + apiKey(),
                "{\"uid\": \"user-42\", \"srcs\": [\"docs\", \"faq\"], \"ttl\": 900,"
                        + " \"knowledge_base_entries\": [\"Support hours are 9:00-17:00 CET.\"],"
                        + " \"theme\": {\"theme_mode\": \"dark\", \"start_message\": \"Hi!\"}}");

        assertStatus(200, created);
        assertJsonAnswer(created);
        shapes.check("D.iframe-create", created);
        Map<String, Object> link = json(created);
        String cacheKey = (String) link.get("cache_key");
        assertEquals(baseUrl() + "/embed/iframe/" + cacheKey, link.get("iframe_url"));
        assertContextPath(URI.create((String) link.get("iframe_url")));
        assertEquals(900L, link.get("expires_in"));

        HttpResponse<String> page = get(URI.create((String) link.get("iframe_url")), null);
        assertHostedPage(page);

        HttpResponse<String> redeemed =
                post(uri("/api/v1/iframe/token"), null, "{\"cache_key\": \"" + cacheKey + "\"}");
        assertStatus(200, redeemed);
        assertJsonAnswer(redeemed);
        assertEquals("DENY", redeemed.headers().firstValue("X-Frame-Options").orElse(null));
        shapes.check("D.iframe-token", redeemed);
        String token = (String) json(redeemed).get("token");
        String sessionId = (String) json(redeemed).get("session_id");
        assertEquals(List.of("docs", "faq"), claims(token).get("src"));
        assertEquals("user-42", claims(token).get("sub"));

        HttpResponse<String> again = post(uri("/api/v1/iframe/token"), null, "{\"cache_key\": \"" + cacheKey + "\"}");
        assertError(404, "not_found", again);
        shapes.check("error.404.cache-key-used", again);

        Session session = new Session(
                sessionId,
                token,
                uri("/api/v1/embed/chat-sessions/" + sessionId),
                uri("/api/v1/embed/chat-sessions/" + sessionId + "/messages"));
        assertTrue(converse(session, "Where are the docs?").contains("Where are the docs?"));
    }

    @Test
    void iframeLinkWhenSourceNotAllowedForTheKeyThenForbidden() throws Exception {
        HttpResponse<String> refused = post(
                uri("/api/v1/iframe/create"),
                "Bearer " + apiKey(),
                "{\"uid\": \"user-42\", \"srcs\": [\"docs\", \"secret-wiki\"]}");
        assertError(403, "insufficient_scope", refused);
        shapes.check("error.403.source-not-allowed", refused);
    }

    // ---- The embed JSON endpoints (§4) ----

    @Test
    void chatWhenMessageSentThenTheDemoAgentsReplyQuotingItArrivesByLongPoll() throws Exception {
        Session session = newSession("chatty-user");
        String text = "My device does not start \u2014 what now? (" + getClass().getSimpleName() + ")";

        HttpResponse<String> sent = post(
                session.messagesUrl, "Bearer " + session.token, "{\"message\": \"" + text + "\", \"mode\": \"chat\"}");

        assertStatus(202, sent);
        assertJsonAnswer(sent);
        assertEquals("DENY", sent.headers().firstValue("X-Frame-Options").orElse(null));
        shapes.check("chat.message-accepted", sent);
        String messageId = (String) json(sent).get("messageId");
        assertNotNull(messageId);

        long start = System.nanoTime();
        HttpResponse<String> polled =
                get(URI.create(session.sessionUrl + "?after=" + messageId + "&wait=20"), session.token);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertStatus(200, polled);
        shapes.check("chat.long-poll", polled);
        List<Map<String, Object>> newer = messages(polled);
        assertEquals(1, newer.size(), "one reply after the message: " + polled.body());
        assertEquals("assistant", newer.get(0).get("role"));
        assertTrue(
                ((String) newer.get(0).get("content")).startsWith("You said: \u201c" + text + "\u201d"),
                "the demo agent's reply does not quote the message: "
                        + newer.get(0).get("content"));
        assertTrue(millis < 10_000, "the long-poll must return when the reply arrives; took " + millis + " ms");
        Instant.parse((String) newer.get(0).get("createdAt"));

        HttpResponse<String> whole = get(session.sessionUrl, session.token);
        assertStatus(200, whole);
        shapes.check("chat.session", whole);
        List<Map<String, Object>> all = messages(whole);
        assertEquals(
                List.of("user", "assistant"),
                all.stream().map(m -> m.get("role")).toList());
        assertEquals(text, all.get(0).get("content"));
        assertEquals(messageId, all.get(0).get("id"));
    }

    @Test
    void chatWhenTokenOfAnotherSessionThenForbiddenBothWaysAndNothingReachesIt() throws Exception {
        Session a = newSession("user-a");
        Session b = newSession("user-b");

        HttpResponse<String> read = get(b.sessionUrl, a.token);
        assertError(403, "insufficient_scope", read);
        shapes.check("error.403.token-of-another-session", read);
        assertEquals("DENY", read.headers().firstValue("X-Frame-Options").orElse(null));
        assertError(403, "insufficient_scope", post(b.messagesUrl, "Bearer " + a.token, "{\"message\": \"hi\"}"));
        assertEquals(List.of(), messages(get(b.sessionUrl, b.token)));
    }

    // ---- Errors (§5) ----

    @Test
    void mintWhenBodyIsMalformedJsonThenBadRequest() throws Exception {
        HttpResponse<String> refused = mint("embed-urls", "support", "{\"externalUserId\": ");
        assertError(400, "invalid_request", refused);
        shapes.check("error.400.malformed", refused);
    }

    @ParameterizedTest(name = "ttlSeconds {0}")
    @ValueSource(strings = {"59", "86401", "\"3600\""})
    void mintWhenTtlOutOfRangeThenBadRequestNamingTheField(String ttl) throws Exception {
        HttpResponse<String> refused =
                mint("embed-urls", "support", "{\"externalUserId\": \"u\", \"ttlSeconds\": " + ttl + "}");
        assertError(400, "invalid_request", refused);
        assertTrue(((String) json(refused).get("error_description")).contains("ttlSeconds"), refused.body());
    }

    @Test
    void mintWhenNoCredentialThenUnauthorizedWithABareChallenge() throws Exception {
        HttpResponse<String> refused =
                post(uri("/api/v1/spaces/demo/agents/support/embed-urls"), null, "{\"externalUserId\": \"u\"}");
        assertError(401, "invalid_token", refused);
        assertEquals(
                "Bearer realm=\"embed\"",
                refused.headers().firstValue("WWW-Authenticate").orElse(null));
        shapes.check("error.401.no-credential", refused);
    }

    @Test
    void mintWhenUnknownKeyThenUnauthorizedWithAnInvalidTokenChallenge() throws Exception {
        HttpResponse<String> refused = post(
                uri("/api/v1/spaces/demo/agents/support/embed-urls"),
                "Bearer sk_thisKeyIsNotTheDemoKey0123456789",
                "{\"externalUserId\": \"u\"}");
        assertError(401, "invalid_token", refused);
        assertChallenge(refused);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"garbage", "tampered-signature", "tampered-payload", "alg-none"})
    void embedEndpointWhenTokenIsBadThenUnauthorizedWithAnInvalidTokenChallenge(String kind) throws Exception {
        Session session = newSession("user-bad-token");
        String[] parts = session.token.split("\\.", -1);

        String token = switch (kind) {
            case "tampered-signature" ->
                parts[0] + "." + parts[1] + "." + (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1);
            case "tampered-payload" ->
                parts[0] + "."
                        + base64Url(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                                .replace("\"user-bad-token\"", "\"someone-else\""))
                        + "." + parts[2];
            case "alg-none" -> base64Url("{\"alg\":\"none\"}") + "." + parts[1] + ".";
            default -> "not-a-jwt";
        };
        HttpResponse<String> refused = get(session.sessionUrl, token);
        assertError(401, "invalid_token", refused);
        assertChallenge(refused);
        assertEquals("DENY", refused.headers().firstValue("X-Frame-Options").orElse(null));
        assertFalse(refused.body().contains(token), "the error echoes the token");
        shapes.check("error.401.bad-token", refused);
    }

    @Test
    void embedEndpointWhenNoTokenThenUnauthorizedWithABareChallenge() throws Exception {
        HttpResponse<String> refused = get(uri("/api/v1/embed/chat-sessions/ses_none"), null);
        assertError(401, "invalid_token", refused);
        assertEquals(
                "Bearer realm=\"embed\"",
                refused.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals("DENY", refused.headers().firstValue("X-Frame-Options").orElse(null));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"other/support", "demo/unknown-agent"})
    void mintWhenAgentIsNotOneTheKeyMayMintForThenForbidden(String spaceAndAgent) throws Exception {
        String[] parts = spaceAndAgent.split("/", -1);
        HttpResponse<String> refused = post(
                uri("/api/v1/spaces/" + parts[0] + "/agents/" + parts[1] + "/embed-urls"),
                "Bearer " + apiKey(),
                "{\"externalUserId\": \"u\"}");
        assertError(403, "insufficient_scope", refused);
        shapes.check("error.403.agent-not-allowed", refused);
    }

    @Test
    void mintWhenContinuingAnUnknownSessionThenNotFound() throws Exception {
        HttpResponse<String> refused =
                mint("embed-sessions", "support", "{\"externalUserId\": \"u\", \"sessionId\": \"ses_doesNotExist\"}");
        assertError(404, "not_found", refused);
        shapes.check("error.404.unknown-session", refused);
    }

    @Test
    void mintWhenBodyOverTheLimitThenPayloadTooLarge() throws Exception {
        HttpResponse<String> refused = mint(
                "embed-urls",
                "support",
                "{\"externalUserId\": \"u\", \"displayName\": \"" + "x".repeat(70_000) + "\"}");
        assertError(413, "invalid_request", refused);
        shapes.check("error.413", refused);
    }

    @Test
    void messageWhenBodyOverTheLimitThenPayloadTooLarge() throws Exception {
        Session session = newSession("user-big-message");
        HttpResponse<String> refused =
                post(session.messagesUrl, "Bearer " + session.token, "{\"message\": \"" + "x".repeat(70_000) + "\"}");
        assertError(413, "invalid_request", refused);
    }

    @Test
    void mintWhenBodyIsNotJsonThenUnsupportedMediaType() throws Exception {
        HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/api/v1/spaces/demo/agents/support/embed-urls"))
                .header("Authorization", "Bearer " + apiKey())
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("externalUserId=u")));
        assertError(415, "invalid_request", refused);
        shapes.check("error.415", refused);
    }

    // ---- Hosted pages (§6), frame options and CORS ----

    @Test
    void hostedPagesWhenServedThenSection6HeadersAndAssetsUnderTheContextPath() throws Exception {
        String embedUrl = (String) json(mint("embed-urls", "support", "{\"externalUserId\": \"page-user\"}"))
                .get("embedUrl");
        assertHostedPage(get(URI.create(embedUrl.substring(0, embedUrl.indexOf('#'))), null));

        @SuppressWarnings("unchecked")
        Map<String, Object> visitor = (Map<String, Object>)
                json(visitor(apiKey(), "support", fingerprint())).get("data");
        HttpResponse<String> agentPage = get(uri("/embed/agents/support?token=" + visitor.get("token")), null);
        assertHostedPage(agentPage);
        assertFalse(agentPage.body().contains((String) visitor.get("token")), "the page echoes the token");

        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/embed/chat/ses_head"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertStatus(200, head);
        assertTrue(
                head.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors "));
        assertEquals("", head.body());
    }

    @Test
    void widgetScriptWhenFetchedThenJavaScriptThatFramesTheAgentPageUnderTheContextPath() throws Exception {
        HttpResponse<String> widget = get(uri("/embed/widget.js"), null);
        assertStatus(200, widget);
        assertEquals("text/javascript;charset=utf-8", contentType(widget));
        assertTrue(widget.body().contains("/embed/agents/"), "the widget does not frame /embed/agents/");
    }

    @Test
    void embedEndpointWhenPreflightThenAuthorizationAllowedWithoutCredentials() throws Exception {
        Session session = newSession("cors-user");
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(session.messagesUrl)
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertTrue(
                preflight.statusCode() == 200 || preflight.statusCode() == 204, "preflight: " + preflight.statusCode());
        assertTrue(
                preflight.headers().firstValue("Access-Control-Allow-Origin").isPresent(),
                "no Access-Control-Allow-Origin");
        assertTrue(
                preflight
                        .headers()
                        .firstValue("Access-Control-Allow-Headers")
                        .orElse("")
                        .toLowerCase(Locale.ROOT)
                        .contains("authorization"),
                "Authorization is not allowed");
        assertTrue(
                preflight
                        .headers()
                        .firstValue("Access-Control-Allow-Credentials")
                        .isEmpty(),
                "credentials allowed");

        HttpResponse<String> read = send(HttpRequest.newBuilder(session.sessionUrl)
                .header("Origin", "https://app.example")
                .header("Authorization", "Bearer " + session.token)
                .GET());
        assertStatus(200, read);
        assertTrue(
                read.headers().firstValue("Access-Control-Allow-Origin").isPresent(), "no Access-Control-Allow-Origin");
    }

    @Test
    void mintWhenBrowserPreflightThenNoCorsPermission() throws Exception {
        HttpResponse<String> preflight =
                send(HttpRequest.newBuilder(uri("/api/v1/spaces/demo/agents/support/embed-urls"))
                        .header("Origin", "https://app.example")
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization, content-type")
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        for (String name : preflight.headers().map().keySet()) {
            assertFalse(
                    name.toLowerCase(Locale.ROOT).startsWith("access-control-allow-"),
                    "a secret-key endpoint allowed a browser: " + name);
        }
    }

    // ---- JWKS and the demo's own pages ----

    @Test
    void jwksWhenFetchedUnderTheContextPathThenAnEmptyKeySetForHs256() throws Exception {
        HttpResponse<String> jwks = get(uri("/.well-known/jwks.json"), null);
        assertStatus(200, jwks);
        shapes.check("jwks", jwks);
        assertEquals(Map.of("keys", List.of()), json(jwks));
    }

    @Test
    void demoSiteWhenOpenedThenItsPageAndItsBackendMintUnderTheContextPath() throws Exception {
        HttpResponse<String> page = get(uri("/"), null);
        assertStatus(200, page);
        assertTrue(contentType(page).startsWith("text/html"), contentType(page));
        assertTrue(
                page.body().contains("'demo/embed-url'"), "the demo page does not call its backend by a relative URL");

        HttpResponse<String> minted = post(uri("/demo/embed-url"), null, "");
        assertStatus(200, minted);
        shapes.check("demo.embed-url", minted);
        String embedUrl = (String) json(minted).get("embedUrl");
        assertTrue(
                URI.create(embedUrl).getRawPath().startsWith(baseUrl().getRawPath() + "/embed/chat/ses_"),
                "the demo backend's embedUrl is not under the context path: "
                        + DemoSecrets.redactCredentials(embedUrl));
    }

    /**
     * Issue 13, finding 9: the demo's backend continues only the sessions that this browser (its
     * cookie) started; another browser, or none, asking for the same session id gets 403.
     */
    @Test
    void demoBackendWhenAskedToContinueASessionThenOnlyForTheBrowserThatStartedIt() throws Exception {
        HttpResponse<String> started = post(uri("/demo/embed-url"), null, "");
        assertStatus(200, started);
        String sessionId = (String) json(started).get("sessionId");
        String setCookie = started.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(setCookie.startsWith("embed_demo_browser="), "no browser cookie: " + setCookie);
        String lower = setCookie.toLowerCase(Locale.ROOT);
        assertTrue(lower.contains("httponly"), "the cookie is not HttpOnly: " + setCookie);
        assertTrue(lower.contains("samesite=lax"), "the cookie is not SameSite=Lax: " + setCookie);
        assertTrue(
                lower.contains("path=" + baseUrl().getRawPath().toLowerCase(Locale.ROOT) + "/demo"),
                "the cookie is not scoped to the demo backend: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        URI continuing = uri("/demo/embed-url?sessionId=" + sessionId);
        HttpResponse<String> renewed = send(
                HttpRequest.newBuilder(continuing).header("Cookie", cookie).POST(HttpRequest.BodyPublishers.noBody()));
        assertStatus(200, renewed);
        assertEquals(sessionId, json(renewed).get("sessionId"));

        HttpResponse<String> noCookie = post(continuing, null, "");
        assertError(403, "insufficient_scope", noCookie);

        HttpResponse<String> otherBrowser = post(uri("/demo/embed-url"), null, "");
        assertStatus(200, otherBrowser);
        String otherCookie = otherBrowser.headers().firstValue("Set-Cookie").orElseThrow();
        HttpResponse<String> stolen = send(HttpRequest.newBuilder(continuing)
                .header("Cookie", otherCookie.substring(0, otherCookie.indexOf(';')))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertError(403, "insufficient_scope", stolen);

        // A session of the same user minted elsewhere (flow A with the key) is not this browser's either.
        HttpResponse<String> minted = mint("embed-urls", "support", "{\"externalUserId\": \"demo-customer-1\"}");
        assertStatus(200, minted);
        HttpResponse<String> foreign = send(HttpRequest.newBuilder(
                        uri("/demo/embed-url?sessionId=" + json(minted).get("sessionId")))
                .header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertError(403, "insufficient_scope", foreign);
    }

    // ---- helpers ----

    /** A session minted by flow B: its id, token and embed API URLs. */
    record Session(String id, String token, URI sessionUrl, URI messagesUrl) {
        @SuppressWarnings("unchecked")
        static Session of(Map<String, Object> minted) {
            Map<String, Object> api = (Map<String, Object>) minted.get("embedApi");
            return new Session(
                    (String) minted.get("sessionId"),
                    (String) minted.get("token"),
                    URI.create((String) api.get("sessionUrl")),
                    URI.create((String) api.get("messagesUrl")));
        }

        @Override
        public String toString() {
            return "Session[" + id + "]";
        }
    }

    URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    Session newSession(String user) throws Exception {
        HttpResponse<String> minted = mint("embed-sessions", "support", "{\"externalUserId\": \"" + user + "\"}");
        assertStatus(200, minted);
        return Session.of(json(minted));
    }

    /** Sends a message and long-polls for the agent's reply; returns its content. */
    String converse(Session session, String text) throws Exception {
        HttpResponse<String> sent =
                post(session.messagesUrl, "Bearer " + session.token, "{\"message\": \"" + text + "\"}");
        assertStatus(202, sent);
        String after = (String) json(sent).get("messageId");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> polled =
                    get(URI.create(session.sessionUrl + "?after=" + after + "&wait=10"), session.token);
            assertStatus(200, polled);
            for (Map<String, Object> message : messages(polled)) {
                if ("assistant".equals(message.get("role"))) {
                    return (String) message.get("content");
                }
            }
        }
        throw new AssertionError("the demo agent did not answer within 30 s");
    }

    HttpResponse<String> mint(String collection, String agent, String body) throws Exception {
        return post(uri("/api/v1/spaces/demo/agents/" + agent + "/" + collection), "Bearer " + apiKey(), body);
    }

    HttpResponse<String> visitor(String apiSecret, String agent, String fingerprint) throws Exception {
        return send(HttpRequest.newBuilder(uri("/v1/embed-tokens/request"))
                .header("api-secret", apiSecret)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"agent_id\": \"" + agent + "\", \"fingerprint\": \"" + fingerprint + "\"}")));
    }

    HttpResponse<String> post(URI uri, String authorization, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request);
    }

    HttpResponse<String> get(URI uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.timeout(Duration.ofSeconds(40)).build();
        try {
            return recorded(built, client.send(built, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            // The JDK client reused a pooled keep-alive connection the server had already closed
            // (seen once on Jetty, right after an error answered without reading the request body):
            // nothing reached the application, so one retry on a new connection is what any client
            // does. Anything else, or a second failure, fails the test.
            if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                throw e;
            }
            return recorded(built, client.send(built, HttpResponse.BodyHandlers.ofString()));
        }
    }

    private static HttpResponse<String> recorded(HttpRequest request, HttpResponse<String> response) {
        OpenApiRecorder.record(request, response);
        return response;
    }

    /** A fresh device fingerprint (flow C rate-limits per fingerprint). */
    static String fingerprint() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static Map<String, Object> json(HttpResponse<String> response) {
        return StrictJson.parseObject(response.body());
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(HttpResponse<String> response) {
        return (List<Map<String, Object>>) json(response).get("messages");
    }

    static Map<String, Object> claims(String jwt) {
        return StrictJson.parseObject(
                new String(Base64.getUrlDecoder().decode(jwt.split("\\.", -1)[1]), StandardCharsets.UTF_8));
    }

    static Map<String, Object> header(String jwt) {
        return StrictJson.parseObject(
                new String(Base64.getUrlDecoder().decode(jwt.split("\\.", -1)[0]), StandardCharsets.UTF_8));
    }

    static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String contentType(HttpResponse<String> response) {
        return response.headers()
                .firstValue("Content-Type")
                .orElse("")
                .replace(" ", "")
                .toLowerCase(Locale.ROOT);
    }

    static void assertStatus(int expected, HttpResponse<String> response) {
        if (response.statusCode() != expected) {
            throw new AssertionError(
                    "expected HTTP " + expected + " from " + response.request().method() + " "
                            + response.uri().getRawPath() + ", got " + response.statusCode() + ": "
                            + DemoSecrets.redactCredentials(response.body()));
        }
    }

    /** §3: JSON in UTF-8 and never cached. */
    static void assertJsonAnswer(HttpResponse<String> response) {
        assertEquals(JSON, contentType(response));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null));
    }

    /** §5: the status, and {@code {"error", "error_description"}} without the key. */
    void assertError(int status, String code, HttpResponse<String> response) {
        assertStatus(status, response);
        assertJsonAnswer(response);
        Map<String, Object> body = json(response);
        assertEquals(Set.of("error", "error_description"), body.keySet(), "members of a §5 error");
        assertEquals(code, body.get("error"));
        assertFalse(((String) body.get("error_description")).isBlank());
        assertFalse(response.body().contains(apiKey()), "the error echoes the API key");
    }

    /** §3.2: flow C's envelope {@code {"success": false, "error": {"code", "message"}}}. */
    @SuppressWarnings("unchecked")
    void assertEnvelopeError(int status, String code, HttpResponse<String> response) {
        assertStatus(status, response);
        assertJsonAnswer(response);
        Map<String, Object> body = json(response);
        assertEquals(false, body.get("success"));
        assertEquals(code, ((Map<String, Object>) body.get("error")).get("code"));
        assertFalse(response.body().contains(apiKey()), "the error echoes the API key");
    }

    /** RFC 6750 §3: {@code Bearer realm="embed", error="invalid_token", error_description="…"}. */
    static void assertChallenge(HttpResponse<String> response) {
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(
                challenge.startsWith("Bearer realm=\"embed\", error=\"invalid_token\", error_description=\""),
                challenge);
    }

    /** §6: a page the allowed origins may frame, never cached, leaking no referrer, assets under the context path. */
    void assertHostedPage(HttpResponse<String> page) {
        assertStatus(200, page);
        assertTrue(contentType(page).startsWith("text/html"), contentType(page));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("frame-ancestors "), "no frame-ancestors in " + csp);
        assertTrue(csp.contains("default-src 'none'"), csp);
        assertEquals(
                "microphone=(self)",
                page.headers().firstValue("Permissions-Policy").orElse(null));
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null));
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(null));
        assertEquals(
                List.of(),
                page.headers().allValues("X-Frame-Options"),
                "a hosted page must be frameable by its origins (frame-ancestors), not by X-Frame-Options");
        String assets = Pattern.quote(baseUrl().getRawPath() + "/embed/assets/") + "[0-9a-f]{12}/";
        assertTrue(
                Pattern.compile("src=\"" + assets + "chat\\.js\"")
                        .matcher(page.body())
                        .find(),
                "the page's script is not under " + assets);
        assertTrue(
                Pattern.compile("href=\"" + assets + "chat\\.css\"")
                        .matcher(page.body())
                        .find(),
                "the page's style is not under " + assets);
    }

    /** The URL is on this deployment's origin and under its context path. */
    void assertContextPath(URI url) {
        URI base = baseUrl();
        assertEquals(
                base.getScheme() + "://" + base.getRawAuthority(), url.getScheme() + "://" + url.getRawAuthority());
        assertTrue(
                url.getRawPath().startsWith(base.getRawPath() + "/"),
                url.getRawPath() + " is not under the context path '" + base.getRawPath() + "'");
    }
}
