package dev.embed.demo;

import dev.embed.Embed;
import dev.embed.internal.BenchmarkBaseline;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
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
            write(response, BenchmarkBaseline.off());
            return;
        }
        // The same steps as the table's GET row, but for the token: path, id check, chat service, JSON.
        String uri = request.getRequestURI().substring(request.getContextPath().length());
        write(
                response,
                BenchmarkBaseline.get(
                        embed,
                        request.getMethod(),
                        uri.startsWith(PATH) ? uri.substring(PATH.length()) : null,
                        request.getParameter("after")));
    }

    private @Nullable Embed embed() {
        if (embed == null) {
            Object attribute = getServletContext().getAttribute(Embed.ATTRIBUTE);
            embed = attribute instanceof Embed started ? started : null;
        }
        return embed;
    }

    private static void write(HttpServletResponse response, BenchmarkBaseline.Answer answer) throws IOException {
        response.setStatus(answer.status());
        answer.headers().forEach(response::setHeader);
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        response.setContentType(answer.contentType());
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }
}
