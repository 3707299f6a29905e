package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.LinkStore;
import dev.embed.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is particular to the jdbc store, beyond the contract every store keeps. */
class JdbcStoreTest {
    private final MutableClock clock = MutableClock.start();
    private final String url = "jdbc:h2:mem:jdbc_store_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    private JdbcStore store;

    @BeforeEach
    void open() {
        store = TestStores.open(url, "embed_", clock, "embed.store.jdbc.maxSessionBytes", "65536");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void sweepWhenManyRowsExpiredThenBoundedBatchesPerRunAndTheNextRunGoesOn() {
        int expired = 10_500;
        long until = clock.millis() + 60_000;
        store.db().transaction("insert", connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO embed_link (key_hash, session_id,"
                    + " subject, data, created_at, expires_at) VALUES (?, 'ses_x', 'uid', '{\"sources\":[]}', 0, ?)")) {
                for (int i = 0; i < expired; i++) {
                    insert.setString(1, TestStores.sha256("key " + i));
                    insert.setLong(2, until);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
        clock.advance(Duration.ofMinutes(2));

        assertEquals(10_000, store.sweep(), "20 batches of 500 at most per run");
        assertEquals(500, store.sweep());
        assertEquals(0, store.sweep());
    }

    @Test
    void appendWhenTheSessionsTextBudgetIsSpentThenRateLimitedAndNothingStored() {
        EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
        store.sessions().create(session);
        String text = "x".repeat(30_000);
        store.messages().appendUserMessage(session, text, null, clock.instant());
        store.messages().appendUserMessage(session, text, null, clock.instant());

        EmbedException e = assertThrows(
                EmbedException.class, () -> store.messages().appendUserMessage(session, text, null, clock.instant()));

        assertEquals(429, e.error().status());
        assertTrue(e.error().description().contains("65536 bytes"), e.error().description());
        assertEquals(
                2,
                store.messages()
                        .page(session.id(), null, null, 10)
                        .orElseThrow()
                        .messages()
                        .size());
    }

    @Test
    void messageIdsWhenStoredThenTheSessionsSequenceInBase36AndRepliesSuffixed() {
        EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
        store.sessions().create(session);

        ChatMessage first = store.messages().appendUserMessage(session, "one", null, clock.instant());
        ChatMessage second = store.messages().appendUserMessage(session, "two", null, clock.instant());
        ChatMessage reply = store.messages()
                .reply(
                        store.messages()
                                .claimNext(session.id(), "n", clock.instant().plusSeconds(30))
                                .orElseThrow(),
                        "re",
                        clock.instant())
                .orElseThrow();

        assertEquals("msg_000000000001", first.id());
        assertEquals("msg_000000000002", second.id());
        assertEquals("msg_000000000001r", reply.id());
    }

    @Test
    void linkWhenKeyIsNotAHashThenRefusedWithoutEchoingIt() {
        String cacheKey = "ck_the-raw-cache-key-itself";
        LinkStore.Link link = new LinkStore.Link(
                "ses_x", "uid", List.of(), clock.instant(), clock.instant().plusSeconds(60));

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> store.links().put(cacheKey, link));

        assertFalse(e.getMessage().contains(cacheKey), e.getMessage());
        assertEquals(Optional.empty(), store.links().take(cacheKey));
        assertEquals(Optional.empty(), store.links().peek(cacheKey));
    }

    @Test
    void durableWhenInMemoryThenFalseAndOnAFileThenTrue() {
        assertFalse(store.durable());
        try (JdbcStore file = TestStores.open(
                "jdbc:h2:file:"
                        + Path.of("target", "h2", "durable-" + System.nanoTime())
                                .toAbsolutePath(),
                "embed_",
                clock)) {
            assertTrue(file.durable());
            assertTrue(file.describe().startsWith("jdbc (H2 2."), file.describe());
        }
    }

    @Test
    void rateLimitWhenStoredThenOnlyTheKeysHashIsKept() throws Exception {
        String key = "visitor|key-1|support|fingerprint-in-the-clear";
        store.rateLimits()
                .tryAcquire(key, List.of(new dev.embed.store.RateLimitStore.Limit("m", 1, 1, Duration.ofMinutes(1))));

        String kept = store.db().read("read", connection -> {
            try (PreparedStatement statement =
                            connection.prepareStatement("SELECT key_hash, state FROM embed_rate_limit");
                    var rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1) + " " + rows.getString(2);
            }
        });

        assertTrue(kept.startsWith(TestStores.sha256(key) + " "), kept);
        assertFalse(kept.contains("fingerprint"), kept);
    }

    @Test
    void cacheWhenTheChangeFeedStopsThenReadsGoToTheDatabase() throws Exception {
        EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
        store.sessions().create(session);
        try (JdbcStore other = TestStores.open(url, "embed_", clock)) {
            assertEquals(
                    List.of(),
                    other.messages()
                            .page(session.id(), null, null, 10)
                            .orElseThrow()
                            .messages());
            assertTrue(other.cache().size() > 0, "the other store keeps copies");
            other.feed().close();
            Thread.sleep(800);

            ChatMessage message = store.messages().appendUserMessage(session, "hello", null, clock.instant());

            assertEquals(
                    List.of(message),
                    other.messages()
                            .page(session.id(), null, null, 10)
                            .orElseThrow()
                            .messages(),
                    "a store whose feed is stale does not trust its copies");
        }
    }

    @Test
    void cacheWhenACopyWasReadBeforeAnInvalidationThenItIsNotKept() {
        LocalCache cache = new LocalCache(1024 * 1024, () -> true);
        EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
        long generation = cache.generation(session.id());

        cache.invalidate(session.id());
        cache.putSession(session, generation);

        assertEquals(null, cache.session(session.id()));
        cache.putSession(session, cache.generation(session.id()));
        assertEquals(session, cache.session(session.id()));
    }

    @Test
    void connectionWhenUsedByTheStoreThenItHasAQueryTimeout() throws Exception {
        int timeout = store.db().read("read", connection -> {
            try (PreparedStatement statement = store.db().prepare(connection, "SELECT 1")) {
                return statement.getQueryTimeout();
            }
        });

        assertEquals(5, timeout);
        try (Connection connection = store.db().borrow()) {
            assertTrue(connection.isValid(1));
        }
    }
}
