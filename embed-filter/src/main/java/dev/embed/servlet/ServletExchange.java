package dev.embed.servlet;

import dev.embed.internal.Exchange;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A servlet request and its response as the library's {@link Exchange}: the request's parts as the
 * container parsed them, an answer written at once, later through Servlet async (no thread held),
 * or as an event stream written with non-blocking I/O.
 */
final class ServletExchange implements Exchange {
    private static final System.Logger LOG = System.getLogger("dev.embed.servlet");

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile @Nullable AsyncContext async;

    ServletExchange(HttpServletRequest request, HttpServletResponse response) {
        this.request = request;
        this.response = response;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String rawPath() {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    @Override
    public String dispatchedPath() {
        String info = request.getPathInfo();
        return request.getServletPath() + (info == null ? "" : info);
    }

    @Override
    public @Nullable String rawQuery() {
        return request.getQueryString();
    }

    @Override
    public List<String> headers(String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }

    @Override
    public @Nullable String header(String name) {
        return request.getHeader(name);
    }

    @Override
    public InputStream body() throws IOException {
        return request.getInputStream();
    }

    @Override
    public long contentLength() {
        return request.getContentLengthLong();
    }

    @Override
    public String scheme() {
        return request.getScheme();
    }

    @Override
    public String host() {
        return request.getServerName();
    }

    @Override
    public int port() {
        return request.getServerPort();
    }

    @Override
    public String contextPath() {
        return request.getContextPath();
    }

    @Override
    public void respond(int status, Map<String, String> headers, @Nullable String contentType, byte @Nullable [] body)
            throws IOException {
        byte[] bytes = body == null ? new byte[0] : body;
        answer(status, headers, contentType, bytes.length, out -> out.write(bytes));
    }

    /** Writes the body straight to the response's stream, chunked: nothing of it is held here. */
    @Override
    public void respondStreaming(int status, Map<String, String> headers, String contentType, BodyWriter body)
            throws IOException {
        answer(status, headers, contentType, -1, body);
    }

    private void answer(
            int status, Map<String, String> headers, @Nullable String contentType, long length, BodyWriter body)
            throws IOException {
        AsyncContext held = async;
        if (held == null) {
            write(status, headers, contentType, length, body);
            return;
        }
        Runnable answer = () -> {
            try {
                write(status, headers, contentType, length, body);
            } catch (IOException | RuntimeException e) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "embed: could not send an answer: " + e.getClass().getName());
            } finally {
                complete(held);
            }
        };
        try {
            held.start(answer); // a container thread writes it
        } catch (IllegalStateException e) {
            answer.run(); // the container no longer dispatches (timed out): answer from here
        }
    }

    /** Status, headers and, unless {@code contentType} is null or this is HEAD, the body ({@code length} -1: unknown). */
    private void write(
            int status, Map<String, String> headers, @Nullable String contentType, long length, BodyWriter body)
            throws IOException {
        if (!answered.compareAndSet(false, true) || response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        headers.forEach(response::setHeader);
        if (contentType != null) {
            response.setContentType(contentType);
            if (length >= 0) {
                response.setContentLengthLong(length);
            }
            if (!"HEAD".equals(request.getMethod())) {
                try (OutputStream out = response.getOutputStream()) {
                    body.writeTo(out);
                }
            }
        }
    }

    @Override
    public void defer(long timeoutMillis, Deferred ended) {
        hold(timeoutMillis, ended);
    }

    @Override
    public EventStream events(Map<String, String> headers, Deferred ended) throws IOException {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("already answered");
        }
        AsyncContext held = hold(0, ended);
        response.setStatus(200);
        headers.forEach(response::setHeader);
        response.setContentType("text/event-stream; charset=utf-8");
        ServletOutputStream out = response.getOutputStream();
        Stream stream = new Stream(held, out);
        out.setWriteListener(stream);
        return stream;
    }

    /** Starts Servlet async: the request outlives this call, holding no thread. */
    private AsyncContext hold(long timeoutMillis, Deferred ended) {
        if (!request.isAsyncSupported()) {
            throw new IllegalStateException("the servlet or a filter in front of it is not async-supported");
        }
        AsyncContext held = request.startAsync();
        held.setTimeout(timeoutMillis);
        held.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) {
                ended.timedOut();
                complete(held);
            }

            @Override
            public void onError(AsyncEvent event) {
                ended.gone();
            }

            @Override
            public void onComplete(AsyncEvent event) {
                ended.gone();
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // not re-dispatched
            }
        });
        async = held;
        return held;
    }

    private static void complete(AsyncContext held) {
        try {
            held.complete();
        } catch (IllegalStateException e) {
            // completed already (timeout, error)
        }
    }

    /**
     * An event stream on Servlet non-blocking I/O: frames are queued and written whenever the
     * connection takes them ({@link WriteListener#onWritePossible}), so a slow client holds memory
     * for its queue, never a thread.
     */
    private static final class Stream implements EventStream, WriteListener {
        private final AsyncContext async;
        private final ServletOutputStream out;
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        private final List<Runnable> drained = new ArrayList<>(1);
        private long queuedBytes;
        /** The headers go out at once, before the first event: the client sees the stream open. */
        private boolean unflushed = true;

        private boolean closing;
        private boolean closed;

        Stream(AsyncContext async, ServletOutputStream out) {
            this.async = async;
            this.out = out;
        }

        @Override
        public boolean send(@Nullable String event, @Nullable String id, String data) {
            return enqueue(EventStream.frame(event, id, data));
        }

        @Override
        public boolean comment(String text) {
            return enqueue(EventStream.commentLine(text));
        }

        @Override
        public synchronized long queuedBytes() {
            return queuedBytes;
        }

        @Override
        public void whenDrained(Runnable task) {
            boolean now;
            synchronized (this) {
                if (closed || closing) {
                    return;
                }
                now = queue.isEmpty();
                if (!now) {
                    drained.add(task);
                }
            }
            if (now) {
                task.run();
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                closing = true;
                drained.clear();
                drain();
            }
        }

        @Override
        public void onWritePossible() {
            runDrained(drainAndTake());
        }

        @Override
        public synchronized void onError(Throwable t) {
            closed = true;
            queue.clear();
            queuedBytes = 0;
            drained.clear();
        }

        private boolean enqueue(String text) {
            List<Runnable> tasks;
            boolean open;
            synchronized (this) {
                if (closed || closing) {
                    return false;
                }
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                queue.add(bytes);
                queuedBytes += bytes.length;
                tasks = drainAndTake();
                open = !closed;
            }
            runDrained(tasks);
            return open;
        }

        private synchronized List<Runnable> drainAndTake() {
            drain();
            if (!queue.isEmpty() || drained.isEmpty() || closed) {
                return List.of();
            }
            List<Runnable> tasks = List.copyOf(drained);
            drained.clear();
            return tasks;
        }

        private static void runDrained(List<Runnable> tasks) {
            for (Runnable task : tasks) {
                task.run();
            }
        }

        /** Writes what the connection takes now; the rest when it calls {@link #onWritePossible}. */
        private void drain() {
            try {
                while (!closed && out.isReady()) {
                    byte[] next = queue.poll();
                    if (next != null) {
                        queuedBytes -= next.length;
                        out.write(next);
                        unflushed = true;
                    } else if (unflushed) {
                        unflushed = false;
                        out.flush();
                    } else {
                        if (closing) {
                            closed = true;
                            complete(async);
                        }
                        return;
                    }
                }
            } catch (IOException | IllegalStateException e) {
                closed = true; // the client went away
                queue.clear();
                queuedBytes = 0;
                drained.clear();
                complete(async); // its listener tells the library the stream is gone
            }
        }
    }
}
