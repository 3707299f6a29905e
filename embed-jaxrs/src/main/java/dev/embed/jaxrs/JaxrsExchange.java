package dev.embed.jaxrs;

import dev.embed.internal.Exchange;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ConnectionCallback;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A JAX-RS request as the library's {@link Exchange}. In a resource method it answers through the
 * suspended {@link AsyncResponse} (at once, or later for a long poll: no thread is held); in a
 * filter or an exception mapper it keeps the answer as a {@link Response} for the caller to abort
 * with or return. Paths are relative to the application's base URI, as the servlet adapter's are
 * to the context path.
 */
final class JaxrsExchange implements Exchange {
    private final String method;
    private final UriInfo uri;
    private final MultivaluedMap<String, String> headers;
    private final @Nullable ContainerRequestContext request;
    private final @Nullable AsyncResponse async;
    private final @Nullable SseEventSink sink;
    private final @Nullable Sse sse;
    private final AtomicBoolean answered = new AtomicBoolean();
    private @Nullable Response response;

    private JaxrsExchange(
            String method,
            UriInfo uri,
            MultivaluedMap<String, String> headers,
            @Nullable ContainerRequestContext request,
            @Nullable AsyncResponse async,
            @Nullable SseEventSink sink,
            @Nullable Sse sse) {
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.request = request;
        this.async = async;
        this.sink = sink;
        this.sse = sse;
    }

    /** The request of a resource method, answered through {@code async}. */
    static JaxrsExchange resumed(ContainerRequestContext request, AsyncResponse async) {
        return new JaxrsExchange(
                request.getMethod(), request.getUriInfo(), request.getHeaders(), request, async, null, null);
    }

    /**
     * The request of the resource method of an event stream: answered through {@code sink} when
     * the row streams; any other answer (a refusal) is sent as one event-less response through it.
     */
    static JaxrsExchange streaming(ContainerRequestContext request, SseEventSink sink, Sse sse) {
        return new JaxrsExchange(
                request.getMethod(), request.getUriInfo(), request.getHeaders(), request, null, sink, sse);
    }

    /** The request of a filter: the answer, if any, is kept ({@link #response()}). */
    static JaxrsExchange kept(ContainerRequestContext request) {
        return new JaxrsExchange(
                request.getMethod(), request.getUriInfo(), request.getHeaders(), request, null, null, null);
    }

    /** The request as an exception mapper sees it (no body): the answer is kept. */
    static JaxrsExchange kept(Request request, UriInfo uri, HttpHeaders headers) {
        return new JaxrsExchange(request.getMethod(), uri, headers.getRequestHeaders(), null, null, null, null);
    }

    /** The answer given through a kept exchange, or null. */
    @Nullable
    Response response() {
        return response;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String rawPath() {
        return absolute(uri.getPath(false));
    }

    @Override
    public String dispatchedPath() {
        return absolute(uri.getPath(true));
    }

    private static String absolute(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }

    @Override
    public @Nullable String rawQuery() {
        return uri.getRequestUri().getRawQuery();
    }

    @Override
    public List<String> headers(String name) {
        List<String> values = headers.get(name);
        return values == null ? List.of() : values;
    }

    @Override
    public InputStream body() {
        return request == null ? InputStream.nullInputStream() : request.getEntityStream();
    }

    @Override
    public long contentLength() {
        return request == null ? -1 : request.getLength();
    }

    private URI base() {
        return uri.getBaseUri();
    }

    @Override
    public String scheme() {
        return base().getScheme();
    }

    @Override
    public String host() {
        String host = base().getHost();
        return host == null ? "localhost" : host;
    }

    @Override
    public int port() {
        return base().getPort();
    }

    @Override
    public String contextPath() {
        String path = base().getRawPath();
        if (path == null) {
            return "";
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    @Override
    public void respond(
            int status, Map<String, String> answerHeaders, @Nullable String contentType, byte @Nullable [] body) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        Response.ResponseBuilder builder = Response.status(status);
        answerHeaders.forEach(builder::header);
        if (contentType != null) {
            // Bytes already written by the library: no entity provider of the application touches them.
            builder.entity(body == null ? new byte[0] : body).type(contentType);
        }
        Response built = builder.build();
        if (async == null) {
            this.response = built;
        } else {
            async.resume(built);
        }
    }

    /**
     * The body as a {@link StreamingOutput}, which the runtime writes (with its own built-in
     * provider) straight to the connection: nothing of it is held here.
     */
    @Override
    public void respondStreaming(int status, Map<String, String> answerHeaders, String contentType, BodyWriter body) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        Response.ResponseBuilder builder = Response.status(status);
        answerHeaders.forEach(builder::header);
        StreamingOutput entity = body::writeTo;
        Response built = builder.entity(entity).type(contentType).build();
        if (async == null) {
            this.response = built;
        } else {
            async.resume(built);
        }
    }

    @Override
    public void defer(long timeoutMillis, Deferred ended) {
        AsyncResponse held = async;
        if (held == null) {
            throw new IllegalStateException("a filter cannot hold a request");
        }
        held.setTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        held.setTimeoutHandler(timedOut -> ended.timedOut());
        held.register((ConnectionCallback) disconnected -> ended.gone());
    }

    /**
     * The stream goes through the {@link SseEventSink} the runtime injected into the resource
     * method (which produces {@code text/event-stream}); the answer's headers through {@link
     * StreamHeadersFilter}. Frames are queued and written in order by a small shared pool of writer
     * threads, never by the thread that sends them.
     *
     * @throws UnsupportedOperationException when the request did not reach the stream's resource
     *     method (it does not accept {@code text/event-stream})
     */
    @Override
    public EventStream events(Map<String, String> answerHeaders, Deferred ended) {
        SseEventSink held = sink;
        Sse events = sse;
        ContainerRequestContext context = request;
        if (held == null || events == null || context == null) {
            throw new UnsupportedOperationException("not the event stream's resource method");
        }
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("already answered");
        }
        context.setProperty(StreamHeadersFilter.PROPERTY, Map.copyOf(answerHeaders));
        return new SinkStream(held, events, ended);
    }
}
