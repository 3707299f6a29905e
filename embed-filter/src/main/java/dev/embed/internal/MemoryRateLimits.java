package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.error.EmbedError;
import dev.embed.store.RateLimitStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The memory store's token buckets: a Caffeine map from the SHA-256 of each bucket key (the key
 * itself, which may name a visitor, is not kept) to its buckets, updated with {@code
 * asMap().compute}, atomically per key. An entry is kept until its last bucket would be full again,
 * which is the same as having no state, and never dropped before: when the map holds {@code
 * maximumSize} keys, a new key is refused (429) rather than an old one forgotten, which would reset
 * its limit.
 */
final class MemoryRateLimits implements RateLimitStore {
    /** How long a caller refused for want of room is asked to wait: about when buckets refill. */
    static final long FULL_RETRY_AFTER_SECONDS = 60;

    private final Clock clock;
    private final long maximumSize;
    private final Cache<String, Buckets> buckets;

    /** One bucket: its permits at {@code atMillis}, and when it will be full again. */
    private record Bucket(double permits, long atMillis, long fullAtMillis) {}

    /** The buckets of one key, and when the last of them will be full again. */
    private record Buckets(Map<String, Bucket> byName, Instant fullAt) {}

    MemoryRateLimits(Clock clock, long maximumSize) {
        this.clock = clock;
        this.maximumSize = maximumSize;
        this.buckets = ExpireAt.unboundedCache(clock, Buckets::fullAt);
    }

    @Override
    public Decision tryAcquire(String bucketKey, List<Limit> limits) {
        Objects.requireNonNull(bucketKey, "bucketKey");
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("tryAcquire needs at least one limit");
        }
        String key = sha256Hex(bucketKey);
        if (buckets.getIfPresent(key) == null && buckets.estimatedSize() >= maximumSize) {
            buckets.cleanUp();
            if (buckets.estimatedSize() >= maximumSize) {
                throw EmbedError.rateLimited(
                                "the server holds as many rate-limit states as it may; retry later",
                                FULL_RETRY_AFTER_SECONDS)
                        .toException();
            }
        }
        Decision[] decision = new Decision[1];
        buckets.asMap().compute(key, (k, old) -> {
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
                Limit limit = limits.get(i);
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
                decision[0] = Decision.refused((waitMillis + 999) / 1000);
                return old;
            }
            for (int i = 0; i < limits.size(); i++) {
                Limit limit = limits.get(i);
                double left = level[i] - 1;
                long fullAt = now + (long) Math.ceil((limit.burst() - left) * limit.millisPerPermit());
                next.put(limit.name(), new Bucket(left, now, fullAt));
            }
            long fullAt =
                    next.values().stream().mapToLong(Bucket::fullAtMillis).max().orElse(now);
            decision[0] = Decision.ALLOWED;
            return new Buckets(Map.copyOf(next), Instant.ofEpochMilli(fullAt));
        });
        return decision[0];
    }

    void sweep() {
        buckets.cleanUp();
    }

    long entries() {
        sweep();
        return buckets.estimatedSize();
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
