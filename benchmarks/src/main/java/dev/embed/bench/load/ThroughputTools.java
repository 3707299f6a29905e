package dev.embed.bench.load;

import static dev.embed.bench.load.Drive.f1;
import static dev.embed.bench.load.Drive.f2;
import static dev.embed.bench.load.Drive.f3;
import static dev.embed.bench.load.Drive.median;

import dev.embed.bench.load.Drive.Result;
import dev.embed.bench.load.Drive.Session;
import dev.embed.bench.load.Http.Conn;
import dev.embed.bench.load.Http.Request;
import dev.embed.bench.load.Http.Response;
import dev.embed.bench.load.Servers.Server;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * mint-rate, mint-saturate, embed-get and history: one phase per store per round, the stores'
 * servers running side by side and loaded in turn (the order swapped every round), medians of the
 * rounds, and the ratio to the first store.
 */
final class ThroughputTools {
    private ThroughputTools() {}

    /** One phase's figures, by column name. */
    private interface Phase {
        Map<String, Double> run(Server server, String store, int round) throws Exception;
    }

    private static void alternate(
            String title,
            List<String> stores,
            Map<String, Server> servers,
            int rounds,
            Phase phase,
            List<String> columns,
            String ratioColumn)
            throws Exception {
        Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
        for (String store : stores) {
            figures.put(store, new LinkedHashMap<>());
        }
        for (int round = 1; round <= rounds; round++) {
            List<String> order = new ArrayList<>(stores);
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (String store : order) {
                Map<String, Double> got = phase.run(Drive.at(servers, store), store, round);
                StringBuilder line = new StringBuilder();
                got.forEach((k, v) -> {
                    Drive.at(figures, store)
                            .computeIfAbsent(k, x -> new ArrayList<>())
                            .add(v);
                    line.append(k).append(' ').append(f2(v)).append("  ");
                });
                System.out.printf(
                        Locale.ROOT,
                        "load: round %d/%d %-6s %s(load %s)%n",
                        round,
                        rounds,
                        store,
                        line,
                        dev.embed.bench.load.LoadMain.loadAverage());
            }
        }
        System.out.println();
        System.out.println("== " + title + ": medians of " + rounds + " alternating rounds ==");
        List<String> header = new ArrayList<>();
        header.add("store");
        header.addAll(columns);
        List<List<String>> rows = new ArrayList<>();
        for (String store : stores) {
            List<String> row = new ArrayList<>();
            row.add(store);
            for (String column : columns) {
                List<Double> values = Drive.at(figures, store).getOrDefault(column, List.of());
                row.add(values.isEmpty() ? "n/a" : f2(median(values)));
            }
            rows.add(row);
        }
        Env.table(header, rows);
        if (stores.size() == 2) {
            double a = median(Drive.at(figures, stores.get(0)).getOrDefault(ratioColumn, List.of()));
            double b = median(Drive.at(figures, stores.get(1)).getOrDefault(ratioColumn, List.of()));
            System.out.printf(Locale.ROOT, "%s %s/%s: %s%n", ratioColumn, stores.get(1), stores.get(0), f3(b / a));
        }
    }

    private static Map<String, Server> servers(Env env, List<String> stores, Map<String, String> extraEnv, int minted)
            throws Exception {
        Map<String, Server> servers = new LinkedHashMap<>();
        for (String store : stores) {
            Server server = env.server(store, store, extraEnv, List.of());
            servers.put(store, server);
        }
        // Prove each server uses the store it was asked for before measuring anything.
        for (String store : stores) {
            Server server = Drive.at(servers, store);
            Drive.mintSessions(env.http, server, Math.max(1, minted), 4, "check-" + store);
            if (store.equals("jdbc")) {
                env.requireJdbc(server, Math.max(1, minted));
            }
        }
        return servers;
    }

    // ------------------------------------------------------------------ mint

    /**
     * The memory store's limits for the mint tools: they mint for one tenant at thousands a second
     * and every session lives its 15 minutes, so the defaults (100,000 live sessions a tenant, half
     * of a quarter of the heap) would answer 429 within a minute (issue 13: refused, not evicted).
     * What is measured is the mint path. The budget holds about 1.37 M sessions: a default run
     * (3 rounds) stays under it; at 11,000 mints/s a fifth round would reach it (and answer 429).
     */
    static final Map<String, String> UNLIMITED_TENANT = Map.of(
            "EMBED_SESSIONS_MAXIMUM_SIZE", "4000000",
            "EMBED_MEMORY_MAX_SESSIONS_PER_TENANT", "4000000",
            "EMBED_MEMORY_MAX_BYTES", "1400000000",
            "EMBED_MEMORY_TENANT_SHARE_PERCENT", "100");

    /**
     * mint-rate (open loop at {@code --rate}) or mint-saturate (closed loop, {@code --connections}):
     * mints/s, latency percentiles, and the server's allocation per mint request (JFR).
     */
    static void mint(Env env, boolean saturate) throws Exception {
        Options o = env.options;
        int rounds = o.integer("rounds", 3, 1, 20);
        int warmup = o.integer("warmup", 5, 0, 120);
        int seconds = o.integer("duration", 20, 1, 600);
        int rate = saturate ? 0 : o.integer("rate", 1000, 1, 100_000);
        int connections = o.integer("connections", saturate ? 16 : 64, 1, 4096);
        boolean allocation = !o.flag("no-alloc");
        List<String> stores = env.stores("memory");
        o.checkAllRead();
        Map<String, Server> servers = servers(env, stores, UNLIMITED_TENANT, 1);
        int[] users = {0};
        Phase phase = (server, store, round) -> {
            List<Conn> conns = Drive.connections(env.http, server, connections, 1);
            // warm-up outside the allocation window
            if (warmup > 0) {
                run(env, conns, server, saturate, rate, users, warmup);
            }
            Allocation recording =
                    allocation && server.pid() > 0 ? Allocation.start(server.pid(), env.work, store + round) : null;
            if (recording != null) {
                Thread.sleep(Allocation.SETTLE_MILLIS);
            }
            double cpu0 = server.cpuSeconds();
            Instant from = Instant.now();
            Result r = run(env, conns, server, saturate, rate, users, seconds);
            Instant to = Instant.now();
            double cpu = server.cpuSeconds() - cpu0;
            Map<String, Double> got = new LinkedHashMap<>();
            got.put("mints/s", r.rate());
            got.put("p50 ms", r.latency.ms(50));
            got.put("p99 ms", r.latency.ms(99));
            got.put("p99.9 ms", r.latency.ms(99.9));
            got.put("max ms", r.latency.maxMs());
            got.put("failed", (double) r.failed);
            got.put("server cpu ms/mint", cpu * 1000 / Math.max(1, r.ok));
            if (recording != null) {
                Thread.sleep(Allocation.SETTLE_MILLIS);
                long bytes = recording.bytesBetween(from, to);
                got.put("alloc KB/mint", bytes / 1024.0 / Math.max(1, r.ok + r.failed));
            }
            if (r.failed > 0) {
                System.out.println(
                        "load: " + store + ": answers " + r.statusSummary() + "; first problem: " + r.firstProblem);
            }
            Drive.close(env.http, conns);
            return got;
        };
        String title = saturate
                ? "mint-saturate: flow B mints, closed loop, " + connections + " connections, " + seconds + " s"
                : "mint-rate: flow B mints, open loop at " + rate + "/s (latency from the scheduled send), "
                        + connections + " connections, " + seconds + " s";
        List<String> columns = new ArrayList<>(
                List.of("mints/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "failed", "server cpu ms/mint"));
        if (allocation) {
            columns.add("alloc KB/mint");
        }
        alternate(title, stores, servers, rounds, phase, columns, saturate ? "mints/s" : "p99 ms");
        System.out.println("goals (issue 12): memory store: alloc <= 20 KB/mint, p99 <= 20 ms at saturation;"
                + " PostgreSQL: p99 <= 10 ms at a moderate fixed rate");
        if (allocation) {
            System.out.println("alloc: every server thread's allocated bytes (JFR jdk.ThreadAllocationStatistics, 1 s"
                    + " samples) over the measured window, divided by the requests answered in it; includes the"
                    + " server's background work during the window (<= 1.5 s idle at each end)");
        }
    }

    private static Result run(
            Env env, List<Conn> conns, Server server, boolean saturate, int rate, int[] users, int seconds)
            throws Exception {
        if (saturate) {
            return Drive.closedLoop(
                    env.http, conns, (worker, previous) -> Drive.mintRequest(server, "load-" + users[0]++), 0, seconds);
        }
        return Drive.openLoop(env.http, conns, i -> Drive.mintRequest(server, "load-" + users[0]++), rate, 0, seconds);
    }

    // ------------------------------------------------------------------ embed GET, warm token

    /** embed-get: the same warm-token GET of a 2-message session on each store, closed loop. */
    static void embedGet(Env env) throws Exception {
        Options o = env.options;
        int rounds = o.integer("rounds", 5, 1, 20);
        int warmup = o.integer("warmup", 5, 0, 120);
        int seconds = o.integer("duration", 10, 1, 600);
        int connections = o.integer("connections", 16, 1, 4096);
        List<String> stores = env.stores("memory,jdbc");
        o.checkAllRead();
        Map<String, Server> servers = servers(env, stores, Map.of(), 1);
        Map<String, Session> sessions = new LinkedHashMap<>();
        for (String store : stores) {
            Server server = Drive.at(servers, store);
            Session session = Drive.mintSessions(env.http, server, 1, 1, "get").get(0);
            Conn conn = env.http.connection(server.address, null);
            Drive.messageId(Drive.call(env.http, conn, Drive.post(server, session, "hello from the load tool")));
            waitForReply(env, server, conn, session, 2, 30);
            conn.close();
            sessions.put(store, session);
        }
        Phase phase = (server, store, round) -> {
            Request request = Drive.get(server, Drive.at(sessions, store), "");
            List<Conn> conns = Drive.connections(env.http, server, connections, 1);
            Result r = Drive.closedLoop(env.http, conns, (worker, previous) -> request, warmup, seconds);
            Drive.close(env.http, conns);
            Map<String, Double> got = new LinkedHashMap<>();
            got.put("req/s", r.rate());
            got.put("p50 ms", r.latency.ms(50));
            got.put("p99 ms", r.latency.ms(99));
            got.put("failed", (double) r.failed);
            return got;
        };
        alternate(
                "embed-get: GET /api/v1/embed/chat-sessions/{id}, one warm token, " + connections + " connections, "
                        + seconds + " s",
                stores,
                servers,
                rounds,
                phase,
                List.of("req/s", "p50 ms", "p99 ms", "failed"),
                "req/s");
        System.out.println("goal (issue 12): jdbc/memory req/s >= 0.95");
    }

    /** Waits until the session holds at least {@code messages} messages. */
    static void waitForReply(Env env, Server server, Conn conn, Session session, int messages, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Response r = Drive.call(env.http, conn, Drive.get(server, session, "?limit=" + Math.min(500, messages)));
            if (r.status() == 200 && countMessages(r.text()) >= messages) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "session " + session.id() + " did not reach " + messages + " messages in " + seconds + " s");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(String chatSession) {
        Object messages = MiniJson.object(chatSession).get("messages");
        return messages instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    static int countMessages(String chatSession) {
        return messages(chatSession).size();
    }

    // ------------------------------------------------------------------ history

    /**
     * history: sessions of {@code --messages} messages (default 1,000: half user messages, half the
     * agent's replies), read page by page ({@code ?limit=100}, then {@code before=} the oldest id
     * until {@code hasMore} is false), closed loop, on each store.
     */
    static void history(Env env) throws Exception {
        Options o = env.options;
        int rounds = o.integer("rounds", 3, 1, 20);
        int warmup = o.integer("warmup", 5, 0, 120);
        int seconds = o.integer("duration", 15, 1, 600);
        int connections = o.integer("connections", 8, 1, 1024);
        int sessionCount = o.integer("sessions", 8, 1, 1000);
        int messages = o.integer("messages", 1000, 2, 100_000);
        int limit = o.integer("limit", 100, 1, 500);
        String delay = o.get("agent-delay-ms", "1");
        List<String> stores = env.stores("memory,jdbc");
        o.checkAllRead();
        Map<String, Server> servers = servers(env, stores, Map.of("EMBED_DEMO_AGENT_DELAY_MS", delay), 1);
        Map<String, List<Session>> sessions = new LinkedHashMap<>();
        for (String store : stores) {
            Server server = Drive.at(servers, store);
            long started = System.nanoTime();
            List<Session> list = Drive.mintSessions(env.http, server, sessionCount, 8, "history");
            fill(env, server, list, messages);
            sessions.put(store, list);
            System.out.printf(
                    Locale.ROOT,
                    "load: %s: %d sessions of %d messages written in %.1f s%n",
                    store,
                    sessionCount,
                    messages,
                    (System.nanoTime() - started) / 1e9);
        }
        Phase phase = (server, store, round) -> {
            List<Session> list = Drive.at(sessions, store);
            List<Conn> conns = Drive.connections(env.http, server, connections, 1);
            int[] walk = new int[connections];
            int[] pages = new int[connections];
            long[] pagesRead = {0};
            long[] shortWalks = {0};
            int[] seen = new int[connections];
            Drive.Work work = new Drive.Work() {
                @Override
                public Request next(int worker, @Nullable Response previous) {
                    Session session = list.get((walk[worker] + worker) % list.size());
                    if (previous != null && previous.status() == 200) {
                        pagesRead[0]++;
                        List<Map<String, Object>> page = messages(previous.text());
                        seen[worker] += page.size();
                        boolean more = Boolean.TRUE.equals(
                                MiniJson.object(previous.text()).get("hasMore"));
                        if (more && !page.isEmpty()) {
                            pages[worker]++;
                            return Drive.get(
                                    server,
                                    session,
                                    "?limit=" + limit + "&before=" + page.get(0).get("id"));
                        }
                        if (seen[worker] < messages) {
                            shortWalks[0]++;
                        }
                        walk[worker]++;
                        seen[worker] = 0;
                        session = list.get((walk[worker] + worker) % list.size());
                    }
                    pages[worker] = 0;
                    return Drive.get(server, session, "?limit=" + limit);
                }
            };
            Result r = Drive.closedLoop(env.http, conns, work, warmup, seconds);
            Drive.close(env.http, conns);
            Map<String, Double> got = new LinkedHashMap<>();
            got.put("pages/s", r.rate());
            got.put("p50 ms", r.latency.ms(50));
            got.put("p99 ms", r.latency.ms(99));
            got.put("failed", (double) r.failed);
            got.put("short walks", (double) shortWalks[0]);
            return got;
        };
        alternate(
                "history: paged reads (limit " + limit + ", before=) of " + sessionCount + " sessions of " + messages
                        + " messages, " + connections + " connections, " + seconds + " s",
                stores,
                servers,
                rounds,
                phase,
                List.of("pages/s", "p50 ms", "p99 ms", "failed", "short walks"),
                "pages/s");
        System.out.println(
                "short walks: walks from the latest page to hasMore=false that saw fewer messages than written"
                        + " (must be 0)");
    }

    /** Writes {@code messages} messages into each session: user messages, each answered by the agent. */
    private static void fill(Env env, Server server, List<Session> sessions, int messages) throws Exception {
        int posts = (messages + 1) / 2;
        List<Conn> conns = Drive.connections(env.http, server, sessions.size(), 1);
        List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
        int[] retries = {0};
        for (int i = 0; i < sessions.size(); i++) {
            Session session = sessions.get(i);
            Conn conn = conns.get(i);
            java.util.concurrent.CompletableFuture<Void> finished = new java.util.concurrent.CompletableFuture<>();
            done.add(finished);
            env.http.execute(() -> postNext(env, server, conn, session, 0, posts, retries, finished));
        }
        for (var f : done) {
            f.get(30, TimeUnit.MINUTES);
        }
        Conn conn = conns.get(0);
        for (Session session : sessions) {
            waitForReply(env, server, conn, session, Math.min(messages, 500), 600);
        }
        // the last reply: the newest message is the agent's
        for (Session session : sessions) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (true) {
                List<Map<String, Object>> last =
                        messages(Drive.call(env.http, conn, Drive.get(server, session, "?limit=1"))
                                .text());
                // the newest message is the last one (paged or not)
                if (!last.isEmpty()
                        && "assistant".equals(last.get(last.size() - 1).get("role"))) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent did not answer the last message of " + session.id());
                }
                Thread.sleep(200);
            }
        }
        Drive.close(env.http, conns);
        if (retries[0] > 0) {
            System.out.println(
                    "load: filling the sessions met " + retries[0] + " 429 answers (waited as told by Retry-After)");
        }
    }

    private static void postNext(
            Env env,
            Server server,
            Conn conn,
            Session session,
            int i,
            int posts,
            int[] retries,
            java.util.concurrent.CompletableFuture<Void> finished) {
        if (i == posts) {
            finished.complete(null);
            return;
        }
        Http.Collect collect = new Http.Collect(64 * 1024);
        conn.send(
                Drive.post(server, session, String.format(Locale.ROOT, "history message %05d", i)),
                collect,
                Drive.TIMEOUT_MILLIS);
        Drive.whenDone(collect.future, (r, e) -> {
            if (e != null) {
                finished.completeExceptionally(e);
            } else if (r.status() == 202) {
                postNext(env, server, conn, session, i + 1, posts, retries, finished);
            } else if (r.status() == 429 || r.status() == 503) {
                retries[0]++;
                long wait = retryAfterMillis(r);
                env.http.at(
                        System.nanoTime() + wait * 1_000_000,
                        () -> postNext(env, server, conn, session, i, posts, retries, finished));
            } else {
                finished.completeExceptionally(new IllegalStateException(
                        "POST answered " + r.status() + ": " + MiniJson.abbreviate(r.text())));
            }
        });
    }

    static long retryAfterMillis(Response r) {
        try {
            return Math.max(
                    50,
                    Long.parseLong(r.headers().getOrDefault("retry-after", "1").strip()) * 1000);
        } catch (NumberFormatException e) {
            return 1000;
        }
    }

    static String fmt(double v) {
        return f1(v);
    }
}
