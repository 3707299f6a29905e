package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link CredentialCache}: Caffeine maps, each bounded by {@code maximumSize} and each
 * entry expiring at the instant its credential stops mattering. Time comes from the injected
 * clock (through a {@link Ticker}), so tests move the clock instead of sleeping.
 *
 * <ul>
 *   <li>revoked token ids and sessions: until the latest expiry a token of theirs can have;
 *   <li>credentials under cache keys (flow D): until the credential's {@code exp}; redeemed with
 *       {@code asMap().remove(key)}, so exactly one of concurrent redeemers wins;
 *   <li>token buckets: updated with {@code asMap().compute}, atomically per key (one key's
 *       traffic never waits for another's); kept until the bucket would be full again, which is
 *       the same as having no state.
 * </ul>
 *
 * A full map drops its least recently used entries: memory stays bounded under a flood of keys,
 * at the price of forgetting some state (a forgotten bucket is a full one).
 */
public final class CaffeineCredentialCache implements CredentialCache {
    private final Clock clock;
    private final Cache<String, Instant> revokedTokens;
    private final Cache<String, Instant> revokedSessions;
    private final Cache<String, Stored> credentials;
    private final Cache<String, Buckets> buckets;

    /** A credential waiting for its cache key, and when it expires. */
    private record Stored(String credential, Instant expiresAt) {}

    /** One bucket: its permits at {@code atMillis}, and when it will be full again. */
    private record Bucket(double permits, long atMillis, long fullAtMillis) {}

    /** The buckets of one key, and when the last of them will be full again. */
    private record Buckets(Map<String, Bucket> byName, Instant fullAt) {}

    public CaffeineCredentialCache(Clock clock, long maximumSize) {
        this.clock = clock;
        Ticker ticker = tickerOf(clock);
        this.revokedTokens = untilCache(ticker, maximumSize, until -> until);
        this.revokedSessions = untilCache(ticker, maximumSize, until -> until);
        this.credentials = untilCache(ticker, maximumSize, Stored::expiresAt);
        this.buckets = untilCache(ticker, maximumSize, Buckets::fullAt);
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

    @Override
    public void putCredential(String cacheKey, String credential, Instant expiresAt) {
        Objects.requireNonNull(cacheKey, "cacheKey");
        credentials.asMap().put(cacheKey, new Stored(Objects.requireNonNull(credential, "credential"), expiresAt));
    }

    @Override
    public Optional<String> takeCredential(String cacheKey) {
        // remove() is atomic: concurrent callers see the value at most once.
        Stored stored = credentials.asMap().remove(cacheKey);
        return stored != null && live(stored.expiresAt()) ? Optional.of(stored.credential()) : Optional.empty();
    }

    @Override
    public Optional<String> peekCredential(String cacheKey) {
        Stored stored = credentials.getIfPresent(cacheKey);
        return stored != null && live(stored.expiresAt()) ? Optional.of(stored.credential()) : Optional.empty();
    }

    @Override
    public RateLimit.Decision tryAcquire(String bucketKey, List<RateLimit> limits) {
        Objects.requireNonNull(bucketKey, "bucketKey");
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("tryAcquire needs at least one limit");
        }
        RateLimit.Decision[] decision = new RateLimit.Decision[1];
        buckets.asMap().compute(bucketKey, (key, old) -> {
            long now = clock.millis();
            Map<String, Bucket> next = new HashMap<>();
            if (old != null) {
                old.byName().forEach((name, bucket) -> {
                    if (bucket.fullAtMillis() > now) {
                        next.put(name, bucket);
                    }
                });
            }
            double[] level = new double[limits.size()];
            long waitMillis = 0;
            for (int i = 0; i < limits.size(); i++) {
                RateLimit limit = limits.get(i);
                Bucket bucket = next.get(limit.name());
                double permits = bucket == null
                        ? limit.burst()
                        : Math.min(
                                (double) limit.burst(),
                                bucket.permits() + (double) (now - bucket.atMillis()) / limit.millisPerPermit());
                level[i] = permits;
                if (permits < 1) {
                    waitMillis = Math.max(waitMillis, (long) Math.ceil((1 - permits) * limit.millisPerPermit()));
                }
            }
            if (waitMillis > 0) {
                decision[0] = RateLimit.Decision.refused((waitMillis + 999) / 1000);
                return old;
            }
            for (int i = 0; i < limits.size(); i++) {
                RateLimit limit = limits.get(i);
                double left = level[i] - 1;
                long fullAt = now + (long) Math.ceil((limit.burst() - left) * limit.millisPerPermit());
                next.put(limit.name(), new Bucket(left, now, fullAt));
            }
            long fullAt =
                    next.values().stream().mapToLong(Bucket::fullAtMillis).max().orElse(now);
            decision[0] = RateLimit.Decision.ALLOWED;
            return new Buckets(Map.copyOf(next), Instant.ofEpochMilli(fullAt));
        });
        return decision[0];
    }

    /** Credentials waiting under a cache key, after dropping the expired ones (tests, metrics). */
    long credentialCount() {
        credentials.cleanUp();
        return credentials.estimatedSize();
    }

    /** Keys with rate-limit state, after dropping the expired ones (tests, metrics). */
    long bucketCount() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private boolean live(@Nullable Instant until) {
        return until != null && until.isAfter(clock.instant());
    }

    private static <V> Cache<String, V> untilCache(
            Ticker ticker, long maximumSize, java.util.function.Function<? super V, Instant> deadline) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker)
                .expireAfter(new ExpireAt<String, V>(deadline))
                .build();
    }
}
