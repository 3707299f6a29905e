package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.store.LinkStore;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's flow D links: a Caffeine map under the SHA-256 of each link's cache key, each
 * entry dropped when the link expires or is taken, never to make room. {@code take} is {@code
 * asMap().remove}: of any number of concurrent redeemers exactly one gets the link.
 *
 * <p>A link is charged to the tenant of its session ({@link MemoryBudget}) until it goes. It is
 * always kept: one link is put per flow D session, whose creation passed the tenant's budget.
 */
final class MemoryLinks implements LinkStore {
    private final Clock clock;
    private final MemoryBudget budget;
    private final Function<String, String> tenantOfSession;
    private final Cache<String, Held> links;

    /** A link and what it is charged to whom; {@code released} once credited. */
    private record Held(Link link, String tenant, long bytes, AtomicBoolean released) {
        void release(MemoryBudget budget) {
            if (released.compareAndSet(false, true)) {
                budget.credit(tenant, bytes);
            }
        }
    }

    MemoryLinks(Clock clock, MemoryBudget budget, Function<String, String> tenantOfSession) {
        this.clock = clock;
        this.budget = budget;
        this.tenantOfSession = tenantOfSession;
        this.links =
                ExpireAt.unboundedCache(clock, held -> held.link().expiresAt(), (key, held) -> held.release(budget));
    }

    @Override
    public void put(String keyHash, Link link) {
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(link, "link");
        long bytes = MemoryBudget.ENTRY_OVERHEAD
                + MemoryBudget.text(keyHash)
                + MemoryBudget.text(link.sessionId())
                + MemoryBudget.text(link.subject())
                + link.sources().stream()
                        .mapToLong(s -> 32 + MemoryBudget.text(s))
                        .sum();
        Held held = new Held(link, tenantOfSession.apply(link.sessionId()), bytes, new AtomicBoolean());
        budget.charge(held.tenant(), bytes);
        Held previous = links.asMap().put(keyHash, held);
        if (previous != null) {
            previous.release(budget);
        }
    }

    @Override
    public Optional<Link> take(String keyHash) {
        Held held = links.asMap().remove(keyHash);
        if (held != null) {
            held.release(budget);
        }
        return live(held);
    }

    @Override
    public Optional<Link> peek(String keyHash) {
        return live(links.getIfPresent(keyHash));
    }

    void sweep() {
        links.cleanUp();
    }

    long entries() {
        sweep();
        return links.estimatedSize();
    }

    private Optional<Link> live(@Nullable Held held) {
        return held != null && held.link().expiresAt().toEpochMilli() > clock.millis()
                ? Optional.of(held.link())
                : Optional.empty();
    }
}
