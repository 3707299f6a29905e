package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's parts of {@link CaffeineCredentialCache}: one-time redemption of cache keys, their expiry
 * on the injected clock, and token buckets (revocations: {@code CaffeineCredentialCacheTest}).
 */
class CachedCredentialsAndBucketsTest {
    private final MutableClock clock = MutableClock.start();
    private final CaffeineCredentialCache cache = new CaffeineCredentialCache(clock, 10_000);

    private Instant in(Duration duration) {
        return clock.instant().plus(duration);
    }

    // ---- credentials under cache keys ----

    @Test
    void takeCredentialWhenHundredThreadsRaceForOneKeyThenExactlyOneWins() throws Exception {
        int threads = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                String key = "key-" + round;
                cache.putCredential(key, "jwt-" + round, in(Duration.ofMinutes(15)));
                CountDownLatch ready = new CountDownLatch(threads);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Optional<String>>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        return cache.takeCredential(key);
                    }));
                }
                ready.await();
                go.countDown();

                int winners = 0;
                for (Future<Optional<String>> result : results) {
                    Optional<String> got = result.get();
                    if (got.isPresent()) {
                        assertEquals("jwt-" + round, got.get());
                        winners++;
                    }
                }
                assertEquals(1, winners, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void credentialWhenClockPassesItsExpiryThenGoneFromTheCache() {
        cache.putCredential("long", "jwt-long", in(Duration.ofMinutes(15)));
        cache.putCredential("short", "jwt-short", in(Duration.ofSeconds(60)));
        assertEquals(2, cache.credentialCount());

        clock.advance(Duration.ofSeconds(60));

        assertEquals(Optional.empty(), cache.peekCredential("short"));
        assertEquals(Optional.empty(), cache.takeCredential("short"));
        assertEquals(Optional.of("jwt-long"), cache.peekCredential("long"));
        assertEquals(1, cache.credentialCount(), "the expired entry is evicted, not just hidden");

        clock.advance(Duration.ofMinutes(14));

        assertEquals(Optional.empty(), cache.takeCredential("long"));
        assertEquals(0, cache.credentialCount());
    }

    @Test
    void peekCredentialWhenRepeatedThenKeptUntilTaken() {
        cache.putCredential("k", "jwt", in(Duration.ofMinutes(15)));

        assertEquals(Optional.of("jwt"), cache.peekCredential("k"));
        assertEquals(Optional.of("jwt"), cache.peekCredential("k"));
        assertEquals(Optional.of("jwt"), cache.takeCredential("k"));
        assertEquals(Optional.empty(), cache.peekCredential("k"));
        assertEquals(Optional.empty(), cache.takeCredential("unknown"));
    }

    // ---- token buckets ----

    /** 10 a minute (one permit every 6 s), at most 5 at once: flow C's default. */
    private static final RateLimit MINTS = new RateLimit("mints", 5, 10, Duration.ofMinutes(1));

    private RateLimit.Decision acquire(String key, RateLimit... limits) {
        return cache.tryAcquire(key, List.of(limits));
    }

    @Test
    void tryAcquireWhenBurstSpentThenRefusedUntilTheClockRefillsAPermit() {
        for (int i = 0; i < 5; i++) {
            assertTrue(acquire("visitor", MINTS).allowed(), "permit " + i);
        }
        assertEquals(RateLimit.Decision.refused(6), acquire("visitor", MINTS));

        clock.advance(Duration.ofSeconds(5));
        assertEquals(RateLimit.Decision.refused(1), acquire("visitor", MINTS));

        clock.advance(Duration.ofSeconds(1));
        assertTrue(acquire("visitor", MINTS).allowed());
        assertEquals(RateLimit.Decision.refused(6), acquire("visitor", MINTS));

        // A long pause refills up to the burst, never beyond it.
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            assertTrue(acquire("visitor", MINTS).allowed(), "permit " + i + " after the pause");
        }
        assertFalse(acquire("visitor", MINTS).allowed());
    }

    @Test
    void tryAcquireWhenOneKeyIsSpentThenAnotherKeyIsServed() {
        for (int i = 0; i < 5; i++) {
            acquire("noisy", MINTS);
        }
        assertFalse(acquire("noisy", MINTS).allowed());

        assertTrue(acquire("quiet", MINTS).allowed());
    }

    @Test
    void tryAcquireWhenSeveralLimitsThenAllOrNothing() {
        RateLimit hourly = new RateLimit("hourly", 2, 2, Duration.ofHours(1));
        RateLimit daily = new RateLimit("daily", 3, 3, Duration.ofDays(1));
        assertTrue(acquire("uid", hourly, daily).allowed());
        assertTrue(acquire("uid", hourly, daily).allowed());
        RateLimit.Decision refused = acquire("uid", hourly, daily);
        assertFalse(refused.allowed());
        assertEquals(1800, refused.retryAfterSeconds(), "half an hour until the hourly bucket has a permit");

        clock.advance(Duration.ofHours(1));

        // The refused request took nothing from the daily bucket: one permit (and an eighth) is left.
        assertTrue(acquire("uid", hourly, daily).allowed());
        RateLimit.Decision daySpent = acquire("uid", hourly, daily);
        assertFalse(daySpent.allowed());
        assertEquals(Duration.ofHours(7).toSeconds(), daySpent.retryAfterSeconds(), "7/8 of a daily permit, 8 h each");
    }

    @Test
    void tryAcquireWhenBucketWouldBeFullAgainThenItsStateIsDropped() {
        acquire("visitor", MINTS);
        assertEquals(1, cache.bucketCount());

        clock.advance(Duration.ofSeconds(6));

        assertEquals(0, cache.bucketCount());
        for (int i = 0; i < 5; i++) {
            assertTrue(acquire("visitor", MINTS).allowed());
        }
    }
}
