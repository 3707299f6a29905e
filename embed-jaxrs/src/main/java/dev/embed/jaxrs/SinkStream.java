package dev.embed.jaxrs;

import dev.embed.internal.Exchange;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An event stream on a JAX-RS {@link SseEventSink} (JAX-RS 2.1 §8.4): frames are queued and
 * written in order, one stream at a time per writer, by {@value #WRITERS} shared writer threads,
 * so the library's threads (the agent's, the deliveries') never wait for a client. The runtime
 * frames each event as {@code event:}, {@code id:} and one {@code data:} line per line, and a
 * comment as {@code : text}: the same bytes as the servlet adapter's. {@code SseEventSink} writes
 * are blocking on most runtimes, so a client that stops reading holds a writer until the
 * container's write timeout; the library drops a stream that falls a megabyte behind.
 */
final class SinkStream implements Exchange.EventStream {
    static final int WRITERS = 4;

    private static final System.Logger LOG = System.getLogger("dev.embed.jaxrs");
    private static final ExecutorService POOL = writers();

    private final SseEventSink sink;
    private final Sse sse;
    private final Exchange.Deferred ended;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final List<Runnable> drained = new ArrayList<>(1);
    private long queuedBytes;
    private boolean writing;
    private boolean closing;
    private boolean closed;

    private record Frame(OutboundSseEvent event, int bytes) {}

    SinkStream(SseEventSink sink, Sse sse, Exchange.Deferred ended) {
        this.sink = sink;
        this.sse = sse;
        this.ended = ended;
        comment("open"); // the runtime sends the answer's head with the first frame
    }

    @Override
    public boolean send(@Nullable String event, @Nullable String id, String data) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder().data(String.class, data);
        if (event != null) {
            builder.name(oneLine(event));
        }
        if (id != null) {
            builder.id(oneLine(id));
        }
        return enqueue(builder.build(), Exchange.EventStream.frame(event, id, data));
    }

    @Override
    public boolean comment(String text) {
        return enqueue(sse.newEventBuilder().comment(oneLine(text)).build(), Exchange.EventStream.commentLine(text));
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
            now = queue.isEmpty() && !writing;
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
            if (closed || closing) {
                return;
            }
            closing = true;
            drained.clear();
            if (writing) {
                return; // the writer closes it after the queue
            }
            writing = true;
        }
        POOL.execute(this::write);
    }

    private boolean enqueue(OutboundSseEvent event, String text) {
        synchronized (this) {
            if (closed || closing) {
                return false;
            }
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            queue.add(new Frame(event, bytes));
            queuedBytes += bytes;
            if (writing) {
                return true;
            }
            writing = true;
        }
        try {
            POOL.execute(this::write);
        } catch (RuntimeException e) {
            fail(e);
            return false;
        }
        return true;
    }

    /** Writes the queue in order; closes the sink after it when asked. */
    private void write() {
        while (true) {
            Frame next;
            List<Runnable> tasks = List.of();
            boolean finish = false;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    writing = false;
                    if (closing && !closed) {
                        closed = true;
                        finish = true;
                    } else if (!drained.isEmpty()) {
                        tasks = List.copyOf(drained);
                        drained.clear();
                    }
                } else {
                    queuedBytes -= next.bytes();
                }
            }
            if (next == null) {
                if (finish) {
                    closeSink();
                }
                tasks.forEach(Runnable::run);
                return;
            }
            try {
                sink.send(next.event()).toCompletableFuture().join();
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
        }
    }

    /** The client went away (a write failed): nothing more is sent. */
    private void fail(RuntimeException e) {
        synchronized (this) {
            closed = true;
            writing = false;
            queue.clear();
            queuedBytes = 0;
            drained.clear();
        }
        LOG.log(
                System.Logger.Level.DEBUG,
                "embed: an event stream's client went away: " + e.getClass().getName());
        closeSink();
    }

    private void closeSink() {
        try {
            sink.close();
        } catch (RuntimeException e) {
            // closed already
        }
        ended.gone();
    }

    private static String oneLine(String text) {
        return text.replace("\r", "").replace("\n", "");
    }

    private static ExecutorService writers() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                WRITERS, WRITERS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "embed-sse-writer-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
