package dev.embed.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An {@link Exchange} without a server, for tests that drive the endpoint table ({@link
 * Core#handle}) directly: a request built here, and the answer it got. A deferred answer (a long
 * poll) completes {@link #answered()} later.
 */
final class FakeExchange implements Exchange {
    private final String method;
    private final String rawPath;
    private @Nullable String dispatchedPath;
    private @Nullable String rawQuery;
    private final Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
    private byte[] requestBody = new byte[0];
    private String contextPath = "";
    private String host = "localhost";
    private final CompletableFuture<FakeExchange> answered = new CompletableFuture<>();
    private int status;
    private Map<String, String> headers = Map.of();
    private @Nullable String contentType;
    private byte @Nullable [] body;
    private @Nullable Deferred deferred;

    private FakeExchange(String method, String rawPath) {
        this.method = method;
        this.rawPath = rawPath;
    }

    static FakeExchange request(String method, String rawPath) {
        return new FakeExchange(method, rawPath);
    }

    static FakeExchange get(String rawPath) {
        return new FakeExchange("GET", rawPath);
    }

    FakeExchange query(String query) {
        this.rawQuery = query;
        return this;
    }

    FakeExchange header(String name, @Nullable String value) {
        if (value != null) {
            requestHeaders
                    .computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                    .add(value);
        }
        return this;
    }

    FakeExchange json(String json) {
        header("Content-Type", "application/json");
        this.requestBody = json.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** The host the request was sent to (its {@code Host} header's name); {@code localhost} by default. */
    FakeExchange host(String host) {
        this.host = host;
        return this;
    }

    FakeExchange contextPath(String contextPath) {
        this.contextPath = contextPath;
        return this;
    }

    FakeExchange dispatchedPath(String dispatchedPath) {
        this.dispatchedPath = dispatchedPath;
        return this;
    }

    /** Hands the request to {@code core} and waits up to 5 s for its answer. */
    FakeExchange sendTo(Core core) {
        core.handle(this);
        return awaitAnswer();
    }

    FakeExchange awaitAnswer() {
        try {
            return answered.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no answer to " + method + " " + rawPath, e);
        }
    }

    CompletableFuture<FakeExchange> answered() {
        return answered;
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }

    @Nullable
    String responseHeader(String name) {
        return headers.get(name);
    }

    @Nullable
    String contentType() {
        return contentType;
    }

    /** The answer's body as text ({@code ""} when none). */
    String text() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    boolean hasBody() {
        return body != null;
    }

    @Nullable
    Deferred deferred() {
        return deferred;
    }

    // ------------------------------------------------------------------------------ Exchange

    @Override
    public String method() {
        return method;
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String dispatchedPath() {
        return dispatchedPath != null ? dispatchedPath : rawPath;
    }

    @Override
    public @Nullable String rawQuery() {
        return rawQuery;
    }

    @Override
    public List<String> headers(String name) {
        return requestHeaders.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(requestBody);
    }

    @Override
    public long contentLength() {
        return requestBody.length;
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return 8080;
    }

    @Override
    public String contextPath() {
        return contextPath;
    }

    @Override
    public synchronized void respond(
            int status, Map<String, String> headers, @Nullable String contentType, byte @Nullable [] body) {
        if (answered.isDone()) {
            throw new IllegalStateException("answered twice: " + method + " " + rawPath);
        }
        this.status = status;
        this.headers = Map.copyOf(headers);
        this.contentType = contentType;
        this.body = body == null ? null : body.clone();
        answered.complete(this);
    }

    @Override
    public void defer(long timeoutMillis, Deferred ended) {
        this.deferred = Objects.requireNonNull(ended);
    }

    @Override
    public EventStream events(Map<String, String> headers, Deferred ended) {
        throw new UnsupportedOperationException("no event stream in this fake");
    }
}
