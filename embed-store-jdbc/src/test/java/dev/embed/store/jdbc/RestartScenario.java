package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.ChatMessage;
import dev.embed.store.EmbedSession;
import dev.embed.store.LinkStore;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * "Nothing acknowledged is lost" (DESIGN §8): what one store acknowledged is there for the next
 * store opened on the same database after the first is closed: sessions with their owners,
 * messages, revocations, redeemed links (still unusable), rate-limit counts, and a turn its node
 * claimed but never answered (answered after the lease by the new one).
 */
final class RestartScenario {
    private RestartScenario() {}

    static void run(Function<Clock, JdbcStore> open) {
        MutableClock clock = MutableClock.start();
        EmbedSession session = TestStores.session(clock, Duration.ofHours(2));
        String revokedSession = "ses_revoked_" + System.nanoTime();
        String revokedToken = "jti_" + System.nanoTime();
        String usedLink = TestStores.sha256("used " + System.nanoTime());
        String waitingLink = TestStores.sha256("waiting " + System.nanoTime());
        String bucket = "uid|tenant-a|uid-1|" + System.nanoTime();
        List<RateLimitStore.Limit> limits = List.of(new RateLimitStore.Limit("hourly", 2, 2, Duration.ofHours(1)));
        LinkStore.Link link = new LinkStore.Link(
                session.id(),
                "user-1",
                List.of("docs"),
                clock.instant(),
                clock.instant().plusSeconds(900));
        List<ChatMessage> history = new ArrayList<>();
        ChatMessage unanswered;

        try (JdbcStore before = open.apply(clock)) {
            before.sessions().create(session);
            for (int i = 0; i < 2; i++) {
                history.add(before.messages().appendUserMessage(session, "question " + i, null, clock.instant()));
                MessageStore.Turn turn = before.messages()
                        .claimNext(session.id(), "node-a", clock.instant().plusSeconds(30))
                        .orElseThrow();
                history.add(before.messages()
                        .reply(turn, "answer " + i, clock.instant())
                        .orElseThrow());
            }
            unanswered = before.messages().appendUserMessage(session, "the node dies now", "agent", clock.instant());
            history.add(unanswered);
            assertTrue(before.messages()
                    .claimNext(session.id(), "node-a", clock.instant().plusSeconds(30))
                    .isPresent());
            before.revocations().revokeSession(revokedSession, clock.instant().plus(Duration.ofHours(1)));
            before.revocations().revokeToken(revokedToken, clock.instant().plus(Duration.ofHours(1)));
            before.links().put(usedLink, link);
            before.links().put(waitingLink, link);
            assertTrue(before.links().take(usedLink).isPresent());
            assertTrue(before.rateLimits().tryAcquire(bucket, limits).allowed());
            assertTrue(before.rateLimits().tryAcquire(bucket, limits).allowed());
            assertFalse(before.rateLimits().tryAcquire(bucket, limits).allowed());
        }

        try (JdbcStore after = open.apply(clock)) {
            assertEquals(Optional.of(session), after.sessions().find(session.id()));
            MessageStore.Page page =
                    after.messages().page(session.id(), null, null, 100).orElseThrow();
            assertEquals(history, page.messages());
            assertTrue(page.responding());
            assertTrue(after.revocations().isSessionRevoked(revokedSession));
            assertTrue(after.revocations().isTokenRevoked(revokedToken));
            assertEquals(Optional.empty(), after.links().take(usedLink));
            assertEquals(Optional.of(link), after.links().take(waitingLink));
            assertFalse(after.rateLimits().tryAcquire(bucket, limits).allowed());

            assertEquals(
                    Optional.empty(),
                    after.messages()
                            .claimNext(session.id(), "node-b", clock.instant().plusSeconds(30)));
            clock.advance(Duration.ofSeconds(31));
            List<MessageStore.Turn> stale =
                    after
                            .messages()
                            .claimStale(
                                    "node-b", clock.instant(), clock.instant().plusSeconds(30), 10)
                            .stream()
                            .filter(t -> t.sessionId().equals(session.id()))
                            .toList();
            assertEquals(1, stale.size());
            assertEquals(unanswered, stale.get(0).message());
            assertEquals("agent", stale.get(0).mode());
            assertTrue(after.messages()
                    .reply(stale.get(0), "answered after the restart", clock.instant())
                    .isPresent());
            assertEquals(
                    history.size() + 1,
                    after.messages()
                            .page(session.id(), null, null, 100)
                            .orElseThrow()
                            .messages()
                            .size());
        }
    }
}
