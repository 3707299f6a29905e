package dev.embed.internal;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * <b>The demo WAR's benchmark baseline only</b> ({@code dev.embed.demo.BenchmarkBaselineServlet}):
 * the answer of {@code GET /api/v1/embed/chat-sessions/{sessionId}} built by the same chat service
 * call, with the same headers, but without any token. It lives in the library's internal package
 * (in the demo's own sources: a split package on the WAR's class path) because the chat service is
 * package-private there; nothing of the library depends on it.
 */
public final class BenchmarkBaseline {
    private BenchmarkBaseline() {}

    /** An answer to write: its body as UTF-8 text. */
    public record Answer(int status, Map<String, String> headers, String contentType, String body) {}

    /** Off: every request answers this 404. */
    public static Answer off() {
        return answer(
                new Reply(
                        404,
                        Map.of("Cache-Control", "no-store"),
                        Reply.JSON_UTF8,
                        Json.write(Map.of("error", "not_found", "error_description", "no such endpoint"))),
                Map.of());
    }

    /**
     * The chat session {@code rest} names ({@code {sessionId}}, the path after the baseline's
     * prefix), as the protected endpoint answers it for a token of that session.
     */
    public static Answer get(Embed embed, String method, @Nullable String rest, @Nullable String after) {
        Core core = embed.core();
        Map<String, String> headers = new LinkedHashMap<>(CorsPolicy.API_HEADERS);
        try {
            String[] parts = rest == null ? new String[0] : rest.split("/", -1);
            if (parts.length != 1) {
                throw EmbedError.notFound("no baseline endpoint at this path").toException();
            }
            Fields.pathId(parts[0], "sessionId");
            if (!"GET".equals(method)) {
                headers.put("Allow", "GET");
                throw EmbedError.methodNotAllowed("use GET on this endpoint").toException();
            }
            EmbedClaims claims = new EmbedClaims(
                    "benchmark-baseline",
                    parts[0],
                    "benchmark-baseline",
                    TokenKind.EMBED_SESSION,
                    0,
                    0,
                    Long.MAX_VALUE,
                    null,
                    null,
                    null,
                    null,
                    List.of(),
                    null);
            Map<String, Object> session =
                    core.chat().session(claims, after, null, null, null).join();
            return answer(Reply.json(200, Json.write(session)), headers);
        } catch (EmbedException e) {
            return answer(core.errors().render(e.error()), headers);
        } catch (CompletionException e) {
            if (e.getCause() instanceof EmbedException refused) {
                return answer(core.errors().render(refused.error()), headers);
            }
            throw e;
        }
    }

    private static Answer answer(Reply reply, Map<String, String> before) {
        Map<String, String> headers = new LinkedHashMap<>(before);
        headers.putAll(reply.headers());
        return new Answer(
                reply.status(),
                headers,
                reply.contentType() == null ? Reply.JSON_UTF8 : reply.contentType(),
                new String(reply.bodyBytes(), StandardCharsets.UTF_8));
    }
}
