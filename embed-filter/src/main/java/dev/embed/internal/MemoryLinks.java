package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.store.LinkStore;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's flow D links: a Caffeine map under the SHA-256 of each link's cache key,
 * bounded by count, each entry dropped when the link expires. {@code take} is {@code
 * asMap().remove}: of any number of concurrent redeemers exactly one gets the link.
 */
final class MemoryLinks implements LinkStore {
    private final Clock clock;
    private final Cache<String, Link> links;

    MemoryLinks(Clock clock, long maximumSize) {
        this.clock = clock;
        this.links = ExpireAt.cache(clock, maximumSize, Link::expiresAt);
    }

    @Override
    public void put(String keyHash, Link link) {
        links.put(Objects.requireNonNull(keyHash, "keyHash"), Objects.requireNonNull(link, "link"));
    }

    @Override
    public Optional<Link> take(String keyHash) {
        return live(links.asMap().remove(keyHash));
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

    private Optional<Link> live(@Nullable Link link) {
        return link != null && link.expiresAt().toEpochMilli() > clock.millis() ? Optional.of(link) : Optional.empty();
    }
}
