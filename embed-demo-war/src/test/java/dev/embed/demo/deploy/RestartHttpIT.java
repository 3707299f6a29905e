package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN §8, "nothing acknowledged is lost", over HTTP, on both databases the jdbc store supports:
 * a demo node on its default H2 file ({@code EMBED_DATA_DIR}) and one on PostgreSQL ({@code
 * EMBED_STORE_JDBC_URL}) each acknowledge every kind of write, are killed (SIGKILL: a crash, nothing
 * closed) while their agent is answering, and are started again on the same database: the session
 * is there with its owner, the history holds every acknowledged message, the revocation holds, a
 * used and an expired link stay unusable, the visitor limit keeps its count, and the message the
 * dead node was answering is answered by the restarted one, once. The two run side by side (the
 * expired link takes its 60 s once). Afterwards no table holds a credential.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RestartHttpIT {
    static final int AGENT_TIMEOUT_SECONDS = 3;

    private final Cluster cluster = Cluster.generate();
    private FakeModel model;
    private Path data;

    @BeforeAll
    void start() throws Exception {
        model = new FakeModel();
        data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "restart-");
    }

    @AfterAll
    void stop() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void nodeWhenKilledAndStartedAgainThenEverythingItAcknowledgedIsThereOnH2AndOnPostgres() throws Exception {
        String pgUrl = Pg.newDatabase("restart");
        Scenario h2 =
                new Scenario("h2", Map.of("EMBED_DATA_DIR", data.resolve("h2").toString()), "provider-key-h2");
        Scenario pg = new Scenario(
                "postgres",
                Map.of(
                        "EMBED_DATA_DIR",
                        data.resolve("pg").toString(),
                        "EMBED_STORE_JDBC_URL",
                        pgUrl,
                        "EMBED_STORE_JDBC_USER",
                        "postgres"),
                "provider-key-pg");
        try {
            // One node at a time holds the model back while it is killed; the rest runs side by side.
            h2.beforeTheCrash();
            pg.beforeTheCrash();
            CompletableFuture<Void> h2After = CompletableFuture.runAsync(h2::afterTheCrash);
            CompletableFuture<Void> pgAfter = CompletableFuture.runAsync(pg::afterTheCrash);
            join(h2After, h2.name);
            join(pgAfter, pg.name);
        } finally {
            h2.close();
            pg.close();
        }
        // No credential at rest, after every flow and a crash: H2 is read once its node has stopped.
        try (Connection connection =
                DriverManager.getConnection("jdbc:h2:file:" + data.resolve("h2").resolve("embed"), "", "")) {
            AtRest.assertNoCredentialAtRest(connection, "embed_", "Kept across a crash?");
        }
        try (Connection connection = Pg.connect(pgUrl)) {
            AtRest.assertNoCredentialAtRest(connection, "embed_", "Kept across a crash?");
        }
    }

    private static void join(CompletableFuture<Void> future, String name) throws Exception {
        try {
            future.get(3, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError failure) {
                throw new AssertionError(name + ": " + failure.getMessage(), failure);
            }
            throw e;
        }
    }

    /** One node and what it acknowledged before it was killed. */
    final class Scenario implements AutoCloseable {
        final String name;
        final Map<String, String> environment;
        final DemoApi api = cluster.api();
        DemoNode node;
        long expiringLinkCreated;
        String expiringLink;
        DemoApi.Session session;
        String answered;
        DemoApi.Session ended;
        String usedLink;
        String fingerprint;
        String unanswered;
        long unansweredAccepted;

        Scenario(String name, Map<String, String> store, String providerKey) throws Exception {
            this.name = name;
            Map<String, String> env = new LinkedHashMap<>(model.agentEnvironment(providerKey, AGENT_TIMEOUT_SECONDS));
            env.putAll(store);
            env.put("EMBED_VISITOR_RATE_LIMIT_BURST", "5");
            env.put("EMBED_VISITOR_RATE_LIMIT_PER_MINUTE", "1");
            this.environment = cluster.environment(env);
            this.node = DemoNode.start("restart-" + name, environment).awaitRunning(Duration.ofSeconds(90));
        }

        void beforeTheCrash() throws Exception {
            // A link that expires while the node is down and after it is back (ttl is at least 60 s).
            expiringLinkCreated = System.nanoTime();
            expiringLink = api.createLink(node, "expiring-" + name, 60);
            session = api.newSession(node, "restart-owner");
            answered = api.sent(node, session, "Kept across a crash?");
            assertEquals(FakeModel.REPLY, api.awaitReply(node, session, answered, Duration.ofSeconds(20)));
            ended = api.newSession(node, "ended-user");
            assertEquals(204, api.end(node, ended).statusCode());
            assertEquals(401, api.read(node, ended, "").statusCode());
            usedLink = api.createLink(node, "used-" + name, 600);
            assertEquals(200, api.redeem(node, usedLink).statusCode());
            fingerprint = DemoApi.fingerprint();
            for (int i = 0; i < 3; i++) {
                assertEquals(200, api.visitor(node, fingerprint).statusCode(), "visitor mint " + i);
            }
            // The agent is still thinking when the node dies.
            model.hold();
            unanswered = api.sent(node, session, "Answered after the crash?");
            unansweredAccepted = System.nanoTime();
            assertNotNull(model.nextHeld(20), "the node did not ask the model");
            node.kill();
            model.answer();
        }

        void afterTheCrash() {
            try {
                node = DemoNode.start("restart-" + name + "-again", environment).awaitRunning(Duration.ofSeconds(90));

                HttpResponse<String> owner = api.mint(node, "restart-owner", session.id());
                assertEquals(200, owner.statusCode(), "the session is there with its owner: " + owner.body());
                assertEquals(session.id(), Http.json(owner).get("sessionId"));
                assertEquals(403, api.mint(node, "someone-else", session.id()).statusCode(), "and only its owner");

                assertEquals(401, api.read(node, ended, "").statusCode(), "the revocation holds");
                assertEquals(404, api.redeem(node, usedLink).statusCode(), "a used link stays used");

                List<Integer> visitors = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    visitors.add(api.visitor(node, fingerprint).statusCode());
                }
                assertEquals(List.of(200, 200, 429), visitors, "the visitor limit kept its count (3 of 5 used)");

                String reply =
                        api.awaitReply(node, session, unanswered, Duration.ofSeconds(AGENT_TIMEOUT_SECONDS + 30 + 30));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - unansweredAccepted);
                System.out.println("restart (" + name + "): the restarted node answered the dead node's message "
                        + seconds + " s after its 202");
                assertEquals(FakeModel.REPLY, reply);
                assertTrue(seconds <= AGENT_TIMEOUT_SECONDS + 30 + 5 + 2, "answered after " + seconds + " s");
                assertEquals(
                        List.of(answered, answered + "r", unanswered, unanswered + "r"),
                        DemoApi.messages(api.read(node, session, "")).stream()
                                .map(m -> m.get("id"))
                                .toList(),
                        "the history holds every acknowledged message, each answered once");

                long expiresIn = TimeUnit.SECONDS.toNanos(61) - (System.nanoTime() - expiringLinkCreated);
                if (expiresIn > 0) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(expiresIn));
                }
                assertEquals(404, api.redeem(node, expiringLink).statusCode(), "an expired link stays unusable");
            } catch (Exception e) {
                throw new IllegalStateException(name + ": " + e, e);
            }
        }

        @Override
        public void close() throws Exception {
            if (node != null) {
                node.close();
            }
        }
    }
}
