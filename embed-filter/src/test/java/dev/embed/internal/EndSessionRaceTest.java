package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ending a session (DESIGN §3.1) while its owner's backend continues it: whatever the interleaving,
 * no token of the session works once the {@code DELETE} has answered, then or later. The
 * interleavings are forced with a registry that holds a thread inside {@code save}, on a clock the
 * test moves.
 */
class EndSessionRaceTest {
    private final MutableClock clock = MutableClock.start();
    private final GatedRegistry registry = new GatedRegistry(new InMemorySessionRegistry(clock, 1_000));
    private Embed embed;

    @AfterEach
    void close() {
        if (embed != null) {
            embed.close();
        }
    }

    private Embed embed() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("embed.signing.secret", TestKeys.SECRET);
        config.put("embed.apiKey.acme", TestKeys.acmeLine());
        config.put("embed.agents", "demo/support");
        embed = Embed.builder(EmbedConfig.of(config))
                .clock(clock)
                .sessions(registry)
                .build();
        return embed;
    }

    /**
     * Regression (issue 8): a continuation that passed its revocation check just before the
     * {@code DELETE} revoked the session, and saved after it, minted a token living a day while the
     * revocation lasted only as long as the session's earlier tokens: once that shorter revocation
     * expired, the token of the ended session verified again.
     */
    @Test
    void endSessionWhenContinuationRacesItThenItsTokenNeverVerifiesLater() throws Exception {
        Embed embed = embed();
        ApiKey key =
                embed.apiKeys().findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY)).orElseThrow();
        Map<String, Object> first = embed.mint()
                .mintEmbedSession(
                        key,
                        "demo",
                        "support",
                        Map.of("externalUserId", "u", "ttlSeconds", 60L),
                        "https://app.example");
        String sid = (String) first.get("sessionId");

        registry.holdNextSave();
        CompletableFuture<Map<String, Object>> racing = CompletableFuture.supplyAsync(() -> embed.mint()
                .mintEmbedSession(
                        key,
                        "demo",
                        "support",
                        Map.of("externalUserId", "u", "sessionId", sid, "ttlSeconds", 86_400L),
                        "https://app.example"));
        assertTrue(registry.held.await(10, TimeUnit.SECONDS), "the continuation never reached save");
        embed.mint().endSession(key, "demo", "support", sid); // the DELETE answers here
        registry.release.countDown();
        String racingToken = (String) racing.get(10, TimeUnit.SECONDS).get("token");

        assertRevoked(embed, racingToken);
        assertRevoked(embed, (String) first.get("token"));
        for (Duration later : new Duration[] {Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofHours(23)}) {
            clock.set(MutableClock.start().instant().plus(later));
            assertRevoked(embed, racingToken);
        }
        // Nor can the session be continued again.
        EmbedException again = assertThrows(
                EmbedException.class,
                () -> embed.mint()
                        .mintEmbedSession(
                                key,
                                "demo",
                                "support",
                                Map.of("externalUserId", "u", "sessionId", sid),
                                "https://app.example"));
        assertEquals(404, again.error().status());
    }

    private static void assertRevoked(Embed embed, String token) {
        EmbedException e = assertThrows(
                EmbedException.class, () -> embed.tokens().verify(token), "a token of the ended session verified");
        assertEquals(401, e.error().status());
    }

    /** Delegates to a real registry; holds the next {@code save} until released. */
    private static final class GatedRegistry implements SessionRegistry {
        private final SessionRegistry delegate;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private volatile boolean holdNext;

        GatedRegistry(SessionRegistry delegate) {
            this.delegate = delegate;
        }

        void holdNextSave() {
            holdNext = true;
        }

        @Override
        public void save(EmbedSession session) {
            if (holdNext) {
                holdNext = false;
                held.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delegate.save(session);
        }

        @Override
        public Optional<EmbedSession> find(String sessionId) {
            return delegate.find(sessionId);
        }

        @Override
        public boolean end(String sessionId) {
            return delegate.end(sessionId);
        }
    }
}
