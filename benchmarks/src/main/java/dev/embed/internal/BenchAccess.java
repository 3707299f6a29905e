package dev.embed.internal;

/**
 * Lets the benchmark programs read what {@link TokenService} keeps package-private (the size of
 * its verified-token cache). Lives in the benchmarks jar only, never in the library.
 */
public final class BenchAccess {
    private BenchAccess() {}

    /** Entries of the verified-token cache, after pending evictions and expiries ran. */
    public static long verifiedCacheSize(TokenService tokens) {
        return tokens.verifiedCacheSize();
    }
}
