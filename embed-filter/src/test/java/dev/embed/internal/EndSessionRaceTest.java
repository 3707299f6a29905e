package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.LinkStore;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.store.RevocationStore;
import dev.embed.store.SessionStore;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ending a session (DESIGN §3.1) while its owner's backend continues it: whatever the interleaving,
 * no token of the session works once the {@code DELETE} has answered, then or later. The
 * interleavings are forced with a store that holds a thread just before, or just after, the
 * continuation extends the session, on a clock the test moves.
 */
class EndSessionRaceTest {
    private final MutableClock clock = MutableClock.start();
    private final GatedStore store = new GatedStore(new MemoryStore(clock, 1_000, 100));
    private Embed embed;

    /** Where the continuation is held while the session is ended. */
    enum Hold {
        /** It found the session live and is about to extend it: the extension then fails. */
        BEFORE_EXTEND,
        /** It extended the session and is about to sign: the token it then signs is revoked. */
        AFTER_EXTEND
    }

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
        embed = Embed.builder(EmbedConfig.of(config)).clock(clock).store(store).build();
        return embed;
    }

    /**
     * Regression (issue 8): a continuation that passed its revocation check just before the
     * {@code DELETE} revoked the session, and saved after it, minted a token living a day while the
     * revocation lasted only as long as the session's earlier tokens: once that shorter revocation
     * expired, the token of the ended session verified again. Now: either nothing is minted (the
     * session is no longer live when the continuation extends it), or what is minted is revoked for
     * as long as it can live.
     */
    @ParameterizedTest
    @EnumSource(Hold.class)
    void endSessionWhenContinuationRacesItThenItsTokenNeverVerifiesLater(Hold hold) throws Exception {
        Embed embed = embed();
        ApiKey key = embed.core()
                .apiKeys()
                .findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY))
                .orElseThrow();
        Map<String, Object> first = embed.core()
                .mint()
                .mintEmbedSession(
                        key,
                        "demo",
                        "support",
                        Map.of("externalUserId", "u", "ttlSeconds", 60L),
                        "https://app.example");
        String sid = (String) first.get("sessionId");

        store.holdNextExtend(hold);
        CompletableFuture<Map<String, Object>> racing = CompletableFuture.supplyAsync(() -> embed.core()
                .mint()
                .mintEmbedSession(
                        key,
                        "demo",
                        "support",
                        Map.of("externalUserId", "u", "sessionId", sid, "ttlSeconds", 86_400L),
                        "https://app.example"));
        assertTrue(store.held.await(10, TimeUnit.SECONDS), "the continuation never reached extend");
        embed.core().mint().endSession(key, "demo", "support", sid); // the DELETE answers here
        store.release.countDown();

        if (hold == Hold.BEFORE_EXTEND) {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> racing.get(10, TimeUnit.SECONDS));
            assertEquals(404, ((EmbedException) refused.getCause()).error().status(), "nothing minted");
        } else {
            String racingToken = (String) racing.get(10, TimeUnit.SECONDS).get("token");
            assertRevoked(embed, racingToken);
            for (Duration later : new Duration[] {Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofHours(23)}) {
                clock.set(MutableClock.start().instant().plus(later));
                assertRevoked(embed, racingToken);
            }
        }
        assertRevoked(embed, (String) first.get("token"));
        // Nor can the session be continued again.
        EmbedException again = assertThrows(
                EmbedException.class,
                () -> embed.core()
                        .mint()
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
                EmbedException.class,
                () -> embed.core().tokens().verify(token),
                "a token of the ended session verified");
        assertEquals(401, e.error().status());
    }

    /** The memory store, but for a {@code SessionStore.extend} it can hold until released. */
    private static final class GatedStore implements EmbedStore {
        private final EmbedStore delegate;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private volatile Hold holdNext;

        GatedStore(EmbedStore delegate) {
            this.delegate = delegate;
        }

        void holdNextExtend(Hold hold) {
            holdNext = hold;
        }

        private void maybeHold(Hold where) {
            if (holdNext == where) {
                holdNext = null;
                held.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public SessionStore sessions() {
            SessionStore sessions = delegate.sessions();
            return new SessionStore() {
                @Override
                public void create(EmbedSession session) {
                    sessions.create(session);
                }

                @Override
                public Optional<EmbedSession> extend(String sessionId, Instant until) {
                    maybeHold(Hold.BEFORE_EXTEND);
                    Optional<EmbedSession> extended = sessions.extend(sessionId, until);
                    maybeHold(Hold.AFTER_EXTEND);
                    return extended;
                }

                @Override
                public Optional<EmbedSession> find(String sessionId) {
                    return sessions.find(sessionId);
                }

                @Override
                public Optional<EmbedSession> end(String sessionId) {
                    return sessions.end(sessionId);
                }
            };
        }

        @Override
        public MessageStore messages() {
            return delegate.messages();
        }

        @Override
        public RevocationStore revocations() {
            return delegate.revocations();
        }

        @Override
        public LinkStore links() {
            return delegate.links();
        }

        @Override
        public RateLimitStore rateLimits() {
            return delegate.rateLimits();
        }

        @Override
        public void addListener(Listener listener) {
            delegate.addListener(listener);
        }

        @Override
        public String describe() {
            return "gated " + delegate.describe();
        }

        @Override
        public boolean durable() {
            return false;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
