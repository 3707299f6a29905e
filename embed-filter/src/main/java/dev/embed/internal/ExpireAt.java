package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A Caffeine {@link Expiry} that drops each entry at an instant read from its value (a session's
 * or a credential's expiry), measured on a ticker derived from the library's clock ({@link
 * #ticker}), so tests move the clock instead of sleeping. Reads do not extend it; an update takes
 * the instant the value has then.
 */
final class ExpireAt<K, V> implements Expiry<K, V> {
    private final Function<? super V, Instant> deadline;

    ExpireAt(Function<? super V, Instant> deadline) {
        this.deadline = deadline;
    }

    /** A Caffeine ticker that reads the same clock as the rest of the library. */
    static Ticker ticker(Clock clock) {
        return () -> Math.multiplyExact(clock.millis(), 1_000_000L);
    }

    /** A cache of at most {@code maximumSize} entries, each dropped at its value's {@code deadline}. */
    static <V> Cache<String, V> cache(Clock clock, long maximumSize, Function<? super V, Instant> deadline) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker(clock))
                .expireAfter(new ExpireAt<String, V>(deadline))
                .build();
    }

    /** As {@link #cache}, without a bound on the number of entries: the caller keeps count. */
    static <V> Cache<String, V> unboundedCache(Clock clock, Function<? super V, Instant> deadline) {
        return Caffeine.newBuilder()
                .ticker(ticker(clock))
                .expireAfter(new ExpireAt<String, V>(deadline))
                .build();
    }

    /**
     * As {@link #unboundedCache(Clock, Function)}, calling {@code expired} with each entry Caffeine
     * drops by itself (expired), on the thread that drops it; not for entries removed explicitly.
     */
    static <V> Cache<String, V> unboundedCache(
            Clock clock, Function<? super V, Instant> deadline, BiConsumer<String, V> expired) {
        return Caffeine.newBuilder()
                .ticker(ticker(clock))
                .expireAfter(new ExpireAt<String, V>(deadline))
                .<String, V>evictionListener((key, value, cause) -> {
                    if (key != null && value != null) {
                        expired.accept(key, value);
                    }
                })
                .build();
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
