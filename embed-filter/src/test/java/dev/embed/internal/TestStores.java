package dev.embed.internal;

import dev.embed.Embed;
import dev.embed.store.EmbedStore;
import java.time.Clock;

/**
 * What the contract suites (in {@code dev.embed.testing}, and the other modules' tests) may ask of
 * the library's memory store beyond the store SPI: it lives in the internal package, so that the
 * store's counts stay package-private in the library.
 */
public final class TestStores {
    private TestStores() {}

    /** A new, empty memory store of the library's default bounds on {@code clock}. */
    public static EmbedStore memory(Clock clock) {
        return new MemoryStore(clock, 1_000_000, 1000);
    }

    /** Live sessions the application's memory store holds. */
    public static long sessionCount(Embed embed) {
        return memory(embed.store()).sessionCount();
    }

    /** Every entry the memory store holds (sessions, messages, turns, revocations, links, rate-limit keys). */
    public static long entries(EmbedStore store) {
        return memory(store).entries();
    }

    /** Drops the memory store's expired entries now. */
    public static void sweep(EmbedStore store) {
        memory(store).sweep();
    }

    private static MemoryStore memory(EmbedStore store) {
        if (store instanceof MemoryStore memory) {
            return memory;
        }
        throw new IllegalArgumentException("not the memory store: " + store.describe());
    }
}
