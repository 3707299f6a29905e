package dev.embed.bench.load;

import static dev.embed.bench.load.Drive.f2;
import static dev.embed.bench.load.Drive.median;

import dev.embed.bench.load.Drive.Result;
import dev.embed.bench.load.Drive.Session;
import dev.embed.bench.load.Http.Conn;
import dev.embed.bench.load.Http.Response;
import dev.embed.bench.load.Servers.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two demo servers ("nodes" A and B) on one PostgreSQL database through the jdbc store (DESIGN §7:
 * EMBED_STORE=jdbc, EMBED_STORE_JDBC_URL/_USER/_PASSWORD; same signing secret and demo key):
 * wakeup (a message stored through A wakes a long-poll or a stream on B: how long after A's 202)
 * and messages-2n (messages/s through one node and through both, alternating).
 */
final class ClusterTools {
    private ClusterTools() {}

    private static Server[] nodes(Env env, String delay) throws Exception {
        Map<String, String> extra = Map.of("EMBED_DEMO_AGENT_DELAY_MS", delay);
        Server a = env.server("A", "jdbc", extra, List.of());
        Drive.mintSessions(env.http, a, 1, 1, "check-a");
        env.requireJdbc(a, 1);
        Server b = env.server("B", "jdbc", extra, List.of());
        // a session minted on A must be usable on B: that is what one cluster means
        Session s = Drive.mintSessions(env.http, a, 1, 1, "check-cluster").get(0);
        Conn conn = env.http.connection(b.address, null);
        Response r = Drive.call(env.http, conn, Drive.get(b, s, ""));
        conn.close();
        if (r.status() != 200) {
            throw new IllegalStateException("a session minted on node A answers " + r.status() + " on node B: the two"
                    + " servers do not share the store (is EMBED_STORE=jdbc honoured by the demo?)");
        }
        return new Server[] {a, b};
    }

    /**
     * wakeup: {@code --samples} times, one after the other, B waits on a session (long-poll
     * {@code ?after=<last>&wait=30}, or its {@code /events} stream with {@code --events}), A stores a
     * message in it; the time from A's 202 to B's answer (or event).
     */
    static void wakeup(Env env) throws Exception {
        Options o = env.options;
        int samples = o.integer("samples", 200, 1, 100_000);
        int sessionCount = o.integer("sessions", 10, 1, 10_000);
        boolean events = o.flag("events");
        int settle = o.integer("settle-ms", 150, 0, 10_000);
        String delay = o.get("agent-delay-ms", "50");
        o.checkAllRead();
        Server[] nodes = nodes(env, delay);
        Server a = nodes[0];
        Server b = nodes[1];
        Http http = env.http;
        List<Session> sessions = Drive.mintSessions(http, a, sessionCount, 8, "wakeup");
        Conn onA = http.connection(a.address, null);
        Conn onB = http.connection(b.address, null);
        Latency from202 = new Latency();
        Latency fromSend = new Latency();
        int failures = 0;
        String firstProblem = null;
        // the id after which B waits, per session; null: the session has no message yet
        String[] last = new String[sessionCount];
        for (int i = 0; i < sessionCount; i++) {
            Drive.messageId(Drive.call(http, onA, Drive.post(a, sessions.get(i), "prime")));
        }
        for (int i = 0; i < sessionCount; i++) {
            last[i] = newestReply(env, a, onA, sessions.get(i));
        }
        for (int k = 0; k < samples; k++) {
            int s = k % sessionCount;
            Session session = sessions.get(s);
            long[] woke = {0};
            CompletableFuture<Long> wake = new CompletableFuture<>();
            Conn waiter = events ? http.connection(b.address, null) : onB;
            String expectAfter = last[s];
            if (events) {
                CompletableFuture<Void> open = new CompletableFuture<>();
                String[] want = {null};
                Sse sse = new Sse((event, id, data, nanos) -> {
                    if (event.equals("message") && id != null && id.equals(want[0]) && !wake.isDone()) {
                        wake.complete(nanos);
                    } else if (event.equals("message") && data.contains("\"role\":\"user\"") && want[0] == null) {
                        woke[0] = nanos; // arrived before we knew its id: checked below
                    }
                });
                waiter.send(
                        Drive.events(b, session, expectAfter),
                        new Http.Handler() {
                            @Override
                            public void head(int status, Map<String, String> headers, long nanos) {
                                if (status == 200) {
                                    open.complete(null);
                                } else {
                                    open.completeExceptionally(
                                            new IllegalStateException("events on B answered " + status));
                                }
                            }

                            @Override
                            public void data(byte[] bytes, int offset, int length, long nanos) {
                                sse.feed(bytes, offset, length, nanos);
                            }

                            @Override
                            public void end(long nanos) {}

                            @Override
                            public void failed(Exception error) {
                                open.completeExceptionally(error);
                                wake.completeExceptionally(error);
                            }
                        },
                        0);
                open.get(30, TimeUnit.SECONDS);
                Thread.sleep(settle);
                long sent = System.nanoTime();
                Response posted = Drive.call(http, onA, Drive.post(a, session, "wake " + k));
                String id = Drive.messageId(posted);
                http.execute(() -> {
                    want[0] = id;
                    if (woke[0] != 0 && !wake.isDone()) {
                        wake.complete(woke[0]);
                    }
                });
                try {
                    long at = wake.get(10, TimeUnit.SECONDS);
                    from202.recordNanos(Math.max(0, at - posted.endNanos()));
                    fromSend.recordNanos(at - sent);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    failures++;
                    firstProblem = firstProblem == null ? "no event on B within 10 s: " + e : firstProblem;
                }
                waiter.close();
                last[s] = null;
            } else {
                CompletableFuture<Response> poll = http.send(
                        onB,
                        Drive.get(b, session, "?after=" + expectAfter + "&wait=30"),
                        Drive.TIMEOUT_MILLIS,
                        1 << 20);
                Thread.sleep(settle);
                if (poll.isDone()) {
                    failures++;
                    Response early = poll.get();
                    firstProblem = firstProblem == null
                            ? "the long-poll on B answered before the POST: " + early.status() + " "
                                    + MiniJson.abbreviate(early.text())
                            : firstProblem;
                    continue;
                }
                long sent = System.nanoTime();
                Response posted = Drive.call(http, onA, Drive.post(a, session, "wake " + k));
                String id = Drive.messageId(posted);
                try {
                    Response r = poll.get(10, TimeUnit.SECONDS);
                    if (r.status() == 200 && r.text().contains(id)) {
                        from202.recordNanos(Math.max(0, r.endNanos() - posted.endNanos()));
                        fromSend.recordNanos(r.endNanos() - sent);
                    } else {
                        failures++;
                        firstProblem = firstProblem == null
                                ? "B answered " + r.status() + " without the message"
                                : firstProblem;
                    }
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    failures++;
                    firstProblem =
                            firstProblem == null ? "the long-poll on B did not wake within 10 s: " + e : firstProblem;
                    onB.close();
                }
                last[s] = null;
            }
            // the agent's reply to this message must be stored before the session is used again
            if ((k + 1) % sessionCount == 0) {
                for (int i = 0; i < sessionCount; i++) {
                    last[i] = newestReply(env, a, onA, sessions.get(i));
                }
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== wakeup: message stored through node A, %s on node B; %d samples ==%n",
                events ? "event stream" : "long-poll",
                samples);
        Env.table(
                List.of("measured from", "p50 ms", "p99 ms", "max ms", "n"),
                List.of(
                        List.of(
                                "A's 202",
                                f2(from202.ms(50)),
                                f2(from202.ms(99)),
                                f2(from202.maxMs()),
                                Long.toString(from202.count())),
                        List.of(
                                "POST sent to A",
                                f2(fromSend.ms(50)),
                                f2(fromSend.ms(99)),
                                f2(fromSend.maxMs()),
                                Long.toString(fromSend.count()))));
        System.out.println("failures: " + failures + (firstProblem == null ? "" : " (first: " + firstProblem + ")"));
        System.out.println("goal (issue 12): p50 <= 100 ms, p99 <= 1000 ms");
        onA.close();
        onB.close();
    }

    /**
     * Waits until the newest message of the session is the agent's reply (the last message sent has
     * been answered) and returns its id: what B waits after next.
     */
    private static String newestReply(Env env, Server server, Conn conn, Session session) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Response r = Drive.call(env.http, conn, Drive.get(server, session, "?limit=5"));
            List<Map<String, Object>> messages = r.status() == 200 ? ThroughputTools.messages(r.text()) : List.of();
            if (!messages.isEmpty()) {
                Map<String, Object> newest = messages.get(messages.size() - 1);
                if ("assistant".equals(newest.get("role"))) {
                    return String.valueOf(newest.get("id"));
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the agent did not answer in session " + session.id() + " within 30 s");
    }

    /**
     * messages-2n: {@code --connections} posting messages to {@code --sessions} sessions, alternately
     * through node A only and through A and B (half the connections each); every message is also
     * answered by the agent.
     *
     * <p>Without {@code --rates}: a closed loop (each connection sends its next message when the last
     * was accepted), messages/s (202 answers), latency, 429s. The loop outruns the agent: each
     * session's pending turns fill up and the rest is refused (429), so this measures admission.
     *
     * <p>With {@code --rates 100,200,...}: an open loop at each rate in turn (messages due at a fixed
     * rate whatever the servers do, latency from the time each was due), and after each phase the
     * wait until the store holds no pending turn: answered/s is the replies stored from the phase's
     * start until then, per second, and "lag" how long after the last message was due the last reply
     * was stored. A rate the cluster sustains shows answered/s equal to the rate, a lag about the
     * agent's delay and no 429; past its capacity answered/s stays at the capacity and the lag grows.
     */
    static void messages(Env env) throws Exception {
        Options o = env.options;
        int rounds = o.integer("rounds", 3, 1, 20);
        int warmup = o.integer("warmup", 5, 0, 120);
        int seconds = o.integer("duration", 15, 1, 600);
        int connections = o.integer("connections", 32, 2, 4096);
        int sessionCount = o.integer("sessions", 256, 1, 100_000);
        String delay = o.get("agent-delay-ms", "50");
        String rates = o.get("rates", "");
        String prefix = o.get("pg-table-prefix", "embed_");
        o.checkAllRead();
        if (!rates.isEmpty()) {
            List<Integer> each = new ArrayList<>();
            for (String rate : rates.split(",", -1)) {
                int r = Integer.parseInt(rate.strip());
                if (r < 1 || r > 100_000) {
                    throw new IllegalArgumentException("--rates: each rate must be 1..100000 messages/s: " + r);
                }
                each.add(r);
            }
            messagesAtRates(env, each, rounds, warmup, seconds, connections, sessionCount, delay, prefix);
            return;
        }
        Server[] nodes = nodes(env, delay);
        Http http = env.http;
        List<Session> sessions = Drive.mintSessions(http, nodes[0], sessionCount, 16, "messages");
        List<Double> one = new ArrayList<>();
        List<Double> two = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        int[] counter = {0};
        for (int round = 1; round <= rounds; round++) {
            for (int variant : round % 2 == 1 ? new int[] {1, 2} : new int[] {2, 1}) {
                List<Conn> conns = new ArrayList<>();
                List<Server> target = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    Server node = variant == 1 ? nodes[0] : nodes[i % 2];
                    conns.add(http.connection(node.address, null));
                    target.add(node);
                }
                Result r = Drive.closedLoop(
                        http,
                        conns,
                        (worker, previous) -> {
                            int n = counter[0]++;
                            return Drive.post(target.get(worker), sessions.get(n % sessionCount), "message " + n);
                        },
                        warmup,
                        seconds);
                Drive.close(http, conns);
                (variant == 1 ? one : two).add(r.rate());
                rows.add(List.of(
                        Integer.toString(round),
                        variant == 1 ? "A only" : "A and B",
                        f2(r.rate()),
                        f2(r.latency.ms(50)),
                        f2(r.latency.ms(99)),
                        Integer.toString(r.count("429")),
                        Long.toString(r.failed)));
                System.out.printf(
                        Locale.ROOT,
                        "load: round %d %s: %.1f messages/s, %s, answers %s%n",
                        round,
                        variant == 1 ? "A only" : "A and B",
                        r.rate(),
                        r.latency.summary(),
                        r.statusSummary());
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== messages-2n: POST messages, closed loop, %d connections, %d sessions, %d s per phase ==%n",
                connections,
                sessionCount,
                seconds);
        Env.table(List.of("round", "through", "messages/s", "p50 ms", "p99 ms", "429", "failed"), rows);
        System.out.printf(
                Locale.ROOT,
                "medians: one node %s messages/s, two nodes %s messages/s, two/one %s%n",
                f2(median(one)),
                f2(median(two)),
                Drive.f3(median(two) / median(one)));
    }

    private static void messagesAtRates(
            Env env,
            List<Integer> rates,
            int rounds,
            int warmup,
            int seconds,
            int connections,
            int sessionCount,
            String delay,
            String prefix)
            throws Exception {
        Server[] nodes = nodes(env, delay);
        Http http = env.http;
        Pg db = env.pg();
        List<Session> sessions = Drive.mintSessions(http, nodes[0], sessionCount, 16, "messages");
        List<List<String>> rows = new ArrayList<>();
        // per rate: answered/s through one node and through two, each a list over the rounds
        Map<Integer, List<Double>> one = new java.util.TreeMap<>();
        Map<Integer, List<Double>> two = new java.util.TreeMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (int rate : rates) {
                for (int variant : round % 2 == 1 ? new int[] {1, 2} : new int[] {2, 1}) {
                    java.util.IdentityHashMap<Conn, Server> nodeOf = new java.util.IdentityHashMap<>();
                    List<Conn> conns = new ArrayList<>();
                    for (int i = 0; i < connections; i++) {
                        Server node = variant == 1 ? nodes[0] : nodes[i % 2];
                        Conn conn = http.connection(node.address, null);
                        conns.add(conn);
                        nodeOf.put(conn, node);
                    }
                    String tag = "message " + round + "/";
                    long before = db.rows(prefix + "message");
                    long start = System.nanoTime();
                    Result r = Drive.openLoop(
                            http,
                            conns,
                            (conn, n) -> Drive.post(Drive.at(nodeOf, conn), sessions.get(n % sessionCount), tag + n),
                            rate,
                            warmup,
                            seconds);
                    long lastDue = start + TimeUnit.SECONDS.toNanos(warmup + seconds);
                    Drive.close(http, conns);
                    long drained = drain(db, prefix + "turn");
                    long after = db.rows(prefix + "message");
                    // every accepted message is stored with its reply: two rows per answered message
                    double answered = (after - before) / 2.0 / ((drained - start) / 1e9);
                    double lag = Math.max(0, drained - lastDue) / 1e9;
                    (variant == 1 ? one : two)
                            .computeIfAbsent(rate, k -> new ArrayList<>())
                            .add(answered);
                    String through = variant == 1 ? "A only" : "A and B";
                    rows.add(List.of(
                            Integer.toString(round),
                            Integer.toString(rate),
                            through,
                            f2(r.rate()),
                            f2(r.latency.ms(50)),
                            f2(r.latency.ms(99)),
                            Integer.toString(r.count("429")),
                            Long.toString(r.failed - r.count("429")),
                            f2(answered),
                            f2(lag)));
                    System.out.printf(
                            Locale.ROOT,
                            "load: round %d, %d/s through %s: accepted %.1f/s, %s, answers %s; answered %.1f/s,"
                                    + " last reply %.2f s after the last message was due%n",
                            round,
                            rate,
                            through,
                            r.rate(),
                            r.latency.summary(),
                            r.statusSummary(),
                            answered,
                            lag);
                }
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== messages-2n: POST messages, open loop at each rate, %d connections, %d sessions, %d s per phase"
                        + " (+%d s warm-up), agent %s ms ==%n",
                connections,
                sessionCount,
                seconds,
                warmup,
                delay);
        Env.table(
                List.of(
                        "round",
                        "rate/s",
                        "through",
                        "accepted/s",
                        "p50 ms",
                        "p99 ms",
                        "429",
                        "other failures",
                        "answered/s",
                        "lag s"),
                rows);
        for (int rate : rates) {
            System.out.printf(
                    Locale.ROOT,
                    "medians at %d/s: answered/s one node %s, two nodes %s%n",
                    rate,
                    f2(median(Drive.at(one, rate))),
                    f2(median(Drive.at(two, rate))));
        }
    }

    /** Waits until {@code turnTable} is empty (every message answered): when, in nanoTime. */
    private static long drain(Pg db, String turnTable) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (true) {
            long now = System.nanoTime();
            long pending = db.rows(turnTable);
            if (pending == 0) {
                return now;
            }
            if (pending < 0 || now - deadline > 0) {
                throw new IllegalStateException("the agent still had " + pending + " turns pending after 300 s");
            }
            Thread.sleep(20);
        }
    }
}
