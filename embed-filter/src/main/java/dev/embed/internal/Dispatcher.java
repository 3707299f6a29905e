package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.token.EmbedClaims;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Serves the endpoint table ({@link Endpoints}) over an {@link Exchange}: the one place where a
 * request's path is routed, its credential checked, CORS and cache headers decided, and every
 * failure written by the one error writer. Both adapters call it; neither holds a route of its own.
 *
 * <p>Per request, in this order: the {@link Mount} of the path; a browser preflight answered (or,
 * server-to-server, any {@code OPTIONS} refused); the mount's own method rule; the mount-wide
 * credential (API key or embed token, bound to the path's session as sent, as routed and as
 * normalised); 404 for a path that matches no row, 405 with {@code Allow} for a method it does not
 * take; the row's own credential; its handler. An {@link EmbedException} anywhere is its §5 answer;
 * anything else a logged 500. Thread-safe.
 */
final class Dispatcher {
    /** How long a container may hold a long poll: the longest {@code wait} and a margin. */
    static final long DEFER_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(ChatRequests.MAX_WAIT_SECONDS + 10);

    /** The path prefix of the embed JSON endpoints, whose next segment is the session. */
    static final String SESSIONS_PATH = "/api/v1/embed/chat-sessions/";

    private static final System.Logger LOG = System.getLogger("dev.embed.http");

    private final List<Mount> mounts;
    private final Credentials credentials;
    private final ErrorWriter errors;
    private final CorsPolicy cors;
    private final int maxBodyBytes;
    private final PublicBase publicBase;

    Dispatcher(
            List<Mount> mounts,
            Credentials credentials,
            ErrorWriter errors,
            CorsPolicy cors,
            int maxBodyBytes,
            PublicBase publicBase) {
        this.mounts = List.copyOf(mounts);
        this.credentials = credentials;
        this.errors = errors;
        this.cors = cors;
        this.maxBodyBytes = maxBodyBytes;
        this.publicBase = publicBase;
    }

    List<Mount> mounts() {
        return mounts;
    }

    // ------------------------------------------------------------------------------ serving

    /** Answers the request: a row's handler, or the error the rules of its mount say. */
    void handle(Exchange exchange) {
        String path = exchange.rawPath();
        Mount mount = mount(path);
        if (mount == null) {
            answer(
                    exchange,
                    null,
                    Map.of(),
                    error(null, EmbedError.notFound("no endpoint of the library at this path")));
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            Route route = route(mount, path);
            Endpoint.Cors mode = route.cors(mount);
            addCorsHeaders(exchange, mode, false, headers);
            if (answeredOptions(exchange, mount, mode, headers)) {
                return;
            }
            requireMethod(mount.methods(), exchange.method());
            Object caller = authenticate(mount.authFirst(), exchange, path);
            if (route.rows.isEmpty()) {
                throw EmbedError.notFound(mount.notFound()).toException();
            }
            Endpoint row = route.row(exchange.method());
            if (row.auth() != Endpoint.Auth.NONE && caller == null) {
                caller = authenticate(row.auth(), exchange, path);
            }
            Call call = new Call(
                    exchange,
                    route.params,
                    Query.parse(exchange.rawQuery()),
                    caller instanceof ApiKey key ? key : null,
                    caller instanceof EmbedClaims claims ? claims : null,
                    maxBodyBytes,
                    publicBase);
            if (row.handler() instanceof Endpoint.StreamHandler streaming) {
                stream(exchange, row, headers, streaming.streaming(), call);
                return;
            }
            CompletionStage<Reply> stage;
            try {
                stage = row.handler().handle(call);
            } catch (IOException e) {
                throw EmbedError.invalidRequest("the request body could not be read")
                        .toException();
            }
            CompletableFuture<Reply> future = stage.toCompletableFuture();
            if (future.isDone()) {
                answer(exchange, row, headers, outcome(mount, future));
            } else {
                later(exchange, mount, row, headers, future);
            }
        } catch (EmbedException e) {
            answer(exchange, null, headers, error(mount, e.error()));
        } catch (MethodNotAllowed e) {
            headers.put("Allow", e.allow());
            answer(exchange, null, headers, error(mount, EmbedError.methodNotAllowed(e.description())));
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: unexpected failure answering " + exchange.method() + " " + redacted(path) + ": "
                            + e.getClass().getName(),
                    e);
            answer(exchange, null, headers, error(mount, EmbedError.serverError()));
        }
    }

    /**
     * For a filter in front of the host's own endpoints under a library prefix: answers what the
     * library must (preflights, a refused credential) and says what to do with the rest.
     */
    Core.Admission admit(Exchange exchange) {
        String path = exchange.rawPath();
        Mount mount = mount(path);
        if (mount == null) {
            return Core.Admission.PASS;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            Route route = route(mount, path);
            Endpoint.Cors mode = route.cors(mount);
            addCorsHeaders(exchange, mode, false, headers);
            if (answeredOptions(exchange, mount, mode, headers)) {
                return Core.Admission.ANSWERED;
            }
            if (!route.rows.isEmpty() || mount.authFirst() == Endpoint.Auth.NONE) {
                return Core.Admission.PASS; // the library's servlet answers its own rows
            }
            Object caller = Objects.requireNonNull(authenticate(mount.authFirst(), exchange, path));
            if (mode == Endpoint.Cors.SERVER_TO_SERVER) {
                headers.put("Cache-Control", "no-store");
            }
            return new Core.Admission(caller, Map.copyOf(headers));
        } catch (EmbedException e) {
            answer(exchange, null, headers, error(mount, e.error()));
            return Core.Admission.ANSWERED;
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: unexpected failure checking a credential: "
                            + e.getClass().getName(),
                    e);
            answer(exchange, null, headers, error(mount, EmbedError.serverError()));
            return Core.Admission.ANSWERED;
        }
    }

    /** Answers a preflight (or a refused server-to-server {@code OPTIONS}) under a library prefix. */
    boolean preflight(Exchange exchange) {
        if (!"OPTIONS".equals(exchange.method())) {
            return false;
        }
        Mount mount = mount(exchange.rawPath());
        if (mount == null) {
            return false;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Endpoint.Cors mode = route(mount, exchange.rawPath()).cors(mount);
        addCorsHeaders(exchange, mode, false, headers);
        return answeredOptions(exchange, mount, mode, headers);
    }

    /**
     * The claims of a valid embed token for {@code sessionId}, for a host endpoint behind the token
     * check; empty when the refusal was answered. Under {@code /api/v1/embed/chat-sessions/} the
     * token must also be of the session the path names (as sent, as routed, normalised).
     */
    Optional<Core.Admission> admitEmbedToken(Exchange exchange, @Nullable String sessionId) {
        String path = exchange.rawPath();
        Mount mount = mount(path);
        Map<String, String> headers = admissionCors(exchange, path, mount);
        try {
            if (sessionId == null) {
                throw EmbedError.notFound("no session in this path").toException();
            }
            Query query = Query.parse(exchange.rawQuery());
            EmbedClaims claims =
                    sessionIdOf(path) != null ? boundEmbedToken(exchange, query, path) : embedToken(exchange, query);
            Credentials.requireSession(claims, sessionId);
            return Optional.of(new Core.Admission(claims, headers));
        } catch (EmbedException e) {
            answer(exchange, null, headers, error(mount, e.error()));
            return Optional.empty();
        } catch (RuntimeException e) {
            unexpected(exchange, mount, headers, e);
            return Optional.empty();
        }
    }

    /** The CORS headers an admission's answer (its refusal, or the host's own answer) carries. */
    private Map<String, String> admissionCors(Exchange exchange, String path, @Nullable Mount mount) {
        Map<String, String> headers = new LinkedHashMap<>();
        addCorsHeaders(
                exchange,
                mount == null ? Endpoint.Cors.SAME_ORIGIN : route(mount, path).cors(mount),
                false,
                headers);
        return headers;
    }

    /** The key of a valid {@code Authorization: Bearer sk_...}; empty when the refusal was answered. */
    Optional<Core.Admission> admitApiKey(Exchange exchange) {
        String path = exchange.rawPath();
        Mount mount = mount(path);
        Map<String, String> headers = admissionCors(exchange, path, mount);
        try {
            return Optional.of(new Core.Admission(apiKey(exchange, Query.parse(exchange.rawQuery())), headers));
        } catch (EmbedException e) {
            answer(exchange, null, headers, error(mount, e.error()));
            return Optional.empty();
        } catch (RuntimeException e) {
            unexpected(exchange, mount, headers, e);
            return Optional.empty();
        }
    }

    /** A failure of a collaborator (a key store, a store) while checking a credential: a logged 500. */
    private void unexpected(Exchange exchange, @Nullable Mount mount, Map<String, String> headers, RuntimeException e) {
        LOG.log(
                System.Logger.Level.ERROR,
                "embed: unexpected failure checking a credential: "
                        + e.getClass().getName(),
                e);
        answer(exchange, null, headers, error(mount, EmbedError.serverError()));
    }

    /** Answers a library error raised outside the table (by a host endpoint under a library adapter). */
    void refuse(Exchange exchange, EmbedError error) {
        answer(exchange, null, Map.of(), error(mount(exchange.rawPath()), error));
    }

    // ------------------------------------------------------------------------------ the rules

    private @Nullable Mount mount(String path) {
        for (Mount mount : mounts) {
            if (mount.covers(path)) {
                return mount;
            }
        }
        return null;
    }

    /** The rows of the mount whose path matches, and its parameters. */
    private static Route route(Mount mount, String path) {
        List<Endpoint> rows = new ArrayList<>(2);
        Map<String, String> params = Map.of();
        String template = null;
        for (Endpoint row : mount.rows()) {
            Map<String, String> match = row.path().match(path);
            if (match != null && (template == null || template.equals(row.path().toString()))) {
                template = row.path().toString();
                rows.add(row);
                params = match;
            }
        }
        return new Route(rows, params);
    }

    /** The CORS headers of every answer of a browser row, and the public files' allowance. */
    private void addCorsHeaders(Exchange exchange, Endpoint.Cors mode, boolean preflight, Map<String, String> headers) {
        if (mode == Endpoint.Cors.BROWSER) {
            headers.putAll(CorsPolicy.API_HEADERS);
            headers.putAll(cors.headers(exchange.header("Origin"), preflight));
        } else if (mode == Endpoint.Cors.SERVER_TO_SERVER) {
            headers.put("Cache-Control", "no-store");
        }
    }

    /** A preflight of a browser row, or any {@code OPTIONS} of a server-to-server one: answered here. */
    private boolean answeredOptions(Exchange exchange, Mount mount, Endpoint.Cors mode, Map<String, String> headers) {
        String method = exchange.method();
        if (mode == Endpoint.Cors.BROWSER) {
            String origin = exchange.header("Origin");
            if (CorsPolicy.isPreflight(method, origin, exchange.header("Access-Control-Request-Method"))) {
                Map<String, String> preflight = new LinkedHashMap<>(CorsPolicy.API_HEADERS);
                preflight.putAll(cors.headers(origin, true));
                answer(exchange, null, Map.of(), new Reply(cors.allows(origin) ? 204 : 403, preflight, null, null));
                return true;
            }
        } else if (mode == Endpoint.Cors.SERVER_TO_SERVER && "OPTIONS".equals(method)) {
            answer(
                    exchange,
                    null,
                    headers,
                    error(
                            mount,
                            EmbedError.insufficientScope("this endpoint is server-to-server and allows no cross-origin"
                                    + " browser calls: call it from your backend, which holds the API key")));
            return true;
        }
        return false;
    }

    private static void requireMethod(@Nullable Set<String> methods, String method) {
        if (methods != null && !methods.contains(method)) {
            throw new MethodNotAllowed(methods);
        }
    }

    /** The caller {@code auth} names: an {@link ApiKey}, {@link EmbedClaims}, or null for none. */
    private @Nullable Object authenticate(Endpoint.Auth auth, Exchange exchange, String path) {
        Query query = Query.parse(exchange.rawQuery());
        return switch (auth) {
            case NONE -> null;
            case API_KEY -> apiKey(exchange, query);
            case API_SECRET ->
                credentials.apiKey(Credentials.apiSecret(
                        exchange.headers(Credentials.API_SECRET_HEADER), query.namesACredential()));
            case EMBED_TOKEN -> boundEmbedToken(exchange, query, path);
        };
    }

    private ApiKey apiKey(Exchange exchange, Query query) {
        return credentials.apiKey(Credentials.bearer(exchange.headers("Authorization"), query.namesACredential()));
    }

    private EmbedClaims embedToken(Exchange exchange, Query query) {
        return credentials.embedToken(Credentials.bearer(exchange.headers("Authorization"), query.namesACredential()));
    }

    /**
     * An embed token for the session of {@code /api/v1/embed/chat-sessions/{sessionId}/...}: the one
     * the path names as sent, the one the container routed, and the one the normalised path names,
     * which differ for a path such as {@code .../A/../B/...} (issue 8).
     */
    private EmbedClaims boundEmbedToken(Exchange exchange, Query query, String path) {
        EmbedClaims claims = embedToken(exchange, query);
        String sessionId = sessionIdOf(path);
        if (sessionId == null) {
            throw EmbedError.notFound("no embed endpoint at this path; see /api/v1/embed/chat-sessions/{sessionId}")
                    .toException();
        }
        Credentials.requireSession(claims, sessionId);
        String dispatched = sessionIdOf(exchange.dispatchedPath());
        Credentials.requireSession(claims, dispatched == null ? "" : dispatched);
        String normalised = sessionIdOf(normalise(path));
        Credentials.requireSession(claims, normalised == null ? "" : normalised);
        return claims;
    }

    /** The {@code {sessionId}} of {@code /api/v1/embed/chat-sessions/{sessionId}[/...]}, or null. */
    static @Nullable String sessionIdOf(String path) {
        if (!path.startsWith(SESSIONS_PATH)) {
            return null;
        }
        int start = SESSIONS_PATH.length();
        int end = path.indexOf('/', start);
        String id = end < 0 ? path.substring(start) : path.substring(start, end);
        return id.isEmpty() ? null : id;
    }

    /** The path without dot segments (RFC 3986 §5.2.4). */
    static String normalise(String path) {
        try {
            String normal = new URI(null, null, path, null).normalize().getPath();
            return normal == null ? path : normal;
        } catch (java.net.URISyntaxException e) {
            return path;
        }
    }

    // ------------------------------------------------------------------------------ answers

    private Reply outcome(Mount mount, CompletableFuture<Reply> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(mount, EmbedError.serverError());
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof EmbedException refused) {
                return error(mount, refused.error());
            }
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: unexpected failure in a long poll: "
                            + (cause == null ? "?" : cause.getClass().getName()),
                    cause);
            return error(mount, EmbedError.serverError());
        }
    }

    /** Holds the request until the handler's answer is ready, holding no thread meanwhile. */
    private void later(
            Exchange exchange,
            Mount mount,
            Endpoint row,
            Map<String, String> headers,
            CompletableFuture<Reply> future) {
        AtomicBoolean answered = new AtomicBoolean();
        try {
            exchange.defer(DEFER_TIMEOUT_MILLIS, new Exchange.Deferred() {
                @Override
                public void timedOut() {
                    if (answered.compareAndSet(false, true)) {
                        LOG.log(
                                System.Logger.Level.WARNING,
                                "embed: a long poll outlived the container's timeout of " + DEFER_TIMEOUT_MILLIS
                                        + " ms");
                        answer(exchange, null, headers, error(mount, EmbedError.serverError()));
                    }
                    future.cancel(false);
                }

                @Override
                public void gone() {
                    future.cancel(false); // the client went away: stop waiting
                }
            });
        } catch (IllegalStateException e) {
            future.cancel(false);
            LOG.log(
                    System.Logger.Level.ERROR,
                    "embed: cannot hold a long poll: declare <async-supported>true</async-supported> on the servlet"
                            + " and on every filter mapped in front of it (EmbedTokenFilter included)");
            answer(exchange, null, headers, error(mount, EmbedError.serverError()));
            return;
        }
        // The callback's own future is not needed: it answers every outcome.
        var unused = future.whenComplete((reply, failure) -> {
            if (future.isCancelled() || !answered.compareAndSet(false, true)) {
                return; // the client left, or the container answered
            }
            answer(exchange, row, headers, outcome(mount, future));
        });
    }

    /**
     * Opens the event stream of a {@link Endpoint.Streaming} row (DESIGN §4): its refusals are
     * answered like any row's; a {@code HEAD} gets the stream's headers and no body.
     */
    private void stream(
            Exchange exchange, Endpoint row, Map<String, String> base, Endpoint.Streaming streaming, Call call) {
        Endpoint.Events events;
        try {
            events = streaming.open(call);
        } catch (IOException e) {
            throw EmbedError.invalidRequest("the request could not be read").toException();
        }
        Map<String, String> headers = new LinkedHashMap<>(base);
        headers.put("Cache-Control", row.cache().header());
        headers.put("X-Accel-Buffering", "no");
        if ("HEAD".equals(exchange.method())) {
            events.gone();
            answer(exchange, row, headers, new Reply(200, headers, EVENT_STREAM, ""));
            return;
        }
        Exchange.EventStream stream;
        try {
            stream = exchange.events(headers, new Exchange.Deferred() {
                @Override
                public void timedOut() {
                    events.gone();
                }

                @Override
                public void gone() {
                    events.gone();
                }
            });
        } catch (UnsupportedOperationException e) {
            events.gone(); // JAX-RS: the request did not reach the stream's resource method
            answer(
                    exchange,
                    null,
                    base,
                    errors.render(new EmbedError(
                            406,
                            "invalid_request",
                            "this endpoint answers text/event-stream only: send Accept: text/event-stream",
                            true,
                            0)));
            return;
        } catch (IOException | RuntimeException e) {
            events.gone();
            if (e instanceof IllegalStateException) {
                LOG.log(
                        System.Logger.Level.ERROR,
                        "embed: cannot hold an event stream: declare <async-supported>true</async-supported> on the"
                                + " servlet and on every filter mapped in front of it (EmbedTokenFilter included)");
            } else {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "embed: could not open an event stream: " + e.getClass().getName());
            }
            answer(exchange, null, base, errors.render(EmbedError.serverError()));
            return;
        }
        events.start(stream);
    }

    /** The media type of event streams (WHATWG HTML §9.2). */
    static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    /** Writes an answer: the mount's and row's headers, then the answer's own. Write failures are the client's. */
    private void answer(Exchange exchange, @Nullable Endpoint row, Map<String, String> base, Reply reply) {
        Map<String, String> headers = new LinkedHashMap<>(base);
        if (row != null && reply.status() < 400) {
            if (!reply.headers().containsKey("Cache-Control")) {
                headers.put("Cache-Control", row.cache().header());
            }
            if (row.cors() == Endpoint.Cors.PUBLIC) {
                headers.putIfAbsent("Access-Control-Allow-Origin", "*");
            }
        }
        headers.putAll(reply.headers());
        try {
            String contentType = reply.contentType();
            if (contentType != null && reply.streamed()) {
                exchange.respondStreaming(reply.status(), headers, contentType, reply::writeBody);
                return;
            }
            exchange.respond(reply.status(), headers, contentType, contentType == null ? null : reply.bodyBytes());
        } catch (IOException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "embed: could not send an answer: " + e.getClass().getName());
        }
    }

    private Reply error(@Nullable Mount mount, EmbedError error) {
        return mount != null && mount.visitorEnvelope() ? errors.renderVisitor(error) : errors.render(error);
    }

    private static String redacted(String path) {
        return path.replaceAll("[A-Za-z0-9_.~-]{22,}", "…");
    }

    /** The rows a path matches (all of one template), and the template's parameters. */
    private record Route(List<Endpoint> rows, Map<String, String> params) {
        Endpoint.Cors cors(Mount mount) {
            return rows.isEmpty() ? mount.cors() : rows.get(0).cors();
        }

        /** The row of this method ({@code HEAD} is {@code GET} without a body), else 405 with {@code Allow}. */
        Endpoint row(String method) {
            String wanted = "HEAD".equals(method) ? "GET" : method;
            for (Endpoint row : rows) {
                if (row.method().equals(wanted)) {
                    return row;
                }
            }
            Set<String> allowed = new LinkedHashSet<>();
            for (Endpoint row : rows) {
                allowed.add(row.method());
                if ("GET".equals(row.method())) {
                    allowed.add("HEAD");
                }
            }
            throw new MethodNotAllowed(allowed);
        }
    }
}
