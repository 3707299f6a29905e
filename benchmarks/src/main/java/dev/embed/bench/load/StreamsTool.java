package dev.embed.bench.load;

import static dev.embed.bench.load.Drive.f1;
import static dev.embed.bench.load.Drive.f2;

import dev.embed.bench.load.Drive.Session;
import dev.embed.bench.load.Http.Conn;
import dev.embed.bench.load.Servers.Server;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * streams (issue 14, DESIGN §4 {@code /events}): opens N event streams (default 10,000) on one
 * node, each on its own session or all on one shared session ({@code --shared}), then stores
 * messages and measures, per stream, the time from the POST's 202 to that stream's
 * {@code event: message} with the message's id; reports the server's threads and heap (after a full
 * GC) before and with the streams open.
 */
final class StreamsTool {
    private StreamsTool() {}

    /** Figures of one run, for the report and for tests. */
    static final class Figures {
        final Latency from202 = new Latency();
        final Latency fromSend = new Latency();
        final Map<String, Integer> openStatuses = new TreeMap<>();
        final AtomicInteger streamFailures = new AtomicInteger();
        int opened;
        int received;
        int expected;
        int eventsBefore202;
        int comments;
        int threadsBefore = -1;
        int threadsOpen = -1;
        long heapBefore = -1;
        long heapOpen = -1;
        double openSeconds;

        @Nullable
        String firstProblem;

        volatile boolean closing;
    }

    static void run(Env env) throws Exception {
        Options o = env.options;
        int n = o.integer("streams", 10_000, 1, 200_000);
        boolean shared = o.flag("shared");
        int posts = o.integer("posts", shared ? 5 : n, 1, 200_000);
        int postRate = o.integer("post-rate", shared ? 1 : 200, 1, 100_000);
        int sources = o.integer("sources", Math.max(1, n / 20_000 + 1), 1, 200);
        String store = env.stores("memory").get(0);
        o.checkAllRead();
        Server server = env.server("streams", store, Map.of(), List.of());
        Figures f = measure(env.http, server, n, shared, posts, postRate, sources, true);
        print(f, n, shared, posts, postRate);
    }

    static void print(Figures f, int n, boolean shared, int posts, int postRate) {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== streams: %d /events streams on %s; %d message(s) stored at %d/s ==%n",
                n,
                shared ? "ONE shared session" : "one session each",
                posts,
                postRate);
        Env.table(
                List.of("figure", "value"),
                List.of(
                        List.of("streams opened (200)", Integer.toString(f.opened)),
                        List.of("stream answers by status", f.openStatuses.toString()),
                        List.of("seconds to open them", f2(f.openSeconds)),
                        List.of("message events expected / received", f.expected + " / " + f.received),
                        List.of("202 -> event p50 ms", f2(f.from202.ms(50))),
                        List.of("202 -> event p99 ms", f2(f.from202.ms(99))),
                        List.of("202 -> event max ms", f2(f.from202.maxMs())),
                        List.of(
                                "POST due (scheduled) -> event p50 / p99 ms",
                                f2(f.fromSend.ms(50)) + " / " + f2(f.fromSend.ms(99))),
                        List.of("events that arrived before the 202", Integer.toString(f.eventsBefore202)),
                        List.of("keep-alive comments received", Integer.toString(f.comments)),
                        List.of("streams failed or closed early", Integer.toString(f.streamFailures.get())),
                        List.of("server threads before / streams open", f.threadsBefore + " / " + f.threadsOpen),
                        List.of(
                                "server heap after GC before / streams open",
                                Servers.mib(f.heapBefore) + " / " + Servers.mib(f.heapOpen)),
                        List.of(
                                "heap per open stream",
                                f.heapBefore < 0 || f.opened == 0
                                        ? "n/a"
                                        : f1((f.heapOpen - f.heapBefore) / (double) f.opened) + " bytes")));
        if (f.firstProblem != null) {
            System.out.println("first problem: " + f.firstProblem);
        }
        System.out.println("goal (issue 14): 10,000 open streams without 10,000 threads; every stream gets the message"
                + " (an event before the 202 counts as 0 ms from the 202)");
    }

    /**
     * The measurement itself (also run by the unit test against a fake server): mint, open the
     * streams, wait for all to answer, sample threads and heap, post, wait for the events.
     */
    static Figures measure(
            Http http, Server server, int n, boolean shared, int posts, int postRate, int sources, boolean gc)
            throws Exception {
        Figures f = new Figures();
        List<Session> sessions = Drive.mintSessions(http, server, shared ? 1 : n, 32, "streams");
        f.threadsBefore = server.threads();
        f.heapBefore = gc ? server.heapAfterGc() : -1;
        // messageId -> {sent nanos, 202 nanos}; the streams expecting it
        Map<String, long[]> posted = new HashMap<>();
        Map<String, List<Long>> early = new HashMap<>(); // events seen before the 202: their arrival times
        int perMessage = shared ? n : 1;
        f.expected = posts * perMessage;
        CountDownLatch allEvents = new CountDownLatch(f.expected);
        CountDownLatch opened = new CountDownLatch(n);
        List<Conn> streams = Drive.connections(http, server, n, sources);
        long openStart = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Session session = sessions.get(shared ? 0 : i);
            boolean[] headSeen = {false};
            boolean[] ok = {false};
            Sse sse = new Sse(new Sse.Listener() {
                @Override
                public void event(String event, @Nullable String id, String data, long nanos) {
                    if (!event.equals("message") || id == null || !data.contains("\"role\":\"user\"")) {
                        return;
                    }
                    long[] times = posted.get(id);
                    if (times == null || times[1] == 0) {
                        early.computeIfAbsent(id, x -> new ArrayList<>()).add(nanos);
                        return;
                    }
                    record(f, times, nanos);
                    allEvents.countDown();
                }

                @Override
                public void comment(String text, long nanos) {
                    f.comments++;
                }
            });
            streams.get(i)
                    .send(
                            Drive.events(server, session, null),
                            new Http.Handler() {
                                @Override
                                public void head(int status, Map<String, String> headers, long nanos) {
                                    headSeen[0] = true;
                                    f.openStatuses.merge(Integer.toString(status), 1, Integer::sum);
                                    if (status == 200) {
                                        ok[0] = true;
                                        f.opened++;
                                    } else if (f.firstProblem == null) {
                                        f.firstProblem = "a stream answered " + status;
                                    }
                                    opened.countDown();
                                }

                                @Override
                                public void data(byte[] bytes, int offset, int length, long nanos) {
                                    sse.feed(bytes, offset, length, nanos);
                                }

                                @Override
                                public void end(long nanos) {
                                    if (!f.closing && ok[0]) {
                                        f.streamFailures.incrementAndGet();
                                    }
                                }

                                @Override
                                public void failed(Exception error) {
                                    if (f.closing) {
                                        return;
                                    }
                                    if (ok[0] || !headSeen[0]) {
                                        f.streamFailures.incrementAndGet();
                                    }
                                    if (!headSeen[0]) {
                                        f.openStatuses.merge("error", 1, Integer::sum);
                                        opened.countDown();
                                    }
                                    if (f.firstProblem == null) {
                                        f.firstProblem = "stream: " + error.getMessage();
                                    }
                                }
                            },
                            0);
        }
        if (!opened.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("streams not answered within 300 s: " + opened.getCount() + " left");
        }
        f.openSeconds = (System.nanoTime() - openStart) / 1e9;
        Thread.sleep(1000);
        f.threadsOpen = server.threads();
        f.heapOpen = gc ? server.heapAfterGc() : -1;
        // Streams that did not open (e.g. 429 per session) cannot receive: expect only the open ones.
        int missing = shared ? (n - f.opened) * posts : n - f.opened;
        for (int i = 0; i < missing; i++) {
            allEvents.countDown();
        }
        f.expected -= missing;

        List<Conn> posters = Drive.connections(http, server, Math.min(64, posts), 1);
        long start = System.nanoTime() + 50_000_000;
        double interval = 1e9 / postRate;
        for (int k = 0; k < posts; k++) {
            int index = k;
            Session session = sessions.get(shared ? 0 : k % sessions.size());
            Conn conn = posters.get(k % posters.size());
            http.at(start + Math.round(k * interval), () -> {
                long sent = System.nanoTime();
                Http.Collect collect = new Http.Collect(1 << 16);
                conn.send(Drive.post(server, session, "stream message " + index), collect, Drive.TIMEOUT_MILLIS);
                Drive.whenDone(collect.future, (r, e) -> {
                    if (e != null || r.status() != 202) {
                        if (f.firstProblem == null) {
                            f.firstProblem = e != null ? "POST: " + e.getMessage() : "POST answered " + r.status();
                        }
                        for (int j = 0; j < perMessage; j++) {
                            allEvents.countDown();
                        }
                        return;
                    }
                    String id = Drive.messageId(r);
                    long[] times = {sent, r.endNanos()};
                    posted.put(id, times);
                    List<Long> before = early.remove(id);
                    if (before != null) {
                        for (long nanos : before) {
                            f.eventsBefore202++;
                            record(f, times, nanos);
                            allEvents.countDown();
                        }
                    }
                });
            });
        }
        long wait = (long) (posts / (double) postRate) + 60;
        allEvents.await(wait, TimeUnit.SECONDS);
        f.closing = true;
        Drive.close(http, posters);
        Drive.close(http, streams);
        Thread.sleep(200);
        return f;
    }

    private static void record(Figures f, long[] times, long nanos) {
        f.received++;
        f.from202.recordNanos(Math.max(0, nanos - times[1]));
        f.fromSend.recordNanos(nanos - times[0]);
    }
}
