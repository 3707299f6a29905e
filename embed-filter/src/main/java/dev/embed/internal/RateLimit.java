package dev.embed.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * One token bucket of a rate limit: it holds at most {@code burst} permits and refills {@code
 * permits} of them every {@code per}, continuously. A request takes one permit; with none left it
 * is refused until the next one has refilled.
 *
 * <p>Flow C limits mints per (key, agent, fingerprint) with one bucket (DESIGN §3.2); flow D's
 * {@code limits} give a user one bucket per window ({@code hourly}: {@code n} permits, refilled
 * over an hour, at most {@code n} at once). The buckets themselves live in the {@link
 * CredentialCache}, which a clustered store may replace.
 *
 * @param name tells the buckets of one cache entry apart, e.g. {@code hourly}
 * @param burst the most permits the bucket holds: how many requests may come at once
 * @param permits how many permits refill every {@code per}
 * @param per the refill period
 */
public record RateLimit(String name, long burst, long permits, Duration per) {

    public RateLimit {
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
    double millisPerPermit() {
        return (double) per.toMillis() / permits;
    }

    /**
     * What a bucket answered.
     *
     * @param allowed whether the request took its permit
     * @param retryAfterSeconds when refused: whole seconds until a permit is back (at least 1);
     *     else 0
     */
    public record Decision(boolean allowed, long retryAfterSeconds) {
        public static final Decision ALLOWED = new Decision(true, 0);

        public static Decision refused(long retryAfterSeconds) {
            return new Decision(false, Math.max(1, retryAfterSeconds));
        }
    }
}
