package dev.embed.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;

/**
 * The default {@link CredentialCache}: Caffeine maps, each bounded by {@code maximumSize} and each
 * entry expiring at the instant its credential stops mattering. Time comes from the injected
 * clock (through a {@link Ticker}), so tests move the clock instead of sleeping.
 */
public final class CaffeineCredentialCache implements CredentialCache {
    private final Clock clock;
    private final Cache<String, Instant> revokedTokens;
    private final Cache<String, Instant> revokedSessions;

    public CaffeineCredentialCache(Clock clock, long maximumSize) {
        this.clock = clock;
        Ticker ticker = tickerOf(clock);
        this.revokedTokens = untilCache(ticker, maximumSize);
        this.revokedSessions = untilCache(ticker, maximumSize);
    }

    /** A Caffeine ticker that reads the same clock as the rest of the library. */
    public static Ticker tickerOf(Clock clock) {
        return () -> Math.multiplyExact(clock.millis(), 1_000_000L);
    }

    @Override
    public void revokeToken(String tokenId, Instant until) {
        revokedTokens.asMap().merge(tokenId, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public void revokeSession(String sessionId, Instant until) {
        revokedSessions.asMap().merge(sessionId, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public boolean isTokenRevoked(String tokenId) {
        return live(revokedTokens.getIfPresent(tokenId));
    }

    @Override
    public boolean isSessionRevoked(String sessionId) {
        return live(revokedSessions.getIfPresent(sessionId));
    }

    private boolean live(Instant until) {
        return until != null && until.isAfter(clock.instant());
    }

    private static Cache<String, Instant> untilCache(Ticker ticker, long maximumSize) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker)
                .expireAfter(new ExpireAt<String, Instant>(until -> until))
                .build();
    }
}
