package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.embed.store.EmbedStore;
import dev.embed.store.StoreContract;
import dev.embed.testing.ObjectGraph;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The memory store keeps every guarantee of the store SPI, and after each test holds none of the
 * raw values it was given only as hashes (cache keys, fingerprints in bucket keys): every string
 * it can reach is checked.
 */
class MemoryStoreContractTest extends StoreContract {
    @Override
    protected EmbedStore open(Clock clock) {
        return new MemoryStore(clock, 1_000_000, 1000);
    }

    @Override
    protected void sweep(EmbedStore store) {
        ((MemoryStore) store).sweep();
    }

    @Override
    protected long entries(EmbedStore store) {
        return ((MemoryStore) store).entries();
    }

    @AfterEach
    void holdsNoSecret() {
        assertEquals(List.of(), ObjectGraph.secrets(store), "the memory store keeps a raw value it was given hashed");
    }
}
