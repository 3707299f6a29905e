package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.ChatMessage;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.LinkStore;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.testing.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes: two stores on one PostgreSQL database and one table prefix, as two servers behind a
 * load balancer would have them (DESIGN §8 "Any request may reach any node").
 */
class TwoNodesIT {
    private static String url;

    private final MutableClock clock = MutableClock.start();
    private final List<JdbcStore> opened = new ArrayList<>();
    private JdbcStore a;
    private JdbcStore b;
    private final BlockingQueue<String> heardByA = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> heardByB = new LinkedBlockingQueue<>();

    @BeforeAll
    static void database() {
        url = EmbeddedPg.newDatabase("two_nodes");
    }

    @BeforeEach
    void nodes() {
        String prefix = TestStores.newPrefix();
        a = node(prefix, heardByA);
        b = node(prefix, heardByB);
    }

    @AfterEach
    void close() {
        opened.forEach(JdbcStore::close);
    }

    @Test
    void linkWhenRacedAcrossNodesThenExactlyOneRedemption() throws Exception {
        String keyHash = TestStores.sha256("cache-key-" + System.nanoTime());
        EmbedSession session = session(a, Duration.ofMinutes(15));
        LinkStore.Link link = new LinkStore.Link(
                session.id(),
                "uid-1",
                List.of("docs"),
                clock.instant(),
                clock.instant().plusSeconds(900));
        a.links().put(keyHash, link);

        List<Optional<LinkStore.Link>> results =
                TestStores.race(100, i -> (i % 2 == 0 ? a : b).links().take(keyHash));

        assertEquals(1, results.stream().filter(Optional::isPresent).count());
        assertEquals(Optional.empty(), b.links().peek(keyHash));
    }

    @Test
    void rateLimitWhenUsedOnBothNodesThenExactAcrossThem() throws Exception {
        String key = "visitor|key|agent|" + System.nanoTime();
        List<RateLimitStore.Limit> limits = List.of(new RateLimitStore.Limit("minute", 30, 30, Duration.ofMinutes(1)));

        List<Integer> allowed = TestStores.race(40, i -> {
            EmbedStore node = i % 2 == 0 ? a : b;
            int mine = 0;
            for (int n = 0; n < 3; n++) {
                if (node.rateLimits().tryAcquire(key, limits).allowed()) {
                    mine++;
                }
            }
            return mine;
        });

        assertEquals(30, allowed.stream().mapToInt(Integer::intValue).sum());
        assertFalse(a.rateLimits().tryAcquire(key, limits).allowed());
        assertFalse(b.rateLimits().tryAcquire(key, limits).allowed());
    }

    @Test
    void messageWhenStoredOnOneNodeThenTheOtherIsToldWithinOneSecondAndPagesIt() throws Exception {
        EmbedSession session = session(a, Duration.ofHours(1));
        // B has read the (empty) history: its copy must not hide what A stores next.
        assertEquals(
                List.of(),
                b.messages().page(session.id(), null, null, 10).orElseThrow().messages());
        heardByA.clear();
        heardByB.clear();

        long start = System.nanoTime();
        ChatMessage message = a.messages().appendUserMessage(session, "hello from A", null, clock.instant());

        assertEquals("stored " + session.id(), heardByA.poll(), "the writing node is told before the call returns");
        assertEquals("stored " + session.id(), heardByB.poll(1, TimeUnit.SECONDS));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("two nodes: the other node heard the message after " + millis + " ms");
        assertTrue(millis < 1000, () -> "took " + millis + " ms");
        assertEquals(
                List.of(message),
                b.messages().page(session.id(), null, null, 10).orElseThrow().messages());
    }

    @Test
    void wakeupWhenAnotherNodeWritesThenANotificationWakesTheFeedNotThePolling() throws Exception {
        JdbcStore slowPoller = TestStores.open(url, a.tables().prefix(), clock, "embed.store.jdbc.pollMillis", "1000");
        opened.add(slowPoller);
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        slowPoller.addListener(new EmbedStore.Listener() {
            @Override
            public void messageStored(String sessionId) {
                heard.add(sessionId);
            }

            @Override
            public void sessionEnded(String sessionId) {}
        });
        assertTrue(slowPoller.feed().listening(), "the node LISTENs on its own connection");
        EmbedSession session = session(a, Duration.ofHours(1));
        long before = slowPoller.feed().notified();

        a.messages().appendUserMessage(session, "ping", null, clock.instant());

        assertEquals(session.id(), heard.poll(1, TimeUnit.SECONDS));
        assertTrue(slowPoller.feed().notified() > before, "NOTIFY ended the feed's wait");
    }

    @Test
    void replyWhenStoredOnOneNodeThenTheOthersCopyOfTheHistoryShowsItWithinOneSecond() throws Exception {
        EmbedSession session = session(a, Duration.ofHours(1));
        ChatMessage question = a.messages().appendUserMessage(session, "question", null, clock.instant());
        waitUntil(() -> b.messages()
                        .page(session.id(), null, null, 10)
                        .orElseThrow()
                        .messages()
                        .size()
                == 1);
        MessageStore.Turn turn = b.messages()
                .claimNext(session.id(), "node-b", clock.instant().plusSeconds(30))
                .orElseThrow();
        ChatMessage reply = b.messages().reply(turn, "answer", clock.instant()).orElseThrow();

        waitUntil(() -> a.messages()
                        .page(session.id(), question.id(), null, 10)
                        .orElseThrow()
                        .messages()
                        .size()
                == 1);

        assertEquals(
                List.of(reply),
                a.messages()
                        .page(session.id(), question.id(), null, 10)
                        .orElseThrow()
                        .messages());
        assertFalse(
                a.messages().page(session.id(), null, null, 10).orElseThrow().responding());
    }

    @Test
    void sessionWhenEndedOnOneNodeThenGoneOnTheOtherWithinOneSecond() throws Exception {
        EmbedSession session = session(a, Duration.ofHours(1));
        assertEquals(Optional.of(session), b.sessions().find(session.id()), "B has a copy now");
        heardByB.clear();

        a.sessions().end(session.id());

        assertEquals("ended " + session.id(), heardByA.poll());
        assertEquals("ended " + session.id(), heardByB.poll(1, TimeUnit.SECONDS));
        assertEquals(Optional.empty(), b.sessions().find(session.id()));
    }

    @Test
    void sessionWhenExtendedOnOneNodeThenTheOtherSeesTheNewExpiry() throws Exception {
        EmbedSession session = session(a, Duration.ofHours(1));
        assertEquals(Optional.of(session), b.sessions().find(session.id()));
        Instant later = clock.instant().plus(Duration.ofHours(5));

        a.sessions().extend(session.id(), later);

        waitUntil(() ->
                b.sessions().find(session.id()).map(EmbedSession::expiresAt).equals(Optional.of(later)));
    }

    @Test
    void revocationWhenMadeOnOneNodeThenAtOnceThereAndWithinOneSecondOnTheOther() throws Exception {
        String sessionId = "ses_" + System.nanoTime();
        String jti = "jti_" + System.nanoTime();

        long start = System.nanoTime();
        a.revocations().revokeSession(sessionId, clock.instant().plus(Duration.ofHours(1)));
        a.revocations().revokeToken(jti, clock.instant().plus(Duration.ofHours(1)));

        assertTrue(a.revocations().isSessionRevoked(sessionId), "at once on the node that revoked");
        assertTrue(a.revocations().isTokenRevoked(jti));
        waitUntil(() ->
                b.revocations().isSessionRevoked(sessionId) && b.revocations().isTokenRevoked(jti));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("two nodes: the other node held both revocations after " + millis + " ms");
        assertTrue(millis < 1000, () -> "took " + millis + " ms");
    }

    @Test
    void turnWhenItsNodeDiesMidReplyThenTheOtherAnswersItOnceAfterTheLease() {
        EmbedSession session = session(a, Duration.ofHours(1));
        ChatMessage question = a.messages().appendUserMessage(session, "question", null, clock.instant());
        MessageStore.Turn dying = a.messages()
                .claimNext(session.id(), "node-a", clock.instant().plusSeconds(30))
                .orElseThrow();
        a.close();

        assertEquals(
                List.of(),
                turnsOf(
                        session,
                        b.messages()
                                .claimStale(
                                        "node-b",
                                        clock.instant(),
                                        clock.instant().plusSeconds(30),
                                        10)));
        clock.advance(Duration.ofSeconds(31));
        List<MessageStore.Turn> taken = turnsOf(
                session,
                b.messages()
                        .claimStale("node-b", clock.instant(), clock.instant().plusSeconds(30), 10));
        assertEquals(1, taken.size());
        assertEquals(question, taken.get(0).message());
        assertTrue(b.messages()
                .reply(taken.get(0), "answered by B", clock.instant())
                .isPresent());

        // Node A comes back and finishes the reply it had started: dropped.
        JdbcStore restarted = node(a.tables().prefix(), new LinkedBlockingQueue<>());
        assertEquals(Optional.empty(), restarted.messages().reply(dying, "answered by A", clock.instant()));
        assertEquals(
                List.of("question", "answered by B"),
                restarted.messages().page(session.id(), null, null, 10).orElseThrow().messages().stream()
                        .map(ChatMessage::content)
                        .toList());
    }

    @Test
    void schemaWhenTwoNodesUpgradeAnEmptyDatabaseAtOnceThenBothStartAndItIsAppliedOnce() throws Exception {
        String fresh = EmbeddedPg.newDatabase("upgrade_race");
        CyclicBarrier together = new CyclicBarrier(2);

        List<JdbcStore> stores = TestStores.race(2, i -> {
            together.await();
            return TestStores.open(fresh, "embed_", clock);
        });
        opened.addAll(stores);

        EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
        stores.get(0).sessions().create(session);
        assertEquals(Optional.of(session), stores.get(1).sessions().find(session.id()));
        try (Connection connection = DriverManager.getConnection(fresh);
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT version, COUNT(*) FROM embed_schema_version GROUP BY version")) {
            assertTrue(rows.next());
            assertEquals(1, rows.getInt(1));
            assertEquals(1, rows.getInt(2));
            assertFalse(rows.next());
        }
    }

    private JdbcStore node(String prefix, BlockingQueue<String> heard) {
        JdbcStore node = TestStores.open(url, prefix, clock, "embed.store.jdbc.pollMillis", "250");
        node.addListener(new EmbedStore.Listener() {
            @Override
            public void messageStored(String sessionId) {
                heard.add("stored " + sessionId);
            }

            @Override
            public void sessionEnded(String sessionId) {
                heard.add("ended " + sessionId);
            }
        });
        opened.add(node);
        return node;
    }

    private EmbedSession session(EmbedStore store, Duration ttl) {
        EmbedSession session = TestStores.session(clock, ttl);
        store.sessions().create(session);
        return session;
    }

    private static List<MessageStore.Turn> turnsOf(EmbedSession session, List<MessageStore.Turn> turns) {
        return turns.stream().filter(t -> t.sessionId().equals(session.id())).toList();
    }

    /** Waits up to a second for the condition, checking every 10 ms. */
    static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within one second");
            }
            Thread.sleep(10);
        }
    }
}
