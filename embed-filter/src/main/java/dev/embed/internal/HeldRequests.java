package dev.embed.internal;

import dev.embed.error.EmbedError;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many requests each session holds open at once: its event streams and its long polls (DESIGN
 * §10, issue 13 finding 3). One past {@code embed.chat.maxHeldPerSession} answers {@code 429}, so
 * one token cannot make the server hold an unbounded number of connections and their buffers.
 * Counts live in this JVM: each node bounds what it holds. Thread-safe.
 */
final class HeldRequests {
    /** How long a refused client should wait before trying again, in seconds. */
    static final long RETRY_AFTER_SECONDS = 5;

    private final int max;
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    HeldRequests(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        this.max = max;
    }

    /** Counts one more held request of the session, or refuses it with 429. Pair with {@link #release}. */
    void acquire(String sessionId) {
        boolean[] admitted = {false};
        counts.compute(sessionId, (sid, count) -> {
            int now = count == null ? 0 : count;
            if (now >= max) {
                return count;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            throw EmbedError.rateLimited(
                            "this session already holds " + max + " event streams and long polls open; close one"
                                    + " before opening another",
                            RETRY_AFTER_SECONDS)
                    .toException();
        }
    }

    /** One held request of the session is over. */
    void release(String sessionId) {
        counts.computeIfPresent(sessionId, (sid, count) -> count <= 1 ? null : count - 1);
    }

    /** Held requests of the session right now. */
    int held(String sessionId) {
        return counts.getOrDefault(sessionId, 0);
    }
}
