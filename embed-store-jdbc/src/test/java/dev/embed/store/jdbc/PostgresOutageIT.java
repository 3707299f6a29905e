package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.RateLimitStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stops under two open stores: every call that needs it fails with 503 and {@code
 * Retry-After} within a bounded time (never a hang), the hot path keeps answering from memory, and
 * when PostgreSQL is started again the stores serve again by themselves, notifications included.
 */
class PostgresOutageIT {
    /** Generous: the store's own bound is about twice its 2 s timeout. */
    private static final long BOUND_MILLIS = 10_000;

    @Test
    void databaseWhenStoppedAndStartedAgainThen503WithinABoundThenServiceResumes() throws Exception {
        Path data = Path.of("target", "pg-outage-" + System.nanoTime()).toAbsolutePath();
        int port = EmbeddedPg.freePort();
        EmbeddedPostgres server = EmbeddedPg.start(data, port);
        String url = server.getJdbcUrl("postgres", "postgres");
        String prefix = TestStores.newPrefix();
        Clock clock = Clock.systemUTC();
        String[] settings = {"embed.store.jdbc.timeoutSeconds", "2", "embed.store.jdbc.pollMillis", "100"};
        JdbcStore store = TestStores.open(url, prefix, clock, settings);
        JdbcStore other = TestStores.open(url, prefix, clock, settings);
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        other.addListener(new EmbedStore.Listener() {
            @Override
            public void messageStored(String sessionId) {
                heard.add(sessionId);
            }

            @Override
            public void sessionEnded(String sessionId) {}
        });
        try {
            EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
            store.sessions().create(session);
            ChatMessage before = store.messages().appendUserMessage(session, "before", null, clock.instant());
            store.revocations().revokeToken("jti-known", clock.instant().plusSeconds(3600));

            server.close();

            Map<String, Runnable> calls = new LinkedHashMap<>();
            calls.put("find", () -> store.sessions().find("ses_unknown_" + System.nanoTime()));
            calls.put("create", () -> store.sessions().create(TestStores.session(clock, Duration.ofHours(1))));
            calls.put("append", () -> store.messages().appendUserMessage(session, "during", null, clock.instant()));
            calls.put("page", () -> store.messages().page(session.id(), null, null, 10));
            calls.put("claimStale", () -> store.messages().claimStale("n", clock.instant(), clock.instant(), 10));
            calls.put(
                    "revoke",
                    () -> store.revocations()
                            .revokeSession("ses_x", clock.instant().plusSeconds(60)));
            calls.put("take", () -> store.links().take(TestStores.sha256("k")));
            calls.put(
                    "tryAcquire",
                    () -> store.rateLimits()
                            .tryAcquire("k", List.of(new RateLimitStore.Limit("m", 1, 1, Duration.ofMinutes(1)))));
            calls.put("end", () -> other.sessions().end(session.id()));
            for (Map.Entry<String, Runnable> call : calls.entrySet()) {
                long start = System.nanoTime();
                try {
                    call.getValue().run();
                    fail(call.getKey() + " succeeded with the database stopped");
                } catch (EmbedException e) {
                    assertEquals(503, e.error().status(), call.getKey());
                    assertEquals("temporarily_unavailable", e.error().code());
                    assertTrue(e.error().retryAfterSeconds() >= 1, call.getKey());
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("outage: " + call.getKey() + " answered 503 after " + millis + " ms");
                assertTrue(millis < BOUND_MILLIS, () -> call.getKey() + " took " + millis + " ms");
            }
            assertTrue(store.revocations().isTokenRevoked("jti-known"), "revocation checks never need the database");
            assertFalse(store.revocations().isSessionRevoked(session.id()));

            server = EmbeddedPg.start(data, port);

            long restarted = System.nanoTime();
            ChatMessage after =
                    retry(() -> store.messages().appendUserMessage(session, "after", null, clock.instant()));
            System.out.println("outage: served again " + (System.nanoTime() - restarted) / 1_000_000
                    + " ms after PostgreSQL was started again");
            assertEquals(Optional.of(session), store.sessions().find(session.id()));
            assertEquals(
                    List.of(before.content(), after.content()),
                    store.messages().page(session.id(), null, null, 10).orElseThrow().messages().stream()
                            .map(ChatMessage::content)
                            .toList());
            heard.clear();
            store.messages().appendUserMessage(session, "heard by the other node?", null, clock.instant());
            assertEquals(session.id(), heard.poll(5, TimeUnit.SECONDS), "the other node hears changes again");
        } finally {
            store.close();
            other.close();
            server.close();
        }
    }

    /** Retries while the store answers 503, for up to 30 s. */
    private static <T> T retry(java.util.function.Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return call.get();
            } catch (EmbedException e) {
                if (e.error().status() != 503 || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
