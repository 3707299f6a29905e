package dev.embed.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.DefaultServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEventParsingHandle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * LangChain4j's {@link HttpClient} SPI over the JDK client, reading each stream without holding a
 * thread: bytes are split into lines as they arrive (LangChain4j 1.19's own {@code JdkHttpClient}
 * blocks one executor thread per open stream reading an {@code InputStream}).
 *
 * <p>Differences that matter here: an error answer's body is discarded, never read into an
 * exception (it is the provider's text, and some providers echo part of the key); an exception
 * thrown by the provider's listener ends the stream with {@code onError}, as the SPI documents; a
 * stream can be cancelled before its first event ({@link #execute} reports its {@link Stream} to
 * the {@code watcher} it was built with). Plain {@code http://} URLs use HTTP/1.1: the JDK's h2c
 * upgrade makes uvicorn-based servers (vLLM, Ollama behind a proxy) drop the request body.
 *
 * <p>Lines and events are bounded ({@link #MAX_LINE_BYTES}); a longer one fails the stream.
 */
final class StreamingHttpClient implements HttpClient {
    /** The longest line, and the longest event's data, accepted from a provider's stream. */
    static final int MAX_LINE_BYTES = 1 << 20;

    /** Ollama's parser (package-private in langchain4j-ollama): one JSON object per line. */
    private static final String OLLAMA_PARSER = "dev.langchain4j.model.ollama.OllamaServerSentEventParser";

    private final java.net.http.HttpClient http;
    private final @Nullable Duration responseTimeout;
    private final Consumer<Stream> watcher;

    private StreamingHttpClient(Builder builder) {
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        if (builder.connectTimeout != null) {
            jdk.connectTimeout(builder.connectTimeout);
        }
        if (builder.http11) {
            jdk.version(Version.HTTP_1_1);
        }
        this.http = jdk.build();
        this.responseTimeout = builder.readTimeout;
        this.watcher = builder.watcher;
    }

    /**
     * @param baseUrl the provider's base URL: {@code http://} ones get HTTP/1.1
     * @param watcher told of every stream as it starts, on the thread that starts it
     */
    static Builder builder(String baseUrl, Consumer<Stream> watcher) {
        return new Builder(baseUrl.regionMatches(true, 0, "http:", 0, 5), watcher);
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = http.send(
                    toJdk(request),
                    info -> isSuccessful(info.statusCode())
                            ? BodySubscribers.ofByteArray()
                            : BodySubscribers.replacing(new byte[0]));
            if (!isSuccessful(response.statusCode())) {
                throw statusError(response.statusCode());
            }
            return SuccessfulHttpResponse.builder()
                    .statusCode(response.statusCode())
                    .headers(response.headers().map())
                    .body(response.body())
                    .build();
        } catch (HttpTimeoutException e) {
            throw new TimeoutException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (IOException e) {
            throw new IllegalStateException(e.getClass().getName(), e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        boolean lines;
        if (parser.getClass() == DefaultServerSentEventParser.class) {
            lines = false;
        } else if (parser.getClass().getName().equals(OLLAMA_PARSER)) {
            lines = true;
        } else {
            throw new IllegalArgumentException(
                    "unsupported stream parser " + parser.getClass().getName());
        }
        Stream stream = new Stream(listener, lines);
        watcher.accept(stream);
        if (stream.isCancelled()) {
            return;
        }
        CompletableFuture<HttpResponse<Void>> response;
        try {
            response = http.sendAsync(toJdk(request), stream);
        } catch (RuntimeException e) {
            stream.error(e);
            return;
        }
        stream.started(response);
        // Only reports a failure; the body is consumed by the subscriber, not through this stage.
        var unused = response.whenComplete((ignored, failure) -> {
            if (failure != null) {
                stream.error(failure);
            }
        });
    }

    private java.net.http.HttpRequest toJdk(HttpRequest request) {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
            throw new IllegalArgumentException("multipart requests are not supported");
        }
        builder.method(
                request.method().name(),
                request.body() == null
                        ? BodyPublishers.noBody()
                        : BodyPublishers.ofString(request.body(), StandardCharsets.UTF_8));
        if (responseTimeout != null) {
            // The JDK applies it until the response's headers arrive, not to the stream after them.
            builder.timeout(responseTimeout);
        }
        return builder.build();
    }

    private static boolean isSuccessful(int status) {
        return status >= 200 && status < 300;
    }

    /** Only the status: the body is the provider's text. */
    private static HttpException statusError(int status) {
        return new HttpException(status, "HTTP " + status);
    }

    /**
     * One streamed response: its body handler, its line splitter and the cancellation handle the
     * provider's listener receives. Everything it tells the listener happens at most once after
     * the end (completion, error or cancellation), and nothing after that.
     */
    static final class Stream implements BodyHandler<Void>, ServerSentEventParsingHandle {
        private final ServerSentEventListener listener;
        private final boolean lines;
        private final ServerSentEventContext context;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile boolean cancelled;
        private volatile @Nullable CompletableFuture<?> response;
        private volatile Flow.@Nullable Subscription subscription;
        private volatile @Nullable Runnable onEnd;

        // Line and event state, touched only by the subscriber's signals (serial per the Flow spec).
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean afterCr;
        private @Nullable String eventName;
        private final StringBuilder data = new StringBuilder();
        private boolean hasData;

        Stream(ServerSentEventListener listener, boolean lines) {
            this.listener = listener;
            this.lines = lines;
            this.context = new ServerSentEventContext(this);
        }

        /** Runs once after the stream ended in any way, after the listener heard of it. */
        void onEnd(Runnable callback) {
            this.onEnd = callback;
            if (ended.get()) {
                callback.run();
            }
        }

        /** Closes the stream: the listener hears nothing more. Idempotent; any thread. */
        @Override
        public void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            CompletableFuture<?> r = response;
            if (r != null) {
                r.cancel(true);
            }
            end();
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        void started(CompletableFuture<?> future) {
            response = future;
            if (cancelled) {
                future.cancel(true);
            }
        }

        @Override
        public BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            if (!isSuccessful(info.statusCode())) {
                error(statusError(info.statusCode()));
                return BodySubscribers.replacing(null);
            }
            if (!cancelled && !ended.get()) {
                SuccessfulHttpResponse open = SuccessfulHttpResponse.builder()
                        .statusCode(info.statusCode())
                        .headers(info.headers().map())
                        .build();
                if (!call(() -> listener.onOpen(open))) {
                    return BodySubscribers.replacing(null);
                }
            }
            return BodySubscribers.fromSubscriber(new Subscriber());
        }

        void error(Throwable failure) {
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cancelled || !ended.compareAndSet(false, true)) {
                return;
            }
            Throwable reported = cause instanceof HttpTimeoutException ? new TimeoutException(cause) : cause;
            try {
                listener.onError(reported);
            } catch (RuntimeException ignored) {
                // the listener's own failure: the stream is over either way
            }
            runOnEnd();
        }

        private void closed() {
            if (cancelled || ended.get()) {
                return; // after a failure the JDK may still signal completion
            }
            if (line.size() > 0 && !lineEnded()) {
                return; // the last line had no line break
            }
            if (!lines && hasData && !dispatch()) {
                return;
            }
            if (ended.compareAndSet(false, true)) {
                try {
                    listener.onClose();
                } catch (RuntimeException ignored) {
                    // as above
                }
                runOnEnd();
            }
        }

        private void end() {
            if (ended.compareAndSet(false, true)) {
                runOnEnd();
            }
        }

        private void runOnEnd() {
            Runnable callback = onEnd;
            if (callback != null) {
                callback.run();
            }
        }

        /** Calls the listener; a failure in it ends the stream with {@code onError}. */
        private boolean call(Runnable call) {
            try {
                call.run();
                return true;
            } catch (RuntimeException e) {
                fail(e);
                return false;
            }
        }

        private void fail(Throwable failure) {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            error(failure);
        }

        private void bytes(ByteBuffer buffer) {
            while (buffer.hasRemaining() && !ended.get()) {
                byte b = buffer.get();
                if (afterCr) {
                    afterCr = false;
                    if (b == '\n') {
                        continue; // CR LF: the CR ended the line already
                    }
                }
                if (b == '\n' || b == '\r') {
                    afterCr = b == '\r';
                    if (!lineEnded()) {
                        return;
                    }
                } else if (line.size() >= MAX_LINE_BYTES) {
                    fail(new IOException("a line of the stream exceeds " + MAX_LINE_BYTES + " bytes"));
                    return;
                } else {
                    line.write(b);
                }
            }
        }

        /** One line has ended (LF, CR LF or CR; as in SSE and as BufferedReader reads NDJSON). */
        private boolean lineEnded() {
            // Split on bytes: LF and CR never occur inside a multi-byte UTF-8 sequence.
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (lines) {
                return text.isBlank() || call(() -> listener.onEvent(new ServerSentEvent(null, text), context));
            }
            if (text.isEmpty()) {
                return !hasData || dispatch();
            }
            if (text.startsWith("event:")) {
                eventName = text.substring("event:".length()).strip();
            } else if (text.startsWith("data:")) {
                String value = text.substring("data:".length());
                value = value.startsWith(" ") ? value.substring(1) : value;
                if (data.length() + value.length() > MAX_LINE_BYTES) {
                    fail(new IOException("an event of the stream exceeds " + MAX_LINE_BYTES + " characters"));
                    return false;
                }
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            // Comments (":"), "id:" and "retry:" lines carry nothing LangChain4j's providers read.
            return true;
        }

        private boolean dispatch() {
            ServerSentEvent event = new ServerSentEvent(eventName, data.toString());
            eventName = null;
            data.setLength(0);
            hasData = false;
            return call(() -> listener.onEvent(event, context));
        }

        private final class Subscriber implements Flow.Subscriber<List<ByteBuffer>> {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                if (cancelled || ended.get()) {
                    s.cancel();
                } else {
                    s.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                for (ByteBuffer buffer : buffers) {
                    if (cancelled || ended.get()) {
                        return;
                    }
                    bytes(buffer);
                }
            }

            @Override
            public void onError(Throwable failure) {
                error(Objects.requireNonNull(failure));
            }

            @Override
            public void onComplete() {
                closed();
            }
        }
    }

    /** Takes the timeouts the LangChain4j model builders set (from {@code timeoutSeconds}). */
    static final class Builder implements HttpClientBuilder {
        private final boolean http11;
        private final Consumer<Stream> watcher;
        private @Nullable Duration connectTimeout;
        private @Nullable Duration readTimeout;

        private Builder(boolean http11, Consumer<Stream> watcher) {
            this.http11 = http11;
            this.watcher = watcher;
        }

        @Override
        public @Nullable Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public Builder connectTimeout(@Nullable Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        @Override
        public @Nullable Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public Builder readTimeout(@Nullable Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        @Override
        public StreamingHttpClient build() {
            return new StreamingHttpClient(this);
        }
    }
}
