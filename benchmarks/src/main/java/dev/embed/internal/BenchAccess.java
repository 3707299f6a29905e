package dev.embed.internal;

import dev.embed.Embed;
import dev.embed.store.RevocationStore;
import java.time.Clock;

/**
 * Lets the benchmark programs reach what the library keeps package-private: it lives in the
 * library's internal package, in the benchmarks jar only, never in the library.
 */
public final class BenchAccess {
    private BenchAccess() {}

    /** Entries of the verified-token cache, after pending evictions and expiries ran. */
    public static long verifiedCacheSize(TokenService tokens) {
        return tokens.verifiedCacheSize();
    }

    /** The memory store's revocations, as a token service of the default configuration checks them. */
    public static RevocationStore revocations(Clock clock, long maximumSize) {
        return new MemoryRevocations(clock, maximumSize);
    }

    /** Live sessions in the application's memory store. */
    public static long sessionCount(Embed embed) {
        if (embed.store() instanceof MemoryStore memory) {
            return memory.sessionCount();
        }
        throw new IllegalStateException("not the memory store: " + embed.store().describe());
    }
}
