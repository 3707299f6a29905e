package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Http;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN §8, housekeeping: PostgreSQL stopped under a running demo node answers every request that
 * needs it with {@code 503 temporarily_unavailable} (JSON, {@code Retry-After}) within a bounded
 * time, never a 500 and never a hang; started again, the node serves again by itself, with what it
 * had before. The node runs with {@code EMBED_STORE_JDBC_TIMEOUT_SECONDS=2}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OutageHttpIT {
    /** The store's own bound is about twice its 2 s timeout; generous for a loaded 2-core machine. */
    private static final long BOUND_MILLIS = 10_000;

    @Test
    void postgresWhenStoppedUnderARunningNodeThen503WithinABoundAndWhenStartedAgainThenServiceResumes()
            throws Exception {
        Path pgData = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "outage-pg-");
        Files.delete(pgData); // zonky creates it
        int pgPort = Pg.freePort();
        EmbeddedPostgres server = Pg.start(pgData, pgPort);
        Cluster cluster = Cluster.generate();
        DemoApi api = cluster.api();
        Map<String, String> env = new LinkedHashMap<>();
        env.put(
                "EMBED_DATA_DIR",
                pgData.resolveSibling(pgData.getFileName() + "-node").toString());
        env.put("EMBED_STORE_JDBC_URL", server.getJdbcUrl("postgres", "postgres"));
        env.put("EMBED_STORE_JDBC_USER", "postgres");
        env.put("EMBED_STORE_JDBC_TIMEOUT_SECONDS", "2");
        try (DemoNode node = DemoNode.start("outage", cluster.environment(env)).awaitRunning(Duration.ofSeconds(90))) {
            DemoApi.Session session = api.newSession(node, "outage-user");
            String before = api.sent(node, session, "Before the outage");
            api.awaitReply(node, session, before, Duration.ofSeconds(20));
            String link = api.createLink(node, "outage-link", 600);

            server.close();

            Map<String, Call> calls = new LinkedHashMap<>();
            calls.put("mint (flow B)", () -> api.mint(node, "outage-user-2", null));
            calls.put("mint (flow A)", () -> api.embedUrl(node, "outage-user-3"));
            calls.put("send a message", () -> api.send(node, session, "During the outage"));
            calls.put("read the session", () -> api.read(node, session, "?limit=500"));
            calls.put("visitor token (flow C)", () -> api.visitor(node, DemoApi.fingerprint()));
            calls.put(
                    "create a link (flow D)",
                    () -> Http.postJson(
                            node.uri("/api/v1/iframe/create"),
                            cluster.apiKey(),
                            "{\"uid\": \"u\", \"srcs\": [\"docs\"]}"));
            calls.put("redeem a link", () -> api.redeem(node, link));
            calls.put("end the session", () -> api.end(node, session));
            calls.put(
                    "the demo's own backend",
                    () -> Http.send(HttpRequest.newBuilder(node.uri("/demo/embed-url"))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build()));
            for (Map.Entry<String, Call> call : calls.entrySet()) {
                long start = System.nanoTime();
                HttpResponse<String> answer = call.getValue().send();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println(
                        "outage: " + call.getKey() + " answered " + answer.statusCode() + " after " + millis + " ms");
                assertEquals(503, answer.statusCode(), () -> call.getKey() + ": " + answer.body());
                assertTrue(millis < BOUND_MILLIS, () -> call.getKey() + " took " + millis + " ms");
                assertTrue(
                        answer.headers().firstValue("Retry-After").isPresent(),
                        () -> call.getKey() + " without Retry-After");
                assertTrue(
                        answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                        () -> call.getKey() + " is not JSON");
                String body = answer.body();
                assertTrue(body.contains("\"temporarily_unavailable\""), () -> call.getKey() + ": " + body);
            }

            server = Pg.start(pgData, pgPort);
            long restarted = System.nanoTime();
            HttpResponse<String> minted;
            do {
                Thread.sleep(200);
                minted = api.mint(node, "outage-user-4", null);
            } while (minted.statusCode() == 503 && System.nanoTime() - restarted < TimeUnit.SECONDS.toNanos(30));
            System.out.println("outage: minting again " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted)
                    + " ms after PostgreSQL was started again");
            assertEquals(200, minted.statusCode(), minted.body());
            String after = api.sent(node, session, "After the outage");
            api.awaitReply(node, session, after, Duration.ofSeconds(20));
            assertEquals(
                    List.of(before, before + "r", after, after + "r"),
                    DemoApi.messages(api.read(node, session, "")).stream()
                            .map(m -> m.get("id"))
                            .toList(),
                    "what was there before is there; nothing failed half-way was kept");
            assertEquals(200, api.redeem(node, link).statusCode(), "the link waited out the outage");
            assertTrue(
                    !node.outputText().contains("SEVERE") && !node.outputText().contains(" 500 "),
                    () -> "the node logged a failure it should have answered with 503:\n" + node.outputText());
        } finally {
            Pg.close(server);
        }
    }

    @FunctionalInterface
    interface Call {
        HttpResponse<String> send() throws Exception;
    }
}
