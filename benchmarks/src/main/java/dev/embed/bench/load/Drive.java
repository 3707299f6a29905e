package dev.embed.bench.load;

import dev.embed.bench.load.Http.Conn;
import dev.embed.bench.load.Http.Request;
import dev.embed.bench.load.Http.Response;
import dev.embed.bench.load.Servers.Server;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/** Load patterns (closed loop, open loop) and the embed calls the tools share. */
final class Drive {
    static final String MINT_PATH = "/api/v1/spaces/demo/agents/support/embed-sessions";
    static final int BODY_CAP = 8 << 20;
    static final long TIMEOUT_MILLIS = 40_000;

    private Drive() {}

    /** What one measured phase gave. Touched on the client thread only while it runs. */
    static final class Result {
        final Latency latency = new Latency();
        final Map<String, Integer> statuses = new TreeMap<>();
        long ok;
        long failed;
        double seconds;

        @Nullable
        String firstProblem;

        double rate() {
            return ok / seconds;
        }

        void status(int status) {
            statuses.merge(Integer.toString(status), 1, Integer::sum);
        }

        void error(Exception e) {
            failed++;
            String kind = e.getMessage() != null && e.getMessage().startsWith("timed out") ? "timeout" : "io-error";
            statuses.merge(kind, 1, Integer::sum);
            if (firstProblem == null) {
                firstProblem = e.toString();
            }
        }

        int count(String status) {
            return statuses.getOrDefault(status, 0);
        }

        int count5xx() {
            int n = 0;
            for (Map.Entry<String, Integer> e : statuses.entrySet()) {
                if (e.getKey().startsWith("5")) {
                    n += e.getValue();
                }
            }
            return n;
        }

        String statusSummary() {
            return statuses.toString();
        }
    }

    /** What a closed-loop worker sends next; {@code previous} is its last answer (null at first). */
    interface Work {
        Request next(int worker, @Nullable Response previous);

        /** True when {@code response} counts as a success. */
        default boolean ok(Response response) {
            return response.status() >= 200 && response.status() < 300;
        }
    }

    /**
     * Closed loop: each of {@code conns} sends its next request as soon as its last answer arrived,
     * for {@code warmup} seconds (not counted) and then {@code seconds} (counted: latency from the
     * write of each request); throughput is successes per second.
     */
    static Result closedLoop(Http http, List<Conn> conns, Work work, int warmup, int seconds)
            throws InterruptedException {
        Result result = new Result();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(conns.size());
        for (int i = 0; i < conns.size(); i++) {
            int worker = i;
            Conn conn = conns.get(i);
            http.execute(() -> loopOnce(http, conn, work, worker, null, result, measureFrom, measureTo, done));
        }
        if (!done.await(warmup + seconds + TIMEOUT_MILLIS / 1000 + 10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the closed loop did not finish");
        }
        result.seconds = seconds;
        return result;
    }

    private static void loopOnce(
            Http http,
            Conn conn,
            Work work,
            int worker,
            @Nullable Response previous,
            Result result,
            long measureFrom,
            long measureTo,
            CountDownLatch done) {
        long now = System.nanoTime();
        if (now - measureTo >= 0) {
            done.countDown();
            return;
        }
        Request request = work.next(worker, previous);
        Http.Collect collect = new Http.Collect(BODY_CAP);
        conn.send(request, collect, TIMEOUT_MILLIS);
        whenDone(collect.future, (response, error) -> {
            boolean counted = now - measureFrom >= 0;
            if (error != null) {
                if (counted) {
                    result.error(error instanceof Exception e ? e : new RuntimeException(error));
                }
                loopOnce(http, conn, work, worker, null, result, measureFrom, measureTo, done);
                return;
            }
            if (counted) {
                result.status(response.status());
                if (work.ok(response)) {
                    result.ok++;
                    result.latency.recordNanos(response.endNanos() - now);
                } else {
                    result.failed++;
                    if (result.firstProblem == null) {
                        result.firstProblem = response.status() + " " + MiniJson.abbreviate(response.text());
                    }
                }
            }
            loopOnce(http, conn, work, worker, response, result, measureFrom, measureTo, done);
        });
    }

    /**
     * Open loop: requests are due at a fixed {@code rate} per second, whatever the server does; each
     * goes out on an idle connection of {@code conns} (waiting for one if all are busy) and its
     * latency is measured from the time it was due, so a stall is counted in full for every request
     * it delayed (no coordinated omission). The first {@code warmup} seconds are not counted.
     */
    static Result openLoop(
            Http http, List<Conn> conns, IntFunction<Request> request, double rate, int warmup, int seconds)
            throws InterruptedException {
        return openLoop(http, conns, (conn, index) -> request.apply(index), rate, warmup, seconds);
    }

    /** The request numbered {@code index}, to go out on {@code conn} (whose server it may address). */
    interface OnConnection {
        Request request(Conn conn, int index);
    }

    /** {@link #openLoop(Http, List, IntFunction, double, int, int)}, each request made for its connection. */
    static Result openLoop(Http http, List<Conn> conns, OnConnection request, double rate, int warmup, int seconds)
            throws InterruptedException {
        Result result = new Result();
        long start = System.nanoTime() + 50_000_000;
        long total = Math.round(rate * (warmup + seconds));
        long firstCounted = Math.round(rate * warmup);
        double interval = 1e9 / rate;
        java.util.ArrayDeque<Conn> idle = new java.util.ArrayDeque<>(conns);
        java.util.ArrayDeque<long[]> backlog = new java.util.ArrayDeque<>(); // {index, due}
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        int[] maxBacklog = {0};
        class Sender {
            void due(long index) {
                long dueAt = start + Math.round(index * interval);
                if (index + 1 < total) {
                    http.at(start + Math.round((index + 1) * interval), () -> due(index + 1));
                }
                backlog.add(new long[] {index, dueAt});
                maxBacklog[0] = Math.max(maxBacklog[0], backlog.size());
                drain();
            }

            void drain() {
                while (!idle.isEmpty() && !backlog.isEmpty()) {
                    Conn conn = idle.poll();
                    long[] item = backlog.poll();
                    send(conn, item[0], item[1]);
                }
            }

            void send(Conn conn, long index, long dueAt) {
                Http.Collect collect = new Http.Collect(BODY_CAP);
                conn.send(request.request(conn, (int) index), collect, TIMEOUT_MILLIS);
                whenDone(collect.future, (response, error) -> {
                    boolean counted = index >= firstCounted;
                    if (counted) {
                        if (error != null) {
                            result.error(error instanceof Exception e ? e : new RuntimeException(error));
                        } else {
                            result.status(response.status());
                            if (response.status() >= 200 && response.status() < 300) {
                                result.ok++;
                                result.latency.recordNanos(response.endNanos() - dueAt);
                            } else {
                                result.failed++;
                                if (result.firstProblem == null) {
                                    result.firstProblem =
                                            response.status() + " " + MiniJson.abbreviate(response.text());
                                }
                            }
                        }
                    }
                    idle.add(conn);
                    if (finished.incrementAndGet() == total) {
                        done.countDown();
                    }
                    drain();
                });
            }
        }
        Sender sender = new Sender();
        http.at(start, () -> sender.due(0));
        if (!done.await(warmup + seconds + TIMEOUT_MILLIS / 1000 + 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the open loop did not finish: " + finished.get() + " of " + total);
        }
        result.seconds = seconds;
        if (maxBacklog[0] > conns.size()) {
            result.statuses.put("max-queued", maxBacklog[0]);
        }
        return result;
    }

    // ------------------------------------------------------------------ the embed calls

    /** A minted flow B session. */
    record Session(String id, String token, String authorization) {}

    static Request mintRequest(Server server, String user) {
        String body = "{\"externalUserId\":" + MiniJson.quote(user) + ",\"displayName\":\"Load\"}";
        return Request.of(
                "POST",
                server.hostPort(),
                MINT_PATH,
                Map.of("Authorization", "Bearer " + server.apiKey, "Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    static Session session(Response minted) {
        if (minted.status() != 200) {
            throw new IllegalStateException(
                    "mint answered " + minted.status() + ": " + MiniJson.abbreviate(minted.text()));
        }
        Map<String, Object> answer = MiniJson.object(minted.text());
        String token = MiniJson.string(answer, "token");
        return new Session(MiniJson.string(answer, "sessionId"), token, "Bearer " + token);
    }

    static String sessionPath(Session session) {
        return "/api/v1/embed/chat-sessions/" + session.id();
    }

    static Request get(Server server, Session session, String query) {
        return Request.of(
                "GET",
                server.hostPort(),
                sessionPath(session) + query,
                Map.of("Authorization", session.authorization()),
                null);
    }

    static Request post(Server server, Session session, String message) {
        byte[] body = ("{\"message\":" + MiniJson.quote(message) + "}").getBytes(StandardCharsets.UTF_8);
        return Request.of(
                "POST",
                server.hostPort(),
                sessionPath(session) + "/messages",
                Map.of("Authorization", session.authorization(), "Content-Type", "application/json"),
                body);
    }

    static Request events(Server server, Session session, @Nullable String after) {
        return Request.of(
                "GET",
                server.hostPort(),
                sessionPath(session) + "/events" + (after == null ? "" : "?after=" + after),
                Map.of("Authorization", session.authorization(), "Accept", "text/event-stream"),
                null);
    }

    /** The {@code messageId} of a 202 answer to a POST. */
    static String messageId(Response accepted) {
        if (accepted.status() != 202) {
            throw new IllegalStateException(
                    "POST answered " + accepted.status() + ": " + MiniJson.abbreviate(accepted.text()));
        }
        return MiniJson.string(MiniJson.object(accepted.text()), "messageId");
    }

    /** Mints {@code count} sessions over {@code parallel} connections; users "{prefix}-{i}". */
    static List<Session> mintSessions(Http http, Server server, int count, int parallel, String prefix)
            throws Exception {
        List<Conn> conns = connections(http, server, Math.min(parallel, count), 1);
        List<CompletableFuture<Session>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Conn conn = conns.get(i % conns.size());
            futures.add(http.send(conn, mintRequest(server, prefix + "-" + i), TIMEOUT_MILLIS, BODY_CAP)
                    .thenApply(Drive::session));
        }
        List<Session> sessions = new ArrayList<>();
        for (CompletableFuture<Session> f : futures) {
            try {
                sessions.add(f.get(120, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                close(http, conns);
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new IllegalStateException("minting failed: " + cause.getMessage(), cause);
            }
        }
        close(http, conns);
        return sessions;
    }

    /** {@code count} connections to {@code server}, spread over {@code sources} loopback source addresses. */
    static List<Conn> connections(Http http, Server server, int count, int sources) throws Exception {
        List<Conn> conns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            conns.add(http.connection(server.address, source(i % sources, sources)));
        }
        return conns;
    }

    /** 127.0.0.1 for one source; 127.0.0.{1+i} for several (the whole 127/8 is loopback on Linux). */
    static @Nullable InetAddress source(int i, int sources) throws java.net.UnknownHostException {
        if (sources <= 1) {
            return null;
        }
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) ((1 + i) >> 8), (byte) (1 + i)});
    }

    static void close(Http http, List<Conn> conns) {
        for (Conn conn : conns) {
            conn.close();
        }
    }

    /** Sends {@code request} and waits for the answer. */
    static Response call(Http http, Conn conn, Request request) throws Exception {
        return http.send(conn, request, TIMEOUT_MILLIS, BODY_CAP).get(TIMEOUT_MILLIS + 5000, TimeUnit.MILLISECONDS);
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** {@code future.whenComplete(action)}, the returned stage deliberately unused. */
    static <T> void whenDone(
            CompletableFuture<T> future, java.util.function.BiConsumer<? super T, ? super Throwable> action) {
        CompletableFuture<T> unused = future.whenComplete(action);
    }

    /** {@code map.get(key)}, which must be there. */
    static <K, V> V at(Map<K, V> map, K key) {
        return java.util.Objects.requireNonNull(map.get(key), () -> "nothing for " + key);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
