package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Revocations (DESIGN §2) last until their instant on the injected clock, and no longer. */
class CaffeineCredentialCacheTest {
    private final MutableClock clock = MutableClock.start();
    private final CaffeineCredentialCache cache = new CaffeineCredentialCache(clock, 100);

    @Test
    void isTokenRevokedWhenRevokedThenTrueUntilItsInstantOnly() {
        Instant until = clock.instant().plusSeconds(600);
        cache.revokeToken("jti-1", until);

        assertTrue(cache.isTokenRevoked("jti-1"));
        assertFalse(cache.isTokenRevoked("jti-2"));
        assertFalse(cache.isSessionRevoked("jti-1"), "tokens and sessions are separate namespaces");
        clock.set(until.minusMillis(1));
        assertTrue(cache.isTokenRevoked("jti-1"));
        clock.set(until);
        assertFalse(cache.isTokenRevoked("jti-1"));
    }

    @Test
    void isSessionRevokedWhenRevokedTwiceThenTheLaterInstantWins() {
        Instant early = clock.instant().plusSeconds(60);
        Instant late = clock.instant().plusSeconds(600);
        cache.revokeSession("sess-1", late);
        cache.revokeSession("sess-1", early);

        clock.set(early.plusSeconds(1));

        assertTrue(cache.isSessionRevoked("sess-1"), "a shorter revocation must not shorten a longer one");
        clock.set(late);
        assertFalse(cache.isSessionRevoked("sess-1"));
    }

    @Test
    void isSessionRevokedWhenInstantAlreadyPassedThenFalse() {
        cache.revokeSession("sess-1", clock.instant().minusSeconds(1));

        assertFalse(cache.isSessionRevoked("sess-1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2262-04-12T00:00:00Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59Z"})
    void isSessionRevokedWhenRevokedForeverThenStaysRevoked(String until) {
        cache.revokeSession("sess-1", Instant.parse(until));
        cache.revokeToken("jti-1", Instant.parse(until));

        clock.advance(Duration.ofDays(3650));

        assertTrue(cache.isSessionRevoked("sess-1"), "a far-future revocation must not be lost");
        assertTrue(cache.isTokenRevoked("jti-1"), "a far-future revocation must not be lost");
    }
}
