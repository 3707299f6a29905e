package dev.embed.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A small HTTP/1.1 client for the load tools: one thread and one NIO selector drive every connection
 * (thousands of them: 10,000 open event streams need no thread each), one request in flight per
 * connection (keep-alive, no pipelining), bodies with {@code Content-Length}, chunked or read until
 * close, and streamed bodies (Server-Sent Events) handed over as they arrive. Every callback runs on
 * the client's thread, so a tool's counters and histograms need no locks as long as they are only
 * touched there; other threads hand work over with {@link #execute} or {@link #at}.
 *
 * <p>Why not the JDK's {@code HttpClient}: JDK 17's cannot bind a local address (needed for more
 * than ~28,000 connections to one port), allocates a future chain per request that would compete
 * with the server for the same 2 cores, and gives no control over when a request is really written.
 */
final class Http implements AutoCloseable {
    /** Longest header block accepted. */
    private static final int MAX_HEAD = 64 * 1024;

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final AtomicLong timerSequence = new AtomicLong();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private volatile boolean running = true;
    private final java.util.Set<Conn> connections = new java.util.HashSet<>();
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    Http(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** What a response delivers, on the client's thread. */
    interface Handler {
        /** The status line and headers arrived (lower-case names). */
        default void head(int status, Map<String, String> headers, long nanos) {}

        /** Part of the body (after de-chunking). */
        default void data(byte[] bytes, int offset, int length, long nanos) {}

        /** The whole response arrived. */
        void end(long nanos);

        /** The request failed (connect, I/O, timeout, closed before the end). */
        void failed(Exception error);
    }

    /** One request, serialized once and reusable. */
    static final class Request {
        final byte[] bytes;
        final String method;
        final String path;

        private Request(byte[] bytes, String method, String path) {
            this.bytes = bytes;
            this.method = method;
            this.path = path;
        }

        static Request of(
                String method, String hostPort, String path, Map<String, String> headers, byte @Nullable [] body) {
            StringBuilder head = new StringBuilder(256 + path.length())
                    .append(method)
                    .append(' ')
                    .append(path)
                    .append(" HTTP/1.1\r\nHost: ")
                    .append(hostPort)
                    .append("\r\n");
            headers.forEach((name, value) ->
                    head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            if (body == null) {
                return new Request(h, method, path);
            }
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            return new Request(all, method, path);
        }
    }

    /** A response collected whole (bodies longer than the cap are counted, not kept). */
    static final class Response {
        private final int status;
        private final Map<String, String> headers;
        private final byte[] body;
        private final long bodyLength;
        private final long startNanos;
        private final long endNanos;

        Response(
                int status, Map<String, String> headers, byte[] body, long bodyLength, long startNanos, long endNanos) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.bodyLength = bodyLength;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
        }

        int status() {
            return status;
        }

        /** Header values by lower-case name. */
        Map<String, String> headers() {
            return headers;
        }

        /** The body as received, up to the cap. */
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Bytes of the whole body, kept or not. */
        long bodyLength() {
            return bodyLength;
        }

        long startNanos() {
            return startNanos;
        }

        /** When the last byte arrived ({@link System#nanoTime()}). */
        long endNanos() {
            return endNanos;
        }
    }

    /** Collects a whole response into a future. */
    static final class Collect implements Handler {
        final CompletableFuture<Response> future = new CompletableFuture<>();
        private final long start = System.nanoTime();
        private final int cap;
        private int status;
        private Map<String, String> headers = Map.of();
        private byte[] body = new byte[0];
        private int kept;
        private long length;

        Collect(int cap) {
            this.cap = cap;
        }

        @Override
        public void head(int status, Map<String, String> headers, long nanos) {
            this.status = status;
            this.headers = headers;
        }

        @Override
        public void data(byte[] bytes, int offset, int length, long nanos) {
            this.length += length;
            int take = Math.min(length, cap - kept);
            if (take > 0) {
                if (kept + take > body.length) {
                    body = java.util.Arrays.copyOf(body, Math.min(cap, Math.max(kept + take, body.length * 2 + 256)));
                }
                System.arraycopy(bytes, offset, body, kept, take);
                kept += take;
            }
        }

        @Override
        public void end(long nanos) {
            future.complete(new Response(status, headers, java.util.Arrays.copyOf(body, kept), length, start, nanos));
        }

        @Override
        public void failed(Exception error) {
            future.completeExceptionally(error);
        }
    }

    /** Runs {@code task} on the client's thread. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Runs {@code task} on the client's thread at {@code nanoTime} ({@link System#nanoTime()}), or soon after. */
    void at(long nanoTime, Runnable task) {
        if (Thread.currentThread() == thread) {
            timers.add(new Timer(nanoTime, timerSequence.incrementAndGet(), task));
        } else {
            execute(() -> timers.add(new Timer(nanoTime, timerSequence.incrementAndGet(), task)));
        }
    }

    boolean onClientThread() {
        return Thread.currentThread() == thread;
    }

    /** A connection to {@code remote}, from {@code local} (null: any loopback-routable address), opened on first use. */
    Conn connection(InetSocketAddress remote, @Nullable InetAddress local) {
        return new Conn(remote, local);
    }

    /** Sends {@code request} on {@code conn} and collects the answer (body kept up to {@code cap} bytes). */
    CompletableFuture<Response> send(Conn conn, Request request, long timeoutMillis, int cap) {
        Collect collect = new Collect(cap);
        conn.send(request, collect, timeoutMillis);
        return collect.future;
    }

    /** Open connections (for the report). */
    int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Conn conn : new ArrayList<>(connections)) {
            conn.closeQuietly();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing
        }
    }

    private void loop() {
        while (running) {
            try {
                long wait = 0;
                Timer next = timers.peek();
                if (next != null) {
                    long nanos = next.at - System.nanoTime();
                    if (nanos <= 0) {
                        wait = -1;
                    } else {
                        wait = Math.max(1, nanos / 1_000_000);
                    }
                }
                if (!tasks.isEmpty() || wait < 0) {
                    selector.selectNow();
                } else {
                    selector.select(wait);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn conn = (Conn) key.attachment();
                    if (conn != null) {
                        conn.ready(key);
                    }
                }
                selector.selectedKeys().clear();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                long now = System.nanoTime();
                while ((next = timers.peek()) != null && next.at - now <= 0) {
                    timers.poll();
                    next.task.run();
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("load: client loop: " + e);
            }
        }
    }

    private record Timer(long at, long sequence, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer other) {
            int c = Long.compare(at - other.at, 0);
            return c != 0 ? c : Long.compare(sequence, other.sequence);
        }
    }

    private record Pending(Request request, Handler handler, long timeoutMillis) {}

    /** One keep-alive connection; requests queue while one is in flight. Use from any thread. */
    final class Conn {
        private final InetSocketAddress remote;
        private final @Nullable InetAddress local;
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private @Nullable SocketChannel channel;
        private @Nullable SelectionKey key;
        private boolean connected;
        private @Nullable Pending current;
        private long currentSequence;
        private @Nullable ByteBuffer out;
        private final Parser parser = new Parser();

        private Conn(InetSocketAddress remote, @Nullable InetAddress local) {
            this.remote = remote;
            this.local = local;
        }

        /** Queues {@code request}; {@code timeoutMillis} 0 means none (streams). */
        void send(Request request, Handler handler, long timeoutMillis) {
            Pending pending = new Pending(request, handler, timeoutMillis);
            if (onClientThread()) {
                enqueue(pending);
            } else {
                execute(() -> enqueue(pending));
            }
        }

        /** Closes the connection; a request in flight fails. */
        void close() {
            if (onClientThread()) {
                fail(new IOException("closed by the client"));
            } else {
                execute(() -> fail(new IOException("closed by the client")));
            }
        }

        private void enqueue(Pending pending) {
            queue.add(pending);
            if (current == null) {
                next();
            }
        }

        private void next() {
            Pending pending = queue.poll();
            if (pending == null) {
                return;
            }
            current = pending;
            long sequence = ++currentSequence;
            parser.reset(pending.request.method.equals("HEAD"));
            out = ByteBuffer.wrap(pending.request.bytes);
            if (pending.timeoutMillis > 0) {
                at(System.nanoTime() + pending.timeoutMillis * 1_000_000, () -> {
                    if (current != null && currentSequence == sequence) {
                        fail(new IOException("timed out after " + pending.timeoutMillis + " ms"));
                    }
                });
            }
            try {
                if (channel == null) {
                    open();
                } else if (connected) {
                    write();
                }
            } catch (IOException e) {
                fail(e);
            }
        }

        private void open() throws IOException {
            SocketChannel ch = SocketChannel.open();
            channel = ch;
            connected = false;
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (local != null) {
                ch.bind(new InetSocketAddress(local, 0));
            }
            connections.add(this);
            open.incrementAndGet();
            if (ch.connect(remote)) {
                connected = true;
                key = ch.register(selector, 0, this);
                write();
            } else {
                key = ch.register(selector, SelectionKey.OP_CONNECT, this);
            }
        }

        private void ready(SelectionKey selected) {
            try {
                if (!selected.isValid()) {
                    return;
                }
                if (selected.isConnectable()) {
                    SocketChannel ch = (SocketChannel) selected.channel();
                    ch.finishConnect();
                    connected = true;
                    selected.interestOps(0);
                    write();
                    return;
                }
                if (selected.isWritable()) {
                    write();
                }
                if (selected.isValid() && selected.isReadable()) {
                    read();
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        private void write() throws IOException {
            SocketChannel ch = channel;
            SelectionKey k = key;
            if (ch == null || k == null) {
                return;
            }
            ByteBuffer buffer = out;
            if (buffer != null) {
                ch.write(buffer);
                if (buffer.hasRemaining()) {
                    k.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
                    return;
                }
                out = null;
            }
            k.interestOps(SelectionKey.OP_READ);
        }

        private void read() throws IOException {
            SocketChannel ch = channel;
            if (ch == null) {
                return;
            }
            while (true) {
                readBuffer.clear();
                int n = ch.read(readBuffer);
                if (n < 0) {
                    Pending pending = current;
                    if (pending != null && parser.endsAtClose()) {
                        closeChannel();
                        finish(pending);
                    } else {
                        fail(new IOException("connection closed by the server"));
                    }
                    return;
                }
                if (n == 0) {
                    return;
                }
                Pending pending = current;
                if (pending == null) {
                    fail(new IOException("unexpected bytes from the server"));
                    return;
                }
                int done = parser.feed(readBuffer.array(), 0, n, pending.handler);
                if (done >= 0) {
                    boolean close = parser.closeAfter;
                    if (close) {
                        closeChannel();
                    }
                    finish(pending);
                    if (!close && done < n) {
                        fail(new IOException("the server sent bytes after the response"));
                    }
                    return;
                }
            }
        }

        private void finish(Pending pending) {
            current = null;
            pending.handler.end(System.nanoTime());
            if (current == null) {
                next();
            }
        }

        private void fail(Exception error) {
            closeChannel();
            Pending pending = current;
            current = null;
            if (pending != null) {
                pending.handler.failed(error);
            }
            if (current == null && !queue.isEmpty()) {
                next();
            }
        }

        private void closeChannel() {
            SocketChannel ch = channel;
            channel = null;
            connected = false;
            out = null;
            if (key != null) {
                key.cancel();
                key = null;
            }
            if (connections.remove(this)) {
                open.decrementAndGet();
            }
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }

        void closeQuietly() {
            closeChannel();
        }
    }

    /** Incremental HTTP/1.1 response parser. */
    static final class Parser {
        private enum State {
            STATUS,
            HEADERS,
            LENGTH,
            CHUNK_SIZE,
            CHUNK_DATA,
            CHUNK_END,
            TRAILERS,
            UNTIL_CLOSE,
            DONE
        }

        private State state = State.STATUS;
        private final byte[] line = new byte[MAX_HEAD];
        private int lineLength;
        private int headBytes;
        private int status;
        private Map<String, String> headers = new LinkedHashMap<>();
        private long remaining;
        private boolean head;
        boolean closeAfter;

        void reset(boolean headRequest) {
            state = State.STATUS;
            lineLength = 0;
            headBytes = 0;
            status = 0;
            headers = new LinkedHashMap<>();
            remaining = 0;
            head = headRequest;
            closeAfter = false;
        }

        boolean endsAtClose() {
            return state == State.UNTIL_CLOSE;
        }

        /**
         * Feeds bytes; returns the index after the last byte of the response once it is complete,
         * else -1.
         */
        int feed(byte[] bytes, int offset, int length, Handler handler) throws IOException {
            int i = offset;
            int end = offset + length;
            while (i < end) {
                switch (state) {
                    case STATUS, HEADERS, CHUNK_SIZE, CHUNK_END, TRAILERS -> {
                        byte b = bytes[i++];
                        if (state == State.STATUS || state == State.HEADERS) {
                            if (++headBytes > MAX_HEAD) {
                                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
                            }
                        }
                        if (b == '\n') {
                            int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
                            String text = new String(line, 0, n, StandardCharsets.ISO_8859_1);
                            lineLength = 0;
                            if (line(text, handler)) {
                                return i;
                            }
                        } else {
                            if (lineLength == line.length) {
                                throw new IOException("line too long");
                            }
                            line[lineLength++] = b;
                        }
                    }
                    case LENGTH, CHUNK_DATA -> {
                        int take = (int) Math.min(remaining, end - i);
                        handler.data(bytes, i, take, System.nanoTime());
                        i += take;
                        remaining -= take;
                        if (remaining == 0) {
                            if (state == State.LENGTH) {
                                state = State.DONE;
                                return i;
                            }
                            state = State.CHUNK_END;
                        }
                    }
                    case UNTIL_CLOSE -> {
                        handler.data(bytes, i, end - i, System.nanoTime());
                        i = end;
                    }
                    case DONE -> {
                        return i;
                    }
                }
            }
            return state == State.DONE ? i : -1;
        }

        /** One line of the head or the chunk framing; true when the response is complete. */
        private boolean line(String text, Handler handler) throws IOException {
            switch (state) {
                case STATUS -> {
                    if (text.isEmpty()) {
                        return false; // tolerate a stray CRLF
                    }
                    if (!text.startsWith("HTTP/1.") || text.length() < 12) {
                        throw new IOException("not an HTTP/1.x status line: " + text);
                    }
                    status = Integer.parseInt(text.substring(9, 12));
                    state = State.HEADERS;
                }
                case HEADERS -> {
                    if (!text.isEmpty()) {
                        int colon = text.indexOf(':');
                        if (colon > 0) {
                            headers.merge(
                                    text.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                                    text.substring(colon + 1).strip(),
                                    (a, b) -> a + ", " + b);
                        }
                        return false;
                    }
                    if (status >= 100 && status < 200) {
                        state = State.STATUS;
                        headers = new LinkedHashMap<>();
                        return false;
                    }
                    handler.head(status, headers, System.nanoTime());
                    String connection = headers.getOrDefault("connection", "");
                    closeAfter = connection.toLowerCase(Locale.ROOT).contains("close");
                    String encoding = headers.getOrDefault("transfer-encoding", "");
                    String contentLength = headers.get("content-length");
                    if (head || status == 204 || status == 304) {
                        state = State.DONE;
                        return true;
                    } else if (encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                        state = State.CHUNK_SIZE;
                    } else if (contentLength != null) {
                        remaining = Long.parseLong(contentLength.strip());
                        state = State.LENGTH;
                        if (remaining == 0) {
                            state = State.DONE;
                            return true;
                        }
                    } else {
                        closeAfter = true;
                        state = State.UNTIL_CLOSE;
                    }
                }
                case CHUNK_SIZE -> {
                    int semicolon = text.indexOf(';');
                    String hex = (semicolon >= 0 ? text.substring(0, semicolon) : text).strip();
                    remaining = Long.parseLong(hex, 16);
                    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
                }
                case CHUNK_END -> {
                    if (!text.isEmpty()) {
                        throw new IOException("chunk not followed by CRLF");
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (text.isEmpty()) {
                        state = State.DONE;
                        return true;
                    }
                }
                default -> throw new IllegalStateException(state.toString());
            }
            return false;
        }
    }
}
