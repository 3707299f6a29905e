package dev.embed.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document is well-formed, and its checker ({@link OpenApiDocument}) refuses what the
 * document does not describe: each case is one way an answer or a request can drift.
 */
class OpenApiDocumentTest {
    private static final OpenApiDocument DOCUMENT = OpenApiDocument.load();
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJzZXNfMSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
    private static final Map<String, List<String>> JSON_ANSWER = Map.of(
            "content-type", List.of("application/json; charset=utf-8"),
            "cache-control", List.of("no-store"),
            "x-frame-options", List.of("DENY"));

    static Exchange exchange(
            String method,
            String path,
            Map<String, List<String>> requestHeaders,
            String requestBody,
            int status,
            Map<String, List<String>> responseHeaders,
            String responseBody) {
        return new Exchange(
                method,
                "127.0.0.1:1",
                "/shop" + path,
                requestHeaders,
                Optional.ofNullable(requestBody),
                status,
                responseHeaders,
                responseBody,
                false);
    }

    static Exchange mint(String requestBody, int status, Map<String, List<String>> responseHeaders, String body) {
        return exchange(
                "POST",
                "/api/v1/spaces/demo/agents/support/embed-sessions",
                Map.of(
                        "authorization", List.of("Bearer sk_test_0123456789abcdef"),
                        "content-type", List.of("application/json")),
                requestBody,
                status,
                responseHeaders,
                body);
    }

    static String minted(String expiresAt) {
        return "{\"token\":\"" + TOKEN + "\",\"sessionId\":\"ses_1\",\"expiresAt\":\"" + expiresAt + "\","
                + "\"embedApi\":{\"sessionUrl\":\"http://h/shop/api/v1/embed/chat-sessions/ses_1\","
                + "\"messagesUrl\":\"http://h/shop/api/v1/embed/chat-sessions/ses_1/messages\"}}";
    }

    static List<String> violations(Exchange exchange) {
        return DOCUMENT.check(exchange, exchange.path().substring("/shop".length()))
                .violations();
    }

    @Test
    void documentWhenLoadedThenEveryOperationHasAUniqueIdAndEveryReferenceAndSchemaResolves() {
        Set<String> ids = new HashSet<>();
        for (OpenApiDocument.Operation operation : DOCUMENT.operations()) {
            assertFalse(operation.id().isEmpty(), operation.key() + " has no operationId");
            assertTrue(ids.add(operation.id()), "operationId " + operation.id() + " twice");
            assertFalse(DOCUMENT.statuses(operation).isEmpty(), operation.key() + " lists no response");
        }
        assertTrue(ids.size() >= 25, "only " + ids.size() + " operations");
        List<String> broken = new ArrayList<>();
        walk(DOCUMENT.root(), "", broken);
        assertEquals(List.of(), broken);
    }

    /** Every $ref resolves, and every schema under components compiles and accepts or refuses something. */
    private static void walk(JsonNode node, String pointer, List<String> broken) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null
                    && (!ref.asString().startsWith("#/")
                            || DOCUMENT.node(ref.asString().substring(1)).isMissingNode())) {
                broken.add(pointer + ": $ref " + ref.asString() + " does not resolve");
            }
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                walk(member.getValue(), pointer + "/" + OpenApiDocument.escape(member.getKey()), broken);
            }
            if (pointer.startsWith("/components/schemas/")
                    && pointer.chars().filter(c -> c == '/').count() == 3) {
                DOCUMENT.validate(pointer, tools.jackson.databind.node.JsonNodeFactory.instance.nullNode());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, broken);
            }
        }
    }

    @Test
    void checkWhenAnswerIsAsDocumentedThenNoViolation() {
        assertEquals(
                List.of(),
                violations(mint("{\"externalUserId\": \"u\"}", 200, JSON_ANSWER, minted("2026-11-21T00:32:00.000Z"))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a member missing               | {\"token\":\"TOKEN\",\"sessionId\":\"ses_1\",\"expiresAt\":\"2026-11-21T00:32:00.000Z\"} | required property 'embedApi'",
                "a member the document lacks    | MINTED_PLUS | is not defined in the schema",
                "a timestamp without millis     | MINTED_NO_MILLIS | does not match",
                "not JSON                       | <html></html> | not JSON",
            })
    void checkWhenAnswerBodyDriftsThenViolationNamesIt(String name, String body, String expected) {
        String answer = body.replace("TOKEN", TOKEN)
                .replace(
                        "MINTED_PLUS",
                        minted("2026-11-21T00:32:00.000Z").replace("{\"token\"", "{\"extra\":1,\"token\""))
                .replace("MINTED_NO_MILLIS", minted("2026-11-21T00:32:00Z"));
        List<String> violations = violations(mint("{\"externalUserId\": \"u\"}", 200, JSON_ANSWER, answer));
        assertTrue(violations.stream().anyMatch(v -> v.contains(expected)), name + ": " + violations);
    }

    @Test
    void checkWhenStatusUndocumentedThenViolation() {
        List<String> violations = violations(mint("{\"externalUserId\": \"u\"}", 418, JSON_ANSWER, "{}"));
        assertTrue(
                violations.stream().anyMatch(v -> v.contains("status 418 is not documented")), violations.toString());
    }

    @Test
    void checkWhenRequiredHeaderMissingOrWrongThenViolation() {
        String error = "{\"error\":\"invalid_token\",\"error_description\":\"unknown API key\"}";
        List<String> missing = violations(mint("{\"externalUserId\": \"u\"}", 401, JSON_ANSWER, error));
        assertTrue(missing.contains("answer header WWW-Authenticate is missing"), missing.toString());

        Map<String, List<String>> wrong = new java.util.HashMap<>(JSON_ANSWER);
        wrong.put("cache-control", List.of("max-age=60"));
        wrong.put("www-authenticate", List.of("Basic realm=\"embed\""));
        List<String> violations = violations(mint("{\"externalUserId\": \"u\"}", 401, wrong, error));
        assertTrue(
                violations.stream().anyMatch(v -> v.startsWith("answer header Cache-Control")), violations.toString());
        assertTrue(
                violations.stream().anyMatch(v -> v.startsWith("answer header WWW-Authenticate")),
                violations.toString());
    }

    @Test
    void checkWhenErrorCodeIsNotTheStatusCodeThenViolation() {
        Map<String, List<String>> headers = new java.util.HashMap<>(JSON_ANSWER);
        headers.put(
                "www-authenticate",
                List.of("Bearer realm=\"embed\", error=\"insufficient_scope\", error_description=\"x\""));
        List<String> violations = violations(mint(
                "{\"externalUserId\": \"u\"}",
                403,
                headers,
                "{\"error\":\"not_found\",\"error_description\":\"no agent\"}"));
        assertTrue(violations.stream().anyMatch(v -> v.contains("/error")), violations.toString());
    }

    @Test
    void checkWhenRequestAnswered2xxBreaksTheDocumentThenViolation() {
        List<String> violations = violations(mint(
                "{\"externalUserId\": \"u\", \"ttlSeconds\": 86401}",
                200,
                JSON_ANSWER,
                minted("2026-11-21T00:32:00.000Z")));
        assertTrue(
                violations.stream().anyMatch(v -> v.contains("breaks the document") && v.contains("ttlSeconds")),
                violations.toString());
    }

    @Test
    void checkWhenValidRequestAnswered400ThenViolationAndWhenInvalidThenNone() {
        String error =
                "{\"error\":\"invalid_request\",\"error_description\":\"ttlSeconds must be between 60 and 86400\"}";
        List<String> valid =
                violations(mint("{\"externalUserId\": \"u\", \"ttlSeconds\": 600}", 400, JSON_ANSWER, error));
        assertTrue(valid.stream().anyMatch(v -> v.contains("a request the document accepts")), valid.toString());
        assertEquals(
                List.of(),
                violations(mint("{\"externalUserId\": \"u\", \"ttlSeconds\": 59}", 400, JSON_ANSWER, error)));
        assertEquals(
                List.of(),
                violations(mint("{\"externalUserId\": \"u\", \"externalUserId\": \"v\"}", 400, JSON_ANSWER, error)));
        // JSON Schema's integer includes 3.6e3; the API reads integers from integer literals only.
        assertEquals(
                List.of(),
                violations(mint("{\"externalUserId\": \"u\", \"ttlSeconds\": 3.6e3}", 400, JSON_ANSWER, error)));
    }

    @Test
    void checkWhenPathUnknownThenOnlyTheDocumentedNotFoundPasses() {
        String notFound = "{\"error\":\"not_found\",\"error_description\":\"no hosted page here\"}";
        Map<String, List<String>> headers = Map.of(
                "content-type", List.of("application/json; charset=utf-8"), "cache-control", List.of("no-store"));
        assertEquals(List.of(), violations(exchange("GET", "/embed/nope", Map.of(), null, 404, headers, notFound)));
        assertFalse(violations(exchange("GET", "/embed/nope", Map.of(), null, 200, headers, "{}"))
                .isEmpty());
        assertFalse(violations(exchange("GET", "/api/v1/new-endpoint", Map.of(), null, 200, headers, "{}"))
                .isEmpty());
    }

    @Test
    void checkWhenMethodNotListedThenOnly405WithAllowPasses() {
        String body = "{\"error\":\"invalid_request\",\"error_description\":\"use POST on this endpoint\"}";
        Map<String, List<String>> headers = Map.of(
                "content-type", List.of("application/json; charset=utf-8"),
                "cache-control", List.of("no-store"),
                "allow", List.of("POST"));
        assertEquals(
                List.of(), violations(exchange("GET", "/api/v1/iframe/create", Map.of(), null, 405, headers, body)));
        List<String> noAllow = violations(exchange(
                "GET",
                "/api/v1/iframe/create",
                Map.of(),
                null,
                405,
                Map.of("content-type", List.of("text/html"), "cache-control", List.of("no-store")),
                "<html/>"));
        assertTrue(noAllow.contains("answer header Allow is missing"), noAllow.toString());
    }

    @Test
    void checkWhenDotSegmentsThenTheNormalisedPathsOperation() {
        assertEquals(
                "/api/v1/embed/chat-sessions/b",
                OpenApiDocument.removeDotSegments("/api/v1/embed/chat-sessions/a/../b"));
        assertEquals("/a/b/", OpenApiDocument.removeDotSegments("/a/./b/."));
        OpenApiDocument.Outcome outcome = DOCUMENT.check(
                exchange("GET", "/api/v1/embed/chat-sessions/a/../b", Map.of(), null, 401, JSON_ANSWER, "{}"),
                "/api/v1/embed/chat-sessions/a/../b");
        assertEquals("GET /api/v1/embed/chat-sessions/{sessionId}", outcome.operation());
    }

    @Test
    void checkWhenEventStreamThenEachEventsDataAgainstItsSchema() {
        Map<String, List<String>> headers = Map.of(
                "content-type", List.of("text/event-stream"),
                "cache-control", List.of("no-cache, no-transform"),
                "x-accel-buffering", List.of("no"),
                "x-frame-options", List.of("DENY"));
        Map<String, List<String>> request = Map.of("authorization", List.of("Bearer " + TOKEN));
        String good = ": keep-alive\n\nevent: message\nid: msg_1\ndata: {\"id\":\"msg_1\",\"role\":\"user\","
                + "\"content\":\"hi\",\"createdAt\":\"2026-11-21T00:32:00.000Z\"}\n\n"
                + "event: delta\ndata: {\"id\":\"msg_1r\",\"delta\":\"Yo\"}\n\nevent: ended\ndata: {\"reason\":\"session_ended\"}\n\n";
        assertEquals(
                List.of(),
                violations(exchange(
                        "GET", "/api/v1/embed/chat-sessions/ses_1/events", request, null, 200, headers, good)));
        String bad = "event: delta\ndata: {\"id\":\"msg_1r\"}\n\nevent: typing\ndata: {}\n\n";
        List<String> violations = violations(
                exchange("GET", "/api/v1/embed/chat-sessions/ses_1/events", request, null, 200, headers, bad));
        assertTrue(violations.stream().anyMatch(v -> v.contains("delta")), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.contains("event 'typing'")), violations.toString());
    }

    @Test
    void checkWhenContainerAnswersThenExemptNotChecked() {
        Exchange tooLarge = exchange("GET", "/api/v1/embed/chat-sessions/ses_1", Map.of(), null, 431, Map.of(), "");
        assertTrue(DOCUMENT.check(tooLarge, "/api/v1/embed/chat-sessions/ses_1")
                .exempt()
                .isPresent());
    }

    @Test
    void redactWhenPathHoldsACacheKeyThenNotShown() {
        assertEquals(
                "/embed/iframe/…",
                OpenApiConformance.redact("/embed/iframe/Xq3abcdefghijklmnopqrstuvwxyz0123456789ABCD"));
    }
}
