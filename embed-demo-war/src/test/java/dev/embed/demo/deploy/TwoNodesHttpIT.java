package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two demo nodes over HTTP on one PostgreSQL database (DESIGN §8 "any request may reach any node",
 * issue 12's "tests that must exist"): two {@code java -jar embed-demo.jar} processes started at
 * the same moment on an empty database ({@code EMBED_STORE_JDBC_URL}; the demo's schema mode is
 * {@code upgrade}), sharing the demo key and the signing secret, with a model behind the
 * LangChain4j agent that the test can keep thinking ({@link FakeModel}). The last test kills the
 * node that is answering; after all of them, no table holds a credential.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoNodesHttpIT {
    /** The agent's timeout on both nodes: a claim's lease is this + 30 s (the core's margin). */
    static final int AGENT_TIMEOUT_SECONDS = 3;

    private final Cluster cluster = Cluster.generate();
    private final DemoApi api = cluster.api();
    private FakeModel model;
    private String url;
    private DemoNode a;
    private DemoNode b;

    @BeforeAll
    void startTwoNodesAtTheSameMomentOnAnEmptyDatabase() throws Exception {
        model = new FakeModel();
        url = Pg.newDatabase("two_nodes");
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "two-nodes-");
        ExecutorService starter = Executors.newFixedThreadPool(2);
        try {
            Future<DemoNode> first = starter.submit(() -> node("node-a", data, "provider-key-node-a"));
            Future<DemoNode> second = starter.submit(() -> node("node-b", data, "provider-key-node-b"));
            a = first.get(2, TimeUnit.MINUTES);
            b = second.get(2, TimeUnit.MINUTES);
        } finally {
            starter.shutdownNow();
        }
    }

    private DemoNode node(String name, Path data, String providerKey) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(model.agentEnvironment(providerKey, AGENT_TIMEOUT_SECONDS));
        env.put("EMBED_DATA_DIR", data.resolve(name).toString());
        env.put("EMBED_STORE_JDBC_URL", url);
        env.put("EMBED_STORE_JDBC_USER", "postgres");
        env.put("EMBED_VISITOR_RATE_LIMIT_BURST", "5");
        env.put("EMBED_VISITOR_RATE_LIMIT_PER_MINUTE", "1");
        return DemoNode.start(name, cluster.environment(env)).awaitRunning(Duration.ofSeconds(90));
    }

    @AfterAll
    void noCredentialAtRestThenStop() throws Exception {
        try (Connection connection = Pg.connect(url)) {
            AtRest.assertNoCredentialAtRest(connection, "embed_", "Which node answers this?");
        } finally {
            for (DemoNode node : new DemoNode[] {a, b}) {
                if (node != null) {
                    node.close();
                }
            }
            if (model != null) {
                model.close();
            }
        }
    }

    @Test
    @Order(1)
    void schemaWhenTwoNodesUpgradeAnEmptyDatabaseAtTheSameMomentThenBothRunAndVersion1IsAppliedOnce() throws Exception {
        int applied = 0;
        for (DemoNode node : List.of(a, b)) {
            assertTrue(node.isAlive(), node + " is not running");
            if (node.outputText().contains("applied [V1__init.sql]")) {
                applied++;
            }
        }
        assertEquals(1, applied, "exactly one node applies V1; the other finds it applied");
        try (Connection connection = Pg.connect(url);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT version FROM embed_schema_version")) {
            List<Integer> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
            assertEquals(List.of(1), versions);
        }
    }

    @Test
    @Order(2)
    void sessionWhenMintedOnOneNodeThenChatsOnTheOtherAndContinuesThereForItsOwnerOnly() throws Exception {
        DemoApi.Session session = api.newSession(a, "two-nodes-user");
        String messageId = api.sent(b, session, "Which node answers this?");
        assertEquals(FakeModel.REPLY, api.awaitReply(a, session, messageId, Duration.ofSeconds(20)));
        assertEquals(
                List.of(messageId, messageId + "r"),
                DemoApi.messages(api.read(b, session, "")).stream()
                        .map(m -> m.get("id"))
                        .toList());

        HttpResponse<String> continued = api.mint(b, "two-nodes-user", session.id());
        assertEquals(200, continued.statusCode(), continued::body);
        assertEquals(session.id(), Http.json(continued).get("sessionId"));
        HttpResponse<String> stranger = api.mint(b, "someone-else", session.id());
        assertEquals(403, stranger.statusCode(), stranger::body);
        // Flow A too, so that the scan at the end sees every flow's rows.
        assertEquals(200, api.embedUrl(b, "flow-a-user").statusCode());
    }

    @Test
    @Order(3)
    void longPollWhenWaitingOnOneNodeThenAMessagePostedOnTheOtherWakesItWithinOneSecond() throws Exception {
        DemoApi.Session session = api.newSession(a, "long-poll-user");
        String first = api.sent(a, session, "first");
        api.awaitReply(a, session, first, Duration.ofSeconds(20));
        CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return api.read(a, session, "?after=" + first + "r&wait=20");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500); // the long poll is parked on node a
        assertTrue(!poll.isDone(), "the long poll returned before anything was posted: " + poll.getNow(null));
        String second = api.sent(b, session, "second, through node b");
        long posted = System.nanoTime();
        HttpResponse<String> woken = poll.get(20, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - posted);
        System.out.println("two nodes: a long poll on node a returned " + millis + " ms after node b acknowledged");
        assertEquals(second, DemoApi.messages(woken).get(0).get("id"));
        assertTrue(millis < 1_000, "woken after " + millis + " ms (DESIGN §8: within 1 s)");
    }

    @Test
    @Order(4)
    void linkWhenRedeemedByManyRequestsRacingAcrossBothNodesThenExactlyOneWins() throws Exception {
        String cacheKey = api.createLink(a, "race-user", 300);
        List<Integer> statuses = race(20, i -> api.redeem(i % 2 == 0 ? a : b, cacheKey));
        assertEquals(1, statuses.stream().filter(s -> s == 200).count(), "winners: " + statuses);
        assertEquals(19, statuses.stream().filter(s -> s == 404).count(), "losers: " + statuses);
    }

    @Test
    @Order(5)
    void visitorLimitWhenOneFingerprintMintsOnBothNodesAtOnceThenTheBurstIsExactAcrossThem() throws Exception {
        String fingerprint = DemoApi.fingerprint();
        List<HttpResponse<String>> answers = new ArrayList<>();
        List<Integer> statuses = race(16, i -> {
            HttpResponse<String> answer = api.visitor(i % 2 == 0 ? a : b, fingerprint);
            synchronized (answers) {
                answers.add(answer);
            }
            return answer;
        });
        assertEquals(5, statuses.stream().filter(s -> s == 200).count(), "burst 5 across both nodes: " + statuses);
        assertEquals(11, statuses.stream().filter(s -> s == 429).count(), statuses.toString());
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() == 429) {
                assertTrue(answer.headers().firstValue("Retry-After").isPresent(), "429 without Retry-After");
            }
        }
    }

    @Test
    @Order(6)
    void sessionWhenEndedOnOneNodeThenItsTokenAnswers401ThereAtOnceAndOnTheOtherWithinOneSecond() throws Exception {
        DemoApi.Session session = api.newSession(a, "leaving-user");
        assertEquals(200, api.read(b, session, "").statusCode(), "node b has verified the token");
        assertEquals(204, api.end(a, session).statusCode());
        long ended = System.nanoTime();
        assertEquals(401, api.read(a, session, "").statusCode(), "at once on the node that ended it");
        int status;
        do {
            status = api.read(b, session, "").statusCode();
        } while (status == 200 && System.nanoTime() - ended < TimeUnit.SECONDS.toNanos(5));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended);
        System.out.println("two nodes: node b answered 401 " + millis + " ms after node a ended the session");
        assertEquals(401, status);
        assertTrue(millis < 1_000, "401 on the other node after " + millis + " ms (DESIGN §8: within 1 s)");
    }

    @Test
    @Order(7)
    void nodeWhenKilledWhileItsAgentAnswersThenTheOtherNodeAnswersTheMessageOnceWithinTheLease() throws Exception {
        DemoApi.Session session = api.newSession(a, "crash-user");
        model.hold();
        String messageId = api.sent(a, session, "Answered by a node that dies?");
        long accepted = System.nanoTime();
        FakeModel.Call asked = model.nextHeld(20);
        assertNotNull(asked, "no node asked the model");
        DemoNode dying = asked.authorization().endsWith("node-a") ? a : b;
        DemoNode survivor = dying == a ? b : a;
        int callsBefore = model.calls().size();
        dying.kill();
        model.answer();

        String reply =
                api.awaitReply(survivor, session, messageId, Duration.ofSeconds(AGENT_TIMEOUT_SECONDS + 30 + 30));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - accepted);
        System.out.println("two nodes: " + survivor.name() + " answered the message of killed " + dying.name() + " "
                + seconds + " s after the 202 (embed.agent.timeoutSeconds + 30 = " + (AGENT_TIMEOUT_SECONDS + 30)
                + " s)");
        assertEquals(FakeModel.REPLY, reply);
        List<Map<String, Object>> history = DemoApi.messages(api.read(survivor, session, ""));
        assertEquals(
                List.of(messageId, messageId + "r"),
                history.stream().map(m -> m.get("id")).toList(),
                "once");
        assertEquals(callsBefore + 1, model.calls().size(), "the survivor asked the model once");
        // DESIGN §8: within embed.agent.timeoutSeconds + 30 s; the core looks for abandoned turns every 5 s.
        assertTrue(seconds <= AGENT_TIMEOUT_SECONDS + 30 + 5 + 2, "answered after " + seconds + " s");
    }

    /** Runs {@code count} calls at once (released together); their statuses. */
    private static List<Integer> race(int count, Call call) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                results.add(threads.submit(() -> {
                    go.await();
                    return call.send(index).statusCode();
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> result : results) {
                statuses.add(result.get(60, TimeUnit.SECONDS));
            }
            return statuses;
        } finally {
            threads.shutdownNow();
        }
    }

    @FunctionalInterface
    interface Call {
        HttpResponse<String> send(int index) throws Exception;
    }
}
