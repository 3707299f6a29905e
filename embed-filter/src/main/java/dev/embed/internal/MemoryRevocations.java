package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.store.RevocationStore;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's revocations: revoked token ids and sessions in two Caffeine maps bounded by
 * count, each entry kept until the latest expiry a token it concerns can have. The two checks are
 * a map lookup each: they run on every embed request.
 */
final class MemoryRevocations implements RevocationStore {
    private final Clock clock;
    private final Cache<String, Instant> tokens;
    private final Cache<String, Instant> sessions;

    MemoryRevocations(Clock clock, long maximumSize) {
        this.clock = clock;
        this.tokens = ExpireAt.cache(clock, maximumSize, Function.identity());
        this.sessions = ExpireAt.cache(clock, maximumSize, Function.identity());
    }

    @Override
    public void revokeSession(String sessionId, Instant until) {
        sessions.asMap().merge(sessionId, until, MemoryRevocations::later);
    }

    @Override
    public void revokeToken(String tokenId, Instant until) {
        tokens.asMap().merge(tokenId, until, MemoryRevocations::later);
    }

    @Override
    public boolean isSessionRevoked(String sessionId) {
        return live(sessions.getIfPresent(sessionId));
    }

    @Override
    public boolean isTokenRevoked(String tokenId) {
        return live(tokens.getIfPresent(tokenId));
    }

    void sweep() {
        tokens.cleanUp();
        sessions.cleanUp();
    }

    long entries() {
        sweep();
        return tokens.estimatedSize() + sessions.estimatedSize();
    }

    private boolean live(@Nullable Instant until) {
        return until != null && until.toEpochMilli() > clock.millis();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
