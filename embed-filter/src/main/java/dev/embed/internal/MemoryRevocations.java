package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.store.RevocationStore;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's revocations: revoked token ids and sessions in two Caffeine maps, each entry
 * kept until the latest expiry a token it concerns can have and never dropped before (an evicted
 * revocation would let a revoked token through again, finding 5 of issue 13). The two checks are a
 * map lookup each: they run on every embed request.
 *
 * <p>A session's revocation is charged to the session's tenant ({@link MemoryBudget}) for as long
 * as it is kept, and always kept: the library revokes only live sessions it is about to end, whose
 * own (larger) charge goes at once, so each tenant's revocations are bounded by its budget.
 */
final class MemoryRevocations implements RevocationStore {
    private static final long BYTES = MemoryBudget.ENTRY_OVERHEAD + 2 * 64;

    private final Clock clock;
    private final MemoryBudget budget;
    private final Function<String, String> tenantOfSession;
    private final Cache<String, Revoked> tokens;
    private final Cache<String, Revoked> sessions;

    /** Until when, and whose budget is charged for it. */
    private record Revoked(Instant until, String tenant) {}

    /**
     * Revocations on their own, outside a store, unbudgeted (the token tests' revocation list).
     * {@code entries} is only how many the caller expects: nothing is ever dropped early.
     */
    MemoryRevocations(Clock clock, long entries) {
        this(clock, MemoryBudget.unlimited(), sessionId -> "");
    }

    MemoryRevocations(Clock clock, MemoryBudget budget, Function<String, String> tenantOfSession) {
        this.clock = clock;
        this.budget = budget;
        this.tenantOfSession = tenantOfSession;
        this.tokens = ExpireAt.unboundedCache(clock, Revoked::until, this::expired);
        this.sessions = ExpireAt.unboundedCache(clock, Revoked::until, this::expired);
    }

    @Override
    public void revokeSession(String sessionId, Instant until) {
        revoke(sessions, sessionId, until, tenantOfSession.apply(sessionId));
    }

    @Override
    public void revokeToken(String tokenId, Instant until) {
        revoke(tokens, tokenId, until, "");
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

    private void revoke(Cache<String, Revoked> map, String id, Instant until, String tenant) {
        map.asMap().compute(id, (k, old) -> {
            if (old == null) {
                budget.charge(tenant, BYTES);
                return new Revoked(until, tenant);
            }
            return old.until().isAfter(until) ? old : new Revoked(until, old.tenant());
        });
    }

    private void expired(String id, Revoked revoked) {
        budget.credit(revoked.tenant(), BYTES);
    }

    private boolean live(@Nullable Revoked revoked) {
        return revoked != null && revoked.until().toEpochMilli() > clock.millis();
    }
}
