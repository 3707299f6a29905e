package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Instant;
import java.util.function.Function;

/**
 * A Caffeine {@link Expiry} that drops each entry at an instant read from its value (a
 * credential's {@code exp}), measured on a ticker derived from the library's clock ({@link
 * CaffeineCredentialCache#tickerOf}). Reads do not extend it; a replacement takes the new instant.
 */
public final class ExpireAt<K, V> implements Expiry<K, V> {
    private final Function<? super V, Instant> deadline;

    public ExpireAt(Function<? super V, Instant> deadline) {
        this.deadline = deadline;
    }

    @Override
    public long expireAfterCreate(K key, V value, long now) {
        try {
            long deadlineNanos = Math.multiplyExact(deadline.apply(value).toEpochMilli(), 1_000_000L);
            return Math.max(0, Math.subtractExact(deadlineNanos, now));
        } catch (ArithmeticException e) {
            // Beyond the ticker's range (about year 2262): keep the entry, never let it wrap into the past.
            return Long.MAX_VALUE;
        }
    }

    @Override
    public long expireAfterUpdate(K key, V value, long now, long currentDuration) {
        return expireAfterCreate(key, value, now);
    }

    @Override
    public long expireAfterRead(K key, V value, long now, long currentDuration) {
        return currentDuration;
    }
}
