package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.util.Optional;

/**
 * The default {@link SessionRegistry}: a Caffeine map bounded by {@code maximumSize}, each session
 * expiring when the last token minted for it does.
 */
public final class InMemorySessionRegistry implements SessionRegistry {
    private final Cache<String, EmbedSession> sessions;

    public InMemorySessionRegistry(Clock clock, long maximumSize) {
        this.sessions = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(CaffeineCredentialCache.tickerOf(clock))
                .expireAfter(new ExpireAt<String, EmbedSession>(EmbedSession::expiresAt))
                .build();
    }

    @Override
    public void save(EmbedSession session) {
        sessions.put(session.id(), session);
    }

    @Override
    public Optional<EmbedSession> find(String sessionId) {
        return Optional.ofNullable(sessions.getIfPresent(sessionId));
    }

    @Override
    public boolean end(String sessionId) {
        return sessions.asMap().remove(sessionId) != null;
    }

    /** Live sessions (approximate, for metrics and tests). */
    public long size() {
        return sessions.estimatedSize();
    }
}
