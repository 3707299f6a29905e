package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the memory store does beyond the store contract ({@link MemoryStoreContractTest}): its id
 * format, its bounds by count, and the buckets it never drops early.
 */
class MemoryStoreTest {
    private static final RateLimitStore.Limit MINTS = new RateLimitStore.Limit("mints", 5, 10, Duration.ofMinutes(1));

    private final MutableClock clock = MutableClock.start();

    private EmbedSession session(MemoryStore store, String id) {
        Instant now = clock.instant();
        EmbedSession session = new EmbedSession(
                id,
                "acme",
                "demo",
                "support",
                "u",
                null,
                "chat",
                "session",
                now,
                now.plusSeconds(3600),
                List.of(),
                null);
        store.sessions().create(session);
        return session;
    }

    private static ChatMessage answer(MemoryStore store, EmbedSession session, String text, Instant at) {
        MessageStore.Turn turn = store.messages()
                .claimNext(session.id(), "node", at.plusSeconds(60))
                .orElseThrow();
        return store.messages().reply(turn, text, at).orElseThrow();
    }

    // ---------------------------------------------------------------- ids and history

    @Test
    void appendWhenSeveralThenIdsArePositionsInBase36AndRepliesTheirMessagesPlusR() {
        MemoryStore store = new MemoryStore(clock, 10, 1000);
        EmbedSession session = session(store, "ses_a");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            ChatMessage question = store.messages().appendUserMessage(session, "q" + i, null, clock.instant());
            ids.add(question.id());
            ids.add(answer(store, session, "a" + i, clock.instant()).id());
        }

        assertEquals("msg_000000000001", ids.get(0));
        assertEquals("msg_000000000001r", ids.get(1));
        assertEquals("msg_000000000003", ids.get(2));
        assertEquals("msg_00000000000z", ids.get(34), "position 35");
        assertEquals("msg_00000000000zr", ids.get(35));
        assertEquals(
                "msg_000000000001",
                store.messages()
                        .appendUserMessage(session(store, "ses_b"), "other", null, clock.instant())
                        .id(),
                "each session counts on its own");
    }

    @Test
    void appendWhenOverTheCapThenOldestDroppedAndTheirCursorsStillCount() {
        MemoryStore store = new MemoryStore(clock, 10, 3);
        EmbedSession session = session(store, "ses_a");
        ChatMessage first = store.messages().appendUserMessage(session, "m1", null, clock.instant());
        ChatMessage firstReply = answer(store, session, "r1", clock.instant());
        for (int i = 2; i <= 4; i++) {
            store.messages().appendUserMessage(session, "m" + i, null, clock.instant());
            answer(store, session, "r" + i, clock.instant());
        }

        assertEquals(List.of("r3", "m4", "r4"), contents(page(store, null, null)));
        assertEquals(List.of("r3", "m4", "r4"), contents(page(store, first.id(), null)));
        assertEquals(List.of("r3", "m4", "r4"), contents(page(store, firstReply.id(), null)));
        assertEquals(List.of("r4"), contents(page(store, "msg_000000000007", null)));
        assertEquals(List.of(), contents(page(store, null, first.id())));
        assertEquals(Optional.empty(), store.messages().page("ses_a", "msg_000000000009", null, 10));
        assertEquals(
                Optional.empty(),
                store.messages().page("ses_a", "msg_000000000006r", null, 10),
                "position 6 holds a reply: msg_6r was never an id");
    }

    @Test
    void constructorWhenCapBelowTwoOrNoRoomThenRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryStore(clock, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new MemoryStore(clock, 0, 10));
    }

    @Test
    void sessionsWhenMoreThanMaximumThenNewOnesRefusedAndNoneEvicted() {
        MemoryStore store = new MemoryStore(clock, 5, 10);
        for (int i = 0; i < 5; i++) {
            session(store, "ses_" + i);
        }

        EmbedException full = assertThrows(EmbedException.class, () -> session(store, "ses_5"));

        assertEquals(429, full.error().status());
        assertTrue(full.error().retryAfterSeconds() >= 1);
        assertEquals(5, store.sessionCount());
        for (int i = 0; i < 5; i++) {
            assertTrue(store.sessions().find("ses_" + i).isPresent(), "ses_" + i + " evicted");
        }
        clock.advance(Duration.ofHours(2));
        session(store, "ses_5"); // expired sessions make room
    }

    @Test
    void chatMessageWhenWrittenThenJsonOfDesignSection4() {
        ChatMessage message =
                new ChatMessage("msg_000000000001", "user", "hi", Instant.parse("2026-01-01T10:00:00.5Z"));

        assertEquals(
                "{\"id\":\"msg_000000000001\",\"role\":\"user\",\"content\":\"hi\",\"createdAt\":\"2026-01-01T10:00:00.500Z\"}",
                Json.write(ChatService.json(message)));
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("m", "system", "x", Instant.EPOCH));
    }

    // ---------------------------------------------------------------- revocations

    @ParameterizedTest
    @ValueSource(strings = {"2262-04-12T00:00:00Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59Z"})
    void revokeWhenForeverThenStaysRevoked(String until) {
        MemoryStore store = new MemoryStore(clock, 10, 10);
        store.revocations().revokeSession("sess-1", Instant.parse(until));
        store.revocations().revokeToken("jti-1", Instant.parse(until));

        clock.advance(Duration.ofDays(3650));

        assertTrue(store.revocations().isSessionRevoked("sess-1"), "a far-future revocation must not be lost");
        assertTrue(store.revocations().isTokenRevoked("jti-1"), "a far-future revocation must not be lost");
    }

    @Test
    void revokeWhenInstantAlreadyPassedThenNotRevoked() {
        MemoryStore store = new MemoryStore(clock, 10, 10);
        store.revocations().revokeSession("sess-1", clock.instant().minusSeconds(1));

        assertFalse(store.revocations().isSessionRevoked("sess-1"));
    }

    // ---------------------------------------------------------------- rate limits

    @Test
    void tryAcquireWhenBurstSpentThenRefusedUntilTheClockRefillsAPermit() {
        MemoryStore store = new MemoryStore(clock, 10, 10);
        for (int i = 0; i < 5; i++) {
            assertTrue(store.rateLimits().tryAcquire("visitor", List.of(MINTS)).allowed());
        }
        RateLimitStore.Decision refused = store.rateLimits().tryAcquire("visitor", List.of(MINTS));
        assertFalse(refused.allowed());
        assertEquals(6, refused.retryAfterSeconds(), "one permit in 6 s at 10 a minute");

        clock.advance(Duration.ofSeconds(6));

        assertTrue(store.rateLimits().tryAcquire("visitor", List.of(MINTS)).allowed());
        assertFalse(store.rateLimits().tryAcquire("visitor", List.of(MINTS)).allowed());
    }

    @Test
    void tryAcquireWhenSeveralWindowsThenTheLongestWaitIsAnswered() {
        MemoryStore store = new MemoryStore(clock, 10, 10);
        RateLimitStore.Limit hourly = new RateLimitStore.Limit("hourly", 2, 2, Duration.ofHours(1));
        RateLimitStore.Limit daily = new RateLimitStore.Limit("daily", 3, 3, Duration.ofDays(1));
        assertTrue(store.rateLimits().tryAcquire("uid", List.of(hourly, daily)).allowed());
        assertTrue(store.rateLimits().tryAcquire("uid", List.of(hourly, daily)).allowed());
        clock.advance(Duration.ofHours(1));
        assertTrue(store.rateLimits().tryAcquire("uid", List.of(hourly, daily)).allowed());

        RateLimitStore.Decision daySpent = store.rateLimits().tryAcquire("uid", List.of(hourly, daily));

        assertFalse(daySpent.allowed());
        assertEquals(Duration.ofHours(7).toSeconds(), daySpent.retryAfterSeconds(), "7/8 of a daily permit, 8 h each");
    }

    @Test
    void tryAcquireWhenBucketWouldBeFullAgainThenItsStateIsDropped() {
        MemoryStore store = new MemoryStore(clock, 10, 10);
        store.rateLimits().tryAcquire("visitor", List.of(MINTS));
        assertEquals(1, store.entries());

        clock.advance(Duration.ofSeconds(6));

        assertEquals(0, store.entries());
        for (int i = 0; i < 5; i++) {
            assertTrue(store.rateLimits().tryAcquire("visitor", List.of(MINTS)).allowed());
        }
    }

    @Test
    void tryAcquireWhenEveryStateIsHeldThenANewKeyIsRefusedAndNoneIsForgotten() {
        MemoryStore store = new MemoryStore(clock, 3, 10);
        for (int i = 0; i < 3; i++) {
            for (int n = 0; n < 5; n++) {
                assertTrue(store.rateLimits()
                        .tryAcquire("key-" + i, List.of(MINTS))
                        .allowed());
            }
        }

        EmbedException full =
                assertThrows(EmbedException.class, () -> store.rateLimits().tryAcquire("key-new", List.of(MINTS)));

        assertEquals(429, full.error().status());
        assertTrue(full.error().retryAfterSeconds() >= 1);
        for (int i = 0; i < 3; i++) {
            assertFalse(
                    store.rateLimits().tryAcquire("key-" + i, List.of(MINTS)).allowed(), "key-" + i + " forgotten");
        }
        clock.advance(Duration.ofSeconds(31));
        assertTrue(store.rateLimits().tryAcquire("key-new", List.of(MINTS)).allowed(), "room again once full again");
    }

    private Optional<MessageStore.Page> pageOf(MemoryStore store, String after, String before) {
        return store.messages().page("ses_a", after, before, 10);
    }

    private List<ChatMessage> page(MemoryStore store, String after, String before) {
        return pageOf(store, after, before).orElseThrow().messages();
    }

    private static List<String> contents(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::content).toList();
    }
}
