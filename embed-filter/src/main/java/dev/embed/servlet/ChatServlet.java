package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.internal.Fields;
import dev.embed.internal.Json;
import dev.embed.internal.Reply;
import dev.embed.token.EmbedClaims;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embed JSON endpoints of DESIGN §4, under {@code /api/v1/embed/*}, for browsers and devices
 * holding an embed token:
 *
 * <ul>
 *   <li>{@code POST /api/v1/embed/chat-sessions/{sessionId}/messages} with {@code {"message",
 *       "mode"?}} → {@code 202 {"messageId", "sessionId", "createdAt", "status": "accepted"}}; the
 *       agent answers asynchronously
 *   <li>{@code GET /api/v1/embed/chat-sessions/{sessionId}?after={messageId}&wait={seconds}} →
 *       {@code 200 {"sessionId", "status", "messages": [{"id", "role", "content", "createdAt"}]}};
 *       with {@code wait} (at most 30) it long-polls with Servlet async I/O, holding no thread
 * </ul>
 *
 * Other paths answer 404 and other methods 405, as §5 JSON. {@link EmbedTokenFilter} must be mapped
 * in front of it: it verifies the token and binds it to the path's session (without it every
 * request answers 500 and the log says why). Both need {@code <async-supported>true</async-supported>}.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedChat</servlet-name>
 *   <servlet-class>dev.embed.servlet.ChatServlet</servlet-class>
 *   <async-supported>true</async-supported>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedChat</servlet-name>
 *   <url-pattern>/api/v1/embed/*</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public class ChatServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger("dev.embed.servlet");

    /** How long the container may keep a long poll open: the longest {@code wait} plus a margin. */
    static final long ASYNC_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30 + 10);

    private transient Embed embed;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        ServletSupport.guard(embed, response, "ChatServlet", () -> {
            String path = ServletSupport.path(request);
            String rest = path.startsWith(EmbedTokenFilter.SESSIONS_PATH)
                    ? path.substring(EmbedTokenFilter.SESSIONS_PATH.length())
                    : null;
            String[] parts = rest == null ? new String[0] : rest.split("/", -1);
            boolean session = parts.length == 1;
            boolean messages = parts.length == 2 && "messages".equals(parts[1]);
            if (!session && !messages) {
                throw EmbedError.notFound("no embed endpoint at this path; see /api/v1/embed/chat-sessions/{sessionId}"
                                + " and .../messages")
                        .toException();
            }
            Fields.pathId(parts[0], "sessionId");
            String method = request.getMethod();
            if (session) {
                requireMethod(method, "GET", response);
                EmbedClaims claims = claims(request, parts[0]);
                getSession(request, response, claims);
            } else {
                requireMethod(method, "POST", response);
                EmbedClaims claims = claims(request, parts[0]);
                Map<String, Object> body =
                        ServletSupport.readJsonObject(request, embed.core().maxBodyBytes());
                Map<String, Object> answer = embed.core().chat().postMessage(claims, body);
                ServletSupport.write(response, Reply.json(202, Json.write(answer)));
            }
        });
    }

    private void getSession(HttpServletRequest request, HttpServletResponse response, EmbedClaims claims)
            throws IOException, ServletException {
        CompletableFuture<Map<String, Object>> answer = embed.core()
                .chat()
                .session(
                        claims,
                        ServletSupport.queryParameter(request, "after"),
                        ServletSupport.queryParameter(request, "before"),
                        ServletSupport.queryParameter(request, "limit"),
                        ServletSupport.queryParameter(request, "wait"));
        if (answer.isDone()) {
            writeOutcome(response, answer);
            return;
        }
        if (!request.isAsyncSupported()) {
            answer.cancel(false);
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: ChatServlet cannot long-poll: declare"
                            + " <async-supported>true</async-supported> on the servlet and on every filter mapped in front of"
                            + " it (EmbedTokenFilter included)");
            throw EmbedError.serverError().toException();
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(ASYNC_TIMEOUT_MILLIS);
        AtomicBoolean answered = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
                if (answered.compareAndSet(false, true)) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "embed: a long poll outlived the async timeout of " + ASYNC_TIMEOUT_MILLIS + " ms");
                    ServletSupport.fail(embed, response, EmbedError.serverError());
                    async.complete();
                }
                answer.cancel(false);
            }

            @Override
            public void onError(AsyncEvent event) {
                answer.cancel(false); // the client went away: stop waiting
            }

            @Override
            public void onComplete(AsyncEvent event) {
                answer.cancel(false);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // not re-dispatched
            }
        });
        // The callback's own future is not needed: the callback answers every outcome.
        var unused = answer.whenComplete((result, error) -> {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            try {
                async.start(() -> respond(async, response, answer));
            } catch (IllegalStateException e) {
                respond(async, response, answer); // the container no longer dispatches: answer from here
            }
        });
    }

    private void respond(
            AsyncContext async, HttpServletResponse response, CompletableFuture<Map<String, Object>> answer) {
        try {
            ServletSupport.guard(embed, response, "ChatServlet", () -> writeOutcome(response, answer));
        } catch (IOException | ServletException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "embed: could not send a long poll's answer: "
                            + e.getClass().getName());
        } finally {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // already completed (timeout or error)
            }
        }
    }

    /** Writes a completed future's answer, or its error through the shared writer. */
    private void writeOutcome(HttpServletResponse response, CompletableFuture<Map<String, Object>> answer)
            throws IOException {
        Map<String, Object> result;
        try {
            result = answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EmbedError.serverError().toException();
        } catch (CancellationException e) {
            return; // the client left or the container timed out; nothing to send
        } catch (ExecutionException e) {
            Throwable cause = Objects.requireNonNull(e.getCause(), "an ExecutionException has a cause");
            Throwable inner = cause instanceof CompletionException ? cause.getCause() : null;
            if (inner != null) {
                cause = inner;
            }
            if (cause instanceof EmbedException refused) {
                throw refused;
            }
            ServletSupport.serverError(embed, response, "ChatServlet", cause);
            return;
        }
        ServletSupport.write(response, Reply.json(200, Json.write(result)));
    }

    /** The token's claims; the filter already checked that they are for {@code sessionId}. */
    private static EmbedClaims claims(HttpServletRequest request, String sessionId) {
        Object claims = request.getAttribute(EmbedTokenFilter.CLAIMS_ATTRIBUTE);
        if (!(claims instanceof EmbedClaims verified)) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: ChatServlet got a request without verified claims:"
                            + " map dev.embed.servlet.EmbedTokenFilter to /api/v1/embed/* in front of it");
            throw EmbedError.serverError().toException();
        }

        if (!sessionId.equals(verified.sessionId())) {
            throw EmbedError.insufficientScope("this token was minted for another chat session")
                    .toException();
        }
        return verified;
    }

    private static void requireMethod(String method, String allowed, HttpServletResponse response) {
        if (!allowed.equals(method)) {
            response.setHeader("Allow", allowed);
            throw EmbedError.methodNotAllowed("use " + allowed + " on this endpoint")
                    .toException();
        }
    }
}
