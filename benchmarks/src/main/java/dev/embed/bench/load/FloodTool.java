package dev.embed.bench.load;

import static dev.embed.bench.load.Drive.f2;

import dev.embed.bench.load.Drive.Result;
import dev.embed.bench.load.Drive.Session;
import dev.embed.bench.load.Http.Conn;
import dev.embed.bench.load.Http.Request;
import dev.embed.bench.load.Servers.Server;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * flood (issue 13 findings 2 and 3), the measuring tool: a demo server in a small heap
 * ({@code -Xmx256m}); {@code --visitors} sessions (400) post {@code --chars}-character messages
 * (8,000) as fast as they are answered, while {@code --readers} connections (32) GET one huge session
 * (built first from {@code --huge-messages} such messages), for {@code --duration} seconds; a
 * separate victim session GETs its own small history every {@code --victim-interval-ms} the whole
 * time, before, during and after. Reports OutOfMemoryErrors in the server's log, 5xx, 429 and other
 * answers per kind of request, and the victim's latency before, during and after.
 */
final class FloodTool {
    private FloodTool() {}

    static void run(Env env) throws Exception {
        Options o = env.options;
        int visitors = o.integer("visitors", 400, 1, 10_000);
        int readers = o.integer("readers", 32, 0, 1000);
        int chars = o.integer("chars", 8000, 1, 1_000_000);
        int hugeMessages = o.integer("huge-messages", 308, 0, 100_000);
        int seconds = o.integer("duration", 30, 1, 600);
        int quiet = o.integer("quiet", 10, 1, 600);
        int victimInterval = o.integer("victim-interval-ms", 50, 1, 10_000);
        String heap = o.get("heap", "-Xmx256m");
        String readQuery = o.get("read-query", "");
        String store = env.stores("memory").get(0);
        o.checkAllRead();
        // after --server-opts: the last -Xms/-Xmx wins
        Server server = env.server("flood", store, Map.of(), List.of("-Xms64m", heap));
        Http http = env.http;
        String big = "x".repeat(chars);
        List<Session> floodSessions = Drive.mintSessions(http, server, visitors, 32, "flood");
        Session huge = Drive.mintSessions(http, server, 1, 1, "huge").get(0);
        Session victim = Drive.mintSessions(http, server, 1, 1, "victim").get(0);
        Conn setup = http.connection(server.address, null);
        Drive.messageId(Drive.call(http, setup, Drive.post(server, victim, "hello, I am the victim")));
        ThroughputTools.waitForReply(env, server, setup, victim, 2, 30);
        int hugeStored = 0;
        Map<String, Integer> hugeAnswers = new java.util.TreeMap<>();
        for (int i = 0; i < hugeMessages; i++) {
            int status = Drive.call(http, setup, Drive.post(server, huge, big)).status();
            hugeAnswers.merge(Integer.toString(status), 1, Integer::sum);
            if (status == 202) {
                hugeStored++;
            }
        }
        long hugeBytes =
                Drive.call(http, setup, Drive.get(server, huge, readQuery)).bodyLength();
        setup.close();
        System.out.printf(
                Locale.ROOT,
                "load: huge session: %d of %d messages stored (answers %s); a GET%s answers %d bytes%n",
                hugeStored,
                hugeMessages,
                hugeAnswers,
                readQuery,
                hugeBytes);

        // The victim: one GET of its own session every interval, on its own connection, whole run.
        Latency[] victimPhases = {new Latency(), new Latency(), new Latency()};
        int[] victimFailures = new int[3];
        int[] phase = {0};
        AtomicBoolean stop = new AtomicBoolean();
        Conn victimConn = http.connection(server.address, null);
        Request victimGet = Drive.get(server, victim, "");
        CountDownLatch victimDone = new CountDownLatch(1);
        long victimStart = System.nanoTime();
        class Victim {
            void tick(long due) {
                if (stop.get()) {
                    victimDone.countDown();
                    return;
                }
                int p = phase[0];
                Http.Collect c = new Http.Collect(1 << 16);
                victimConn.send(victimGet, c, Drive.TIMEOUT_MILLIS);
                Drive.whenDone(c.future, (r, e) -> {
                    if (e != null || r.status() != 200) {
                        victimFailures[p]++;
                    } else {
                        victimPhases[p].recordNanos(r.endNanos() - due); // from the scheduled time
                    }
                    long next = Math.max(due + victimInterval * 1_000_000L, System.nanoTime());
                    http.at(next, () -> tick(next));
                });
            }
        }
        Victim v = new Victim();
        http.at(victimStart, () -> v.tick(victimStart));
        Thread.sleep(quiet * 1000L);

        http.execute(() -> phase[0] = 1);
        double cpu0 = server.cpuSeconds();
        int threads0 = server.threads();
        List<Conn> posters = Drive.connections(http, server, visitors, 1);
        List<Conn> readerConns = Drive.connections(http, server, readers, 1);
        List<Conn> all = new ArrayList<>(posters);
        all.addAll(readerConns);
        Request[] posts = new Request[visitors];
        for (int i = 0; i < visitors; i++) {
            posts[i] = Drive.post(server, floodSessions.get(i), big);
        }
        Request hugeGet = Drive.get(server, huge, readQuery);
        int[] threadsMax = {threads0};
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                threadsMax[0] = Math.max(threadsMax[0], server.threads());
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        // posts and reads as two closed loops at the same time, so their answers are counted apart
        Result[] readResult = {new Result()};
        Exception[] readProblem = {null};
        Thread reading = new Thread(
                () -> {
                    try {
                        if (!readerConns.isEmpty()) {
                            readResult[0] =
                                    Drive.closedLoop(http, readerConns, (worker, previous) -> hugeGet, 0, seconds);
                        }
                    } catch (InterruptedException | RuntimeException e) {
                        readProblem[0] = e;
                    }
                },
                "flood-readers");
        reading.start();
        Result flood = Drive.closedLoop(http, posters, (worker, previous) -> posts[worker], 0, seconds);
        reading.join();
        if (readProblem[0] != null) {
            throw new IllegalStateException("the readers failed", readProblem[0]);
        }
        Result reads = readResult[0];
        Drive.close(http, all);
        http.execute(() -> phase[0] = 2);
        double cpu = server.cpuSeconds() - cpu0;
        Thread.sleep(quiet * 1000L);
        stop.set(true);
        sampler.interrupt();
        victimDone.await(Drive.TIMEOUT_MILLIS + 5000, TimeUnit.MILLISECONDS);
        victimConn.close();

        List<String> oom = server.logLines("OutOfMemoryError");
        boolean alive = server.alive();
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "== flood: %d visitors posting %d-character messages + %d readers of a %d-byte session,"
                        + " %d s, server %s ==%n",
                visitors,
                chars,
                readers,
                hugeBytes,
                seconds,
                heap);
        Env.table(
                List.of("figure", "value"),
                List.of(
                        List.of("server alive at the end", Boolean.toString(alive)),
                        List.of("OutOfMemoryError lines in the server log", Integer.toString(oom.size())),
                        List.of("answers to the posts", flood.statusSummary()),
                        List.of("answers to the reads of the huge session", reads.statusSummary()),
                        List.of("5xx posts / reads", flood.count5xx() + " / " + reads.count5xx()),
                        List.of("429 posts / reads", flood.count("429") + " / " + reads.count("429")),
                        List.of("413 posts", Integer.toString(flood.count("413"))),
                        List.of("posts / reads answered 2xx per s", f2(flood.rate()) + " / " + f2(reads.rate())),
                        List.of("reads p50 / p99 ms", f2(reads.latency.ms(50)) + " / " + f2(reads.latency.ms(99))),
                        List.of("server threads before / max during", threads0 + " / " + threadsMax[0]),
                        List.of("server CPU s during the flood", f2(cpu)),
                        List.of("victim p50 / p95 / p99 ms before", victim(victimPhases[0])),
                        List.of("victim p50 / p95 / p99 ms during", victim(victimPhases[1])),
                        List.of("victim p50 / p95 / p99 ms after", victim(victimPhases[2])),
                        List.of("victim failures before / during / after", Arrays.toString(victimFailures))));
        if (!oom.isEmpty()) {
            System.out.println("first OutOfMemoryError line: " + oom.get(0));
        }
        System.out.println("after issue 13: no OutOfMemoryError, no 5xx, 429 past the byte budgets, victim p95 during"
                + " close to before (latency measured from each GET's scheduled time)");
    }

    private static String victim(Latency l) {
        return f2(l.ms(50)) + " / " + f2(l.ms(95)) + " / " + f2(l.ms(99)) + " (n=" + l.count() + ")";
    }
}
