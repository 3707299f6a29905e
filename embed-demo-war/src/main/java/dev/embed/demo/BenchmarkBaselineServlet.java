package dev.embed.demo;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.internal.CorsPolicy;
import dev.embed.internal.Fields;
import dev.embed.internal.Json;
import dev.embed.internal.Reply;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * <b>Benchmark baseline only: not an endpoint of the library, never part of a real deployment.</b>
 * {@code GET /bench-baseline/chat-sessions/{sessionId}} answers exactly what the protected {@code
 * GET /api/v1/embed/chat-sessions/{sessionId}} answers (the same chat-session JSON, built by the same
 * {@code ChatService} call, with the same headers) but <em>without any token</em>, so that {@code
 * bench/run.sh} can measure what the token filter costs (issue 7).
 *
 * <p>It is off unless the system property {@code embed.demo.bench} or the environment variable
 * {@code EMBED_DEMO_BENCH} is {@code true}; off, every request answers 404. Anyone who knows a
 * session id can read that session through it, which is why only the benchmark script turns it on.
 */
public final class BenchmarkBaselineServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** System property that turns the baseline on. */
    static final String ENABLE_PROPERTY = "embed.demo.bench";

    /** Environment variable that turns the baseline on. */
    static final String ENABLE_ENV = "EMBED_DEMO_BENCH";

    static final String PATH = "/bench-baseline/chat-sessions/";

    private transient boolean enabled;
    private transient @Nullable Embed embed;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        enabled = enabled(System.getProperty(ENABLE_PROPERTY), System.getenv(ENABLE_ENV));
        if (enabled) {
            log("embed demo: the benchmark baseline " + PATH + "{sessionId} is ON: it reads chat sessions without a"
                    + " token. Only bench/run.sh should turn it on (" + ENABLE_ENV + "=true).");
        }
    }

    static boolean enabled(@Nullable String property, @Nullable String env) {
        String value = property != null ? property : env;
        return value != null && "true".equals(value.strip().toLowerCase(Locale.ROOT));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Embed embed = embed();
        if (!enabled || embed == null) {
            write(
                    response,
                    new Reply(
                            404,
                            Map.of("Cache-Control", "no-store"),
                            Reply.JSON_UTF8,
                            Json.write(Map.of("error", "not_found", "error_description", "no such endpoint"))));
            return;
        }
        try {
            // The same steps as ChatServlet's GET, but for the token: path, id check, ChatService, JSON.
            CorsPolicy.API_HEADERS.forEach(response::setHeader);
            String uri =
                    request.getRequestURI().substring(request.getContextPath().length());
            String rest = uri.startsWith(PATH) ? uri.substring(PATH.length()) : null;
            String[] parts = rest == null ? new String[0] : rest.split("/", -1);
            if (parts.length != 1) {
                throw EmbedError.notFound("no baseline endpoint at this path").toException();
            }
            Fields.pathId(parts[0], "sessionId");
            if (!"GET".equals(request.getMethod())) {
                response.setHeader("Allow", "GET");
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
            Map<String, Object> answer = embed.core()
                    .chat()
                    .session(claims, request.getParameter("after"), null, null, null)
                    .join();
            write(response, Reply.json(200, Json.write(answer)));
        } catch (EmbedException e) {
            write(response, embed.core().errors().render(e.error()));
        } catch (CompletionException e) {
            if (e.getCause() instanceof EmbedException refused) {
                write(response, embed.core().errors().render(refused.error()));
            } else {
                throw e;
            }
        }
    }

    private @Nullable Embed embed() {
        if (embed == null) {
            Object attribute = getServletContext().getAttribute(Embed.ATTRIBUTE);
            embed = attribute instanceof Embed started ? started : null;
        }
        return embed;
    }

    private static void write(HttpServletResponse response, Reply reply) throws IOException {
        response.setStatus(reply.status());
        reply.headers().forEach(response::setHeader);
        byte[] body = reply.bodyBytes();
        response.setContentType(reply.contentType());
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }
}
