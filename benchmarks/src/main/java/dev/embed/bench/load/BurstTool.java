package dev.embed.bench.load;

import static dev.embed.bench.load.Drive.f1;
import static dev.embed.bench.load.Drive.f2;
import static dev.embed.bench.load.Drive.median;

import dev.embed.bench.load.Drive.Session;
import dev.embed.bench.load.Http.Conn;
import dev.embed.bench.load.Servers.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * burst (issue 14): S sessions each send one message at the same moment to a demo whose agent takes
 * {@code --agent-delay-ms} (400), then wait for the reply by long-polling ({@code ?after=<id>&wait=30})
 * or, with {@code --events}, on the session's event stream opened before the burst. Measures
 * send→reply from the common moment, and samples the server's live threads (/proc) and CPU.
 */
final class BurstTool {
    private BurstTool() {}

    static void run(Env env) throws Exception {
        Options o = env.options;
        int sessionsCount = o.integer("sessions", 5000, 1, 50_000);
        int rounds = o.integer("rounds", 3, 1, 20);
        boolean events = o.flag("events");
        int sources = o.integer("sources", 1, 1, 200);
        String delay = o.get("agent-delay-ms", "400");
        String store = env.stores("memory").get(0);
        o.checkAllRead();
        Server server = env.server("burst", store, Map.of("EMBED_DEMO_AGENT_DELAY_MS", delay), List.of());
        List<String> header = List.of(
                "round",
                "replies",
                "failed",
                "p50 ms",
                "p99 ms",
                "max ms",
                "threads before",
                "threads max",
                "server cpu s");
        List<List<String>> rows = new ArrayList<>();
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        List<Double> threadMax = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Session> sessions = Drive.mintSessions(env.http, server, sessionsCount, 32, "burst-" + round);
            if (store.equals("jdbc") && round == 1) {
                env.requireJdbc(server, sessionsCount);
            }
            Figures f = burst(env, server, sessions, events, sources);
            rows.add(List.of(
                    Integer.toString(round),
                    Long.toString(f.latency.count()),
                    Integer.toString(f.failed.get()),
                    f2(f.latency.ms(50)),
                    f2(f.latency.ms(99)),
                    f2(f.latency.maxMs()),
                    Integer.toString(f.threadsBefore),
                    Integer.toString(f.threadsMax),
                    f2(f.cpuSeconds)));
            p50s.add(f.latency.ms(50));
            p99s.add(f.latency.ms(99));
            threadMax.add((double) f.threadsMax);
            cpus.add(f.cpuSeconds);
            System.out.printf(
                    Locale.ROOT,
                    "load: round %d: %s; threads max %d; failures %d %s%n",
                    round,
                    f.latency.summary(),
                    f.threadsMax,
                    f.failed.get(),
                    f.firstProblem == null ? "" : "(first: " + f.firstProblem + ")");
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== burst: %d sessions send one message at the same moment, agent %s ms, replies by %s ==%n",
                sessionsCount,
                delay,
                events ? "event stream (/events)" : "long-poll (?after=&wait=30)");
        Env.table(header, rows);
        System.out.printf(
                Locale.ROOT,
                "medians of %d rounds: send->reply p50 %s ms, p99 %s ms; server threads max %s;"
                        + " server CPU %s s per burst%n",
                rounds,
                f1(median(p50s)),
                f1(median(p99s)),
                f1(median(threadMax)),
                f2(median(cpus)));
        System.out.println("goal (issue 14): p99 <= 2000 ms with <= 300 threads");
    }

    static final class Figures {
        final Latency latency = new Latency(); // client thread only
        final AtomicInteger failed = new AtomicInteger();
        volatile @Nullable String firstProblem;
        int threadsBefore;
        int threadsMax;
        double cpuSeconds;

        void problem(String text) {
            failed.incrementAndGet();
            if (firstProblem == null) {
                firstProblem = text;
            }
        }
    }

    private static Figures burst(Env env, Server server, List<Session> sessions, boolean events, int sources)
            throws Exception {
        Http http = env.http;
        int n = sessions.size();
        Figures f = new Figures();
        List<Conn> conns = Drive.connections(http, server, n, sources);
        List<Conn> streams = events ? Drive.connections(http, server, n, sources) : List.of();
        AtomicBoolean closing = new AtomicBoolean();
        // Connect every connection (and open every stream) before the burst: one small GET each.
        CountDownLatch ready = new CountDownLatch(n * (events ? 2 : 1));
        CountDownLatch replied = new CountDownLatch(n);
        long[] moment = {0};
        for (int i = 0; i < n; i++) {
            Session session = sessions.get(i);
            Drive.whenDone(
                    http.send(conns.get(i), Drive.get(server, session, "?limit=1"), Drive.TIMEOUT_MILLIS, 1 << 16),
                    (r, e) -> ready.countDown());
            if (events) {
                Sse sse = new Sse((event, id, data, nanos) -> {
                    if (event.equals("message") && data.contains("\"role\":\"assistant\"") && moment[0] != 0) {
                        f.latency.recordNanos(nanos - moment[0]);
                        replied.countDown();
                    }
                });
                streams.get(i)
                        .send(
                                Drive.events(server, session, null),
                                new Http.Handler() {
                                    @Override
                                    public void head(int status, Map<String, String> headers, long nanos) {
                                        if (status != 200) {
                                            f.problem("events answered " + status);
                                            replied.countDown();
                                        }
                                        ready.countDown();
                                    }

                                    @Override
                                    public void data(byte[] bytes, int offset, int length, long nanos) {
                                        sse.feed(bytes, offset, length, nanos);
                                    }

                                    @Override
                                    public void end(long nanos) {}

                                    @Override
                                    public void failed(Exception error) {
                                        if (moment[0] == 0) {
                                            ready.countDown();
                                        }
                                        if (!closing.get()) { // not the round's own close of its streams
                                            f.problem("stream: " + error.getMessage());
                                        }
                                    }
                                },
                                0);
            }
        }
        if (!ready.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("connections not ready within 120 s");
        }
        Thread.sleep(500);
        f.threadsBefore = server.threads();
        double cpu0 = server.cpuSeconds();
        long at = System.nanoTime() + 100_000_000;
        http.at(at, () -> {
            moment[0] = at;
            for (int i = 0; i < n; i++) {
                Session session = sessions.get(i);
                Conn conn = conns.get(i);
                Http.Collect posted = new Http.Collect(1 << 16);
                conn.send(Drive.post(server, session, "burst message " + i), posted, Drive.TIMEOUT_MILLIS);
                Drive.whenDone(posted.future, (r, e) -> {
                    if (e != null || r.status() != 202) {
                        f.problem(e != null ? "POST: " + e.getMessage() : "POST answered " + r.status());
                        replied.countDown();
                    } else if (!events) {
                        poll(http, server, conn, session, Drive.messageId(r), at, f, replied, 0);
                    }
                });
            }
        });
        // sample the server's threads while the burst runs
        f.threadsMax = f.threadsBefore;
        long deadline = at + TimeUnit.SECONDS.toNanos(90);
        while (!replied.await(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
            f.threadsMax = Math.max(f.threadsMax, server.threads());
        }
        f.threadsMax = Math.max(f.threadsMax, server.threads());
        f.cpuSeconds = server.cpuSeconds() - cpu0;
        if (replied.getCount() > 0) {
            f.problem(replied.getCount() + " sessions got no reply within 90 s");
        }
        closing.set(true);
        Drive.close(http, conns);
        Drive.close(http, streams);
        // let the server drop the closed connections before the next round
        Thread.sleep(2000);
        return f;
    }

    private static void poll(
            Http http,
            Server server,
            Conn conn,
            Session session,
            String after,
            long moment,
            Figures f,
            CountDownLatch replied,
            int attempt) {
        Http.Collect got = new Http.Collect(1 << 20);
        conn.send(Drive.get(server, session, "?after=" + after + "&wait=30"), got, Drive.TIMEOUT_MILLIS);
        Drive.whenDone(got.future, (r, e) -> {
            if (e != null || r.status() != 200) {
                f.problem(e != null ? "poll: " + e.getMessage() : "poll answered " + r.status());
                replied.countDown();
                return;
            }
            String text = r.text();
            if (text.contains("\"role\":\"assistant\"")) {
                f.latency.recordNanos(r.endNanos() - moment);
                replied.countDown();
            } else if (attempt < 5) {
                List<Map<String, Object>> messages = ThroughputTools.messages(text);
                String last = messages.isEmpty()
                        ? after
                        : String.valueOf(messages.get(messages.size() - 1).get("id"));
                poll(http, server, conn, session, last, moment, f, replied, attempt + 1);
            } else {
                f.problem("no reply after 5 polls");
                replied.countDown();
            }
        });
    }
}
