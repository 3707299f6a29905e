package dev.embed.cache;

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
        return Math.max(0, deadline.apply(value).toEpochMilli() * 1_000_000L - now);
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
