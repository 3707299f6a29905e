package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.apikey.ApiKeys;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 findings 2, 3 and 5 against a real server: the demo launcher in its own JVM with a
 * 256 MiB heap ({@link DemoNode}) and the memory store. For about 12 s, 400 sessions of one tenant
 * post 8,000-character messages as fast as they are answered, and 32 slow clients read a large session
 * (up to 100 messages of 8,000 characters that jose4j escapes six-fold: up to 5 MB of JSON a page)
 * over and over, while a session of another tenant measures its own reads and keeps posting.
 *
 * <p>Before the byte budgets and the streaming writer the server ran out of memory (no 429 ever
 * came, and every page was built whole, several times over, as a {@code String} and a {@code
 * byte[]}). Now: no {@code OutOfMemoryError}, no 5xx, 429s for the flooding tenant, the victim's
 * posts all accepted, and its p95 read latency within a generous multiple of its quiet p95.
 */
class FloodHttpIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration FLOOD = Duration.ofSeconds(12);
    private static final int FLOOD_SESSIONS = 400;
    private static final int POSTERS = 8;
    private static final int READERS = 32;
    /**
     * The victim's p95 under the flood may be this many times its quiet p95 (of at least {@link
     * #FLOOR_MILLIS}): generous, for a shared 2-core machine (measured: 9 ms quiet, 211 ms under the
     * flood, with a load average of 16 from other builds). The readers are slow clients, so the
     * flood costs the server memory rather than CPU: a server that builds answers whole stalls (its
     * heap full of pages waiting to be written), one that streams them does not.
     */
    private static final double RATIO = 50;

    private static final double FLOOR_MILLIS = 10;
    /** U+20AC: two bytes a char on the heap, three in UTF-8, six once jose4j escapes it in JSON. */
    private static final String EUROS = "\u20ac".repeat(7_990);

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newFixedThreadPool(8))
            .build();

    private record Session(String id, String token) {}

    @Test
    void floodWhenOneTenantFillsItsBudgetAndReadsALargeSessionThenNoOomNo5xxAndAnotherTenantIsServed()
            throws Exception {
        String demoKey = key();
        String victimKey = key();
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "flood-");
        try (DemoNode node = DemoNode.start(
                "flood",
                Map.of(
                        "EMBED_DATA_DIR",
                        data.toString(),
                        "EMBED_STORE",
                        "memory",
                        "EMBED_DEMO_API_KEY",
                        demoKey,
                        // 8 MiB (4 MiB a tenant) rather than a quarter of the heap: on a shared
                        // 2-core machine this flood posts only tens of messages a second, and it
                        // must reach the budget within its 12 s.
                        "EMBED_MEMORY_MAX_BYTES",
                        Integer.toString(8 * 1024 * 1024),
                        "EMBED_API_KEY_VICTIM",
                        "sha256:" + ApiKeys.sha256Hex(victimKey) + ";tenant=victim;agents=demo/support"))) {
            node.awaitRunning(START);
            ExecutorService pool = Executors.newFixedThreadPool(POSTERS + READERS + 2);
            try {
                run(node, demoKey, victimKey, pool);
            } finally {
                pool.shutdownNow();
                pool.awaitTermination(20, TimeUnit.SECONDS);
            }
            String output = node.outputText();
            assertFalse(output.contains("OutOfMemoryError"), "the server ran out of memory:\n" + tail(output));
            assertTrue(node.isAlive(), "the server died:\n" + tail(output));
        }
    }

    private void run(DemoNode node, String demoKey, String victimKey, ExecutorService pool) throws Exception {
        long began = System.nanoTime();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Session victim = mint(node, victimKey, "victim");
        Session large = mint(node, demoKey, "large");
        // The agent answers one message of a session at a time (400 ms each) and at most 32 may
        // wait: the large session is fed from the start, and grows while the test goes on.
        AtomicBoolean feeding = new AtomicBoolean(true);
        AtomicInteger fed = new AtomicInteger();
        AtomicInteger budgetRefusals = new AtomicInteger();
        Future<?> feeder = pool.submit(() -> feed(node, large, fed, feeding, budgetRefusals));
        while (fed.get() < 32 && !feeder.isDone()) {
            Thread.sleep(50);
        }
        List<String> phases = Collections.synchronizedList(new ArrayList<>());
        phases.add("fed " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms");
        assertEquals(202, post(node, victim, "hello before the flood").statusCode());

        List<Long> quiet = reads(node, victim, Duration.ofSeconds(2), statuses, new AtomicBoolean(true));

        List<Session> flood = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> minting = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            minting.add(pool.submit(() -> {
                for (int i = thread; i < FLOOD_SESSIONS; i += 8) {
                    flood.add(mint(node, demoKey, "flood-" + i));
                }
                return null;
            }));
        }
        for (Future<?> f : minting) {
            f.get(60, TimeUnit.SECONDS);
        }
        phases.add("minted " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms");

        AtomicBoolean flooding = new AtomicBoolean(true);
        List<Future<?>> load = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < POSTERS; t++) {
            load.add(pool.submit(() -> {
                while (flooding.get()) {
                    Session session = flood.get(Math.floorMod(next.getAndIncrement(), flood.size()));
                    HttpResponse<String> posted = post(node, session, EUROS);
                    count(statuses, posted.statusCode());
                    if (posted.statusCode() == 429 && posted.body().contains("holds as much")) {
                        budgetRefusals.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (int t = 0; t < READERS; t++) {
            load.add(pool.submit(() -> {
                while (flooding.get()) {
                    count(statuses, slowRead(node, large, "?limit=500", flooding));
                }
                return null;
            }));
        }
        AtomicInteger victimPosts = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong lastVictimPost =
                new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        List<Integer> victimStatuses = Collections.synchronizedList(new ArrayList<>());
        Future<List<Long>> measured = pool.submit(() -> reads(node, victim, FLOOD, statuses, flooding, () -> {
            // One post a second: slower than the agent answers (400 ms), so the victim's own session
            // never has 32 messages waiting for it.
            long now = System.nanoTime();
            if (now - lastVictimPost.get() >= TimeUnit.SECONDS.toNanos(1)) {
                lastVictimPost.set(now);
                victimStatuses.add(post(node, victim, "still here " + victimPosts.incrementAndGet())
                        .statusCode());
            }
        }));
        List<Long> underFlood = measured.get(FLOOD.toSeconds() + 60, TimeUnit.SECONDS);
        flooding.set(false);
        feeding.set(false);
        phases.add("flooded " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms");
        for (Future<?> f : load) {
            f.get(60, TimeUnit.SECONDS);
        }
        feeder.get(60, TimeUnit.SECONDS);

        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
        double quietP95 = Math.max(FLOOR_MILLIS, p95(quiet));
        double floodP95 = p95(underFlood);
        String summary = "statuses " + statuses + "; victim p95 quiet " + p95(quiet) + " ms, under the flood "
                + floodP95 + " ms (" + underFlood.size() + " reads); victim posts " + victimStatuses + "; phases "
                + phases + "; " + seconds + " s in all; large session " + fed + " messages; budget 429s "
                + budgetRefusals;
        System.out.println("FloodHttpIT: " + summary);
        for (int status : statuses.keySet()) {
            assertTrue(status < 500, "a server error: " + summary);
        }
        assertTrue(budgetRefusals.get() > 0, "no 429 for a budget reached: " + summary);
        assertTrue(statuses.getOrDefault(202, new AtomicInteger()).get() > 0, summary);
        assertFalse(victimStatuses.isEmpty(), summary);
        assertTrue(victimStatuses.stream().allMatch(s -> s == 202), "another tenant's posts refused: " + summary);
        assertTrue(floodP95 <= RATIO * quietP95, "the victim's reads slowed more than " + RATIO + "x: " + summary);
        assertEquals(200, discard(node, victim, ""), "the victim's session is still there");
    }

    /** Posts long messages to the session until 100 are stored or {@code running} ends, waiting when refused. */
    private Void feed(
            DemoNode node, Session session, AtomicInteger fed, AtomicBoolean running, AtomicInteger budgetRefusals)
            throws Exception {
        while (running.get() && fed.get() < 100) {
            HttpResponse<String> posted = post(node, session, EUROS);
            int status = posted.statusCode();
            if (status == 429 && posted.body().contains("holds as much")) {
                budgetRefusals.incrementAndGet();
            }
            if (status == 202) {
                fed.incrementAndGet();
            } else if (status == 429) {
                Thread.sleep(100); // 32 await the agent, or the tenant's budget is spent
            } else {
                throw new AssertionError("feeding the large session: " + status);
            }
        }
        return null;
    }

    /** Reads the victim's session until {@code running} ends or {@code duration} passes; the latencies in ms. */
    private List<Long> reads(
            DemoNode node,
            Session victim,
            Duration duration,
            Map<Integer, AtomicInteger> statuses,
            AtomicBoolean running,
            Step... each)
            throws Exception {
        List<Long> millis = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        while (running.get() && System.nanoTime() < end) {
            long start = System.nanoTime();
            int status = discard(node, victim, "");
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            count(statuses, status);
            assertEquals(200, status, "the victim's read");
            for (Step step : each) {
                step.run();
            }
            Thread.sleep(20);
        }
        return millis;
    }

    private Session mint(DemoNode node, String key, String user) throws Exception {
        HttpResponse<String> minted = client.send(
                HttpRequest.newBuilder(node.uri("/api/v1/spaces/demo/agents/support/embed-sessions"))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"externalUserId\": \"" + user + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, minted.statusCode(), minted::body);
        return new Session(member(minted.body(), "sessionId"), member(minted.body(), "token"));
    }

    private HttpResponse<String> post(DemoNode node, Session session, String text) throws Exception {
        return client.send(
                HttpRequest.newBuilder(node.uri("/api/v1/embed/chat-sessions/" + session.id() + "/messages"))
                        .header("Authorization", "Bearer " + session.token())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"" + text + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A GET of the session by a slow client, on a socket of its own: 16 KiB every 10 ms at most,
     * dropped as read, until the answer ends or {@code running} does. A server that builds each
     * answer whole holds all of it meanwhile, for every such client; one that writes as it goes
     * holds a buffer.
     */
    private static int slowRead(DemoNode node, Session session, String query, AtomicBoolean running) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(60_000);
            socket.setReceiveBufferSize(16 * 1024);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/embed/chat-sessions/" + session.id() + query + " HTTP/1.1\r\nHost: 127.0.0.1:"
                            + node.port() + "\r\nAuthorization: Bearer " + session.token()
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            int first = in.read(buffer);
            String statusLine = first <= 0 ? "" : new String(buffer, 0, Math.min(first, 12), StandardCharsets.US_ASCII);
            while (running.get() && in.read(buffer) >= 0) {
                Thread.sleep(10);
            }
            return statusLine.startsWith("HTTP/1.1 ") ? Integer.parseInt(statusLine.substring(9, 12)) : 0;
        }
    }

    /** A GET of the session whose answer is read and dropped as it arrives. */
    private int discard(DemoNode node, Session session, String query) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(node.uri("/api/v1/embed/chat-sessions/" + session.id() + query))
                                .header("Authorization", "Bearer " + session.token())
                                .timeout(Duration.ofSeconds(60))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static void count(Map<Integer, AtomicInteger> statuses, int status) {
        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    }

    private static double p95(List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return sorted.isEmpty()
                ? 0
                : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.95) - 1));
    }

    private static String member(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    private static String key() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String tail(String output) {
        return output.length() > 4000 ? output.substring(output.length() - 4000) : output;
    }

    /** Something done after each of the victim's reads. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
