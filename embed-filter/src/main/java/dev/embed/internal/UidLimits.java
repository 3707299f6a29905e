package dev.embed.internal;

import dev.embed.error.EmbedError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Flow D's {@code limits}: before a session's user message is stored, takes a permit of each of
 * its windows ({@code hourly: n} is a bucket of {@code n} permits refilled over an hour) from the
 * buckets of its uid. The buckets belong to the (tenant, uid), not to one link, so a new link
 * does not reset them. Sessions without limits pass.
 */
final class UidLimits implements MessageGate {
    private final CredentialCache cache;

    UidLimits(CredentialCache cache) {
        this.cache = cache;
    }

    @Override
    public void admit(EmbedSession session) {
        Object value = session.attributes().get(IframeLinkService.LIMITS);
        if (!(value instanceof Map<?, ?> configured) || configured.isEmpty()) {
            return;
        }
        Map<String, Long> windows = new TreeMap<>();
        configured.forEach((name, n) -> {
            if (IframeRequest.WINDOWS.containsKey(name) && n instanceof Long limit) {
                windows.put((String) name, limit);
            }
        });
        List<RateLimit> limits = new ArrayList<>();
        windows.forEach((name, n) -> {
            Duration per = IframeRequest.WINDOWS.get(name);
            limits.add(new RateLimit(name, n, n, Objects.requireNonNull(per, name)));
        });
        if (limits.isEmpty()) {
            return;
        }
        RateLimit.Decision decision =
                cache.tryAcquire("uid\u0000" + session.tenant() + '\u0000' + session.externalUserId(), limits);
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
