package dev.embed.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Token buckets of the rate limits: flow C's mints per (key, agent, visitor), flow D's messages
 * per (tenant, uid). Exact across nodes: two nodes never both take the last permit.
 *
 * <p>A bucket that no request has touched is full. A store keeps a bucket's state at least until
 * it would be full again, and may drop it after: it never forgets a bucket early (that would reset
 * the limit), even when it is short of room; it refuses new work instead.
 */
public interface RateLimitStore {

    /**
     * Takes one permit from each of the buckets {@code limits} describe under {@code bucketKey},
     * or, if any of them is empty, from none: all or nothing, atomically.
     *
     * @param bucketKey whose buckets; may be long and holds no credential, but a store should keep
     *     only its hash
     * @param limits at least one; their names tell the buckets under one key apart
     */
    Decision tryAcquire(String bucketKey, List<Limit> limits);

    /**
     * One token bucket: it holds at most {@code burst} permits and refills {@code permits} of them
     * every {@code per}, continuously.
     *
     * @param name tells the buckets of one key apart, e.g. {@code hourly}
     */
    record Limit(String name, long burst, long permits, Duration per) {
        public Limit {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(per, "per");
            if (burst < 1 || permits < 1) {
                throw new IllegalArgumentException("burst and permits must be positive: " + burst + ", " + permits);
            }
            if (per.isNegative() || per.isZero()) {
                throw new IllegalArgumentException("per must be positive: " + per);
            }
        }

        /** Milliseconds for one permit to refill. */
        public double millisPerPermit() {
            return (double) per.toMillis() / permits;
        }
    }

    /**
     * What the buckets answered.
     *
     * @param allowed whether the request took its permits
     * @param retryAfterSeconds when refused: whole seconds until a permit is back (at least 1);
     *     else 0
     */
    record Decision(boolean allowed, long retryAfterSeconds) {
        public static final Decision ALLOWED = new Decision(true, 0);

        public static Decision refused(long retryAfterSeconds) {
            return new Decision(false, Math.max(1, retryAfterSeconds));
        }
    }
}
