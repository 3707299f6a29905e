package dev.embed.internal;

import dev.embed.error.EmbedError;
import dev.embed.store.EmbedSession;
import dev.embed.store.RateLimitStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flow D's {@code limits} (DESIGN §3.3): before a session's user message is stored, takes a permit
 * of each of its windows ({@code hourly: n} is a bucket of {@code n} permits refilled over an hour)
 * from the buckets of its uid. The buckets belong to the (tenant, uid), not to one link, so a new
 * link does not reset them. Sessions without limits pass.
 */
final class UidLimits {
    /** The windows of {@code limits} and their lengths (a month is 30 days). */
    static final Map<String, Duration> WINDOWS = Map.of(
            "hourly", Duration.ofHours(1),
            "daily", Duration.ofDays(1),
            "weekly", Duration.ofDays(7),
            "monthly", Duration.ofDays(30));

    private final RateLimitStore buckets;

    UidLimits(RateLimitStore buckets) {
        this.buckets = buckets;
    }

    /**
     * Lets a message into the session, or refuses it.
     *
     * @throws dev.embed.error.EmbedException 429 {@code rate_limited} with {@code Retry-After} when
     *     a window of the uid is spent
     */
    void admit(EmbedSession session) {
        EmbedSession.LinkData link = session.link();
        if (link == null || link.limits().isEmpty()) {
            return;
        }
        Map<String, Long> windows = new TreeMap<>(link.limits());
        List<RateLimitStore.Limit> limits = new ArrayList<>();
        windows.forEach((name, n) -> {
            Duration per = WINDOWS.get(name);
            if (per != null) {
                limits.add(new RateLimitStore.Limit(name, n, n, per));
            }
        });
        if (limits.isEmpty()) {
            return;
        }
        RateLimitStore.Decision decision =
                buckets.tryAcquire("uid\u0000" + session.tenant() + '\u0000' + session.externalUserId(), limits);
        if (!decision.allowed()) {
            throw EmbedError.rateLimited(
                            "this user has sent as many messages as the limits of this iframe link allow ("
                                    + describe(windows) + "); retry after the number of seconds in Retry-After",
                            decision.retryAfterSeconds())
                    .toException();
        }
    }

    private static String describe(Map<String, Long> windows) {
        StringBuilder out = new StringBuilder();
        windows.forEach((name, n) -> out.append(out.length() == 0 ? "" : ", ")
                .append(name)
                .append(": ")
                .append(n));
        return out.toString();
    }
}
