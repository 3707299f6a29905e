package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.apikey.ApiKeys;
import dev.embed.error.EmbedError;
import dev.embed.store.RateLimitStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's token buckets: a Caffeine map from the SHA-256 of each bucket key (the key
 * itself, which may name a visitor, is not kept) to its buckets, updated with {@code
 * asMap().compute}, atomically per key. An entry is kept until its last bucket would be full again,
 * which is the same as having no state, and never dropped before: when the map holds {@code
 * maximumSize} keys, or a new key's state does not fit its tenant's {@link MemoryBudget}, the new
 * key is refused (429) rather than an old one forgotten, which would reset its limit (finding 5 of
 * issue 13).
 *
 * <p>The tenant charged is the second NUL-separated part of the key, as the library builds them
 * ({@code uid\0<tenant>\0<uid>}, {@code visitor\0<tenant>\0...}); another key is charged to the
 * tenant {@code ""}. Only the tenant's name is kept, not the key.
 */
final class MemoryRateLimits implements RateLimitStore {
    /** How long a caller refused for want of room is asked to wait: about when buckets refill. */
    static final long FULL_RETRY_AFTER_SECONDS = 60;

    private final Clock clock;
    private final long maximumSize;
    private final Cache<String, Buckets> buckets;

    /** One bucket: its permits at {@code atMillis}, and when it will be full again. */
    private record Bucket(double permits, long atMillis, long fullAtMillis) {}

    /**
     * The buckets of one key, when the last of them will be full again, and what the key is charged
     * to whose budget.
     */
    private record Buckets(Map<String, Bucket> byName, Instant fullAt, String tenant, long charged) {}

    /** What one key's state is charged, beyond its buckets. */
    private static final long KEY_BYTES = MemoryBudget.ENTRY_OVERHEAD + 2 * 64;

    /** What one bucket is charged. */
    private static final long BUCKET_BYTES = 96;

    private final MemoryBudget budget;

    MemoryRateLimits(Clock clock, long maximumSize, MemoryBudget budget) {
        this.clock = clock;
        this.maximumSize = maximumSize;
        this.budget = budget;
        this.buckets = ExpireAt.unboundedCache(
                clock, Buckets::fullAt, (key, state) -> budget.credit(state.tenant(), state.charged()));
    }

    /** The tenant a key of the library names: its second NUL-separated part, else {@code ""}. */
    static String tenant(String bucketKey) {
        int start = bucketKey.indexOf('\0');
        if (start < 0) {
            return "";
        }
        int end = bucketKey.indexOf('\0', start + 1);
        return bucketKey.substring(start + 1, end < 0 ? bucketKey.length() : end);
    }

    @Override
    public Decision tryAcquire(String bucketKey, List<Limit> limits) {
        Objects.requireNonNull(bucketKey, "bucketKey");
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("tryAcquire needs at least one limit");
        }
        String key = ApiKeys.sha256Hex(bucketKey);
        String tenant = tenant(bucketKey);
        Decision decision = acquire(key, tenant, limits);
        if (decision == null) {
            buckets.cleanUp(); // expired states may still be charged
            decision = acquire(key, tenant, limits);
            if (decision == null) {
                throw budget.full(tenant, KEY_BYTES + BUCKET_BYTES * limits.size());
            }
        }
        return decision;
    }

    /** The decision, or null when a new key's state does not fit the tenant's budget. */
    private @Nullable Decision acquire(String key, String tenant, List<Limit> limits) {
        if (buckets.getIfPresent(key) == null && buckets.estimatedSize() >= maximumSize) {
            buckets.cleanUp();
            if (buckets.estimatedSize() >= maximumSize) {
                throw EmbedError.rateLimited(
                                "the server holds as many rate-limit states as it may; retry later",
                                FULL_RETRY_AFTER_SECONDS)
                        .toException();
            }
        }
        @Nullable Decision[] decision = new Decision[1];
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
            long charged = old == null ? 0 : old.charged();
            long cost = KEY_BYTES + BUCKET_BYTES * next.size();
            if (old == null) {
                if (!budget.tryCharge(tenant, cost)) {
                    return null; // decision[0] stays null: no room for a new key
                }
                charged = cost;
            } else if (cost > charged) {
                budget.charge(tenant, cost - charged); // a known key's new bucket: a few bytes, kept
                charged = cost;
            }
            decision[0] = Decision.ALLOWED;
            return new Buckets(
                    Map.copyOf(next), Instant.ofEpochMilli(fullAt), old == null ? tenant : old.tenant(), charged);
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
}
