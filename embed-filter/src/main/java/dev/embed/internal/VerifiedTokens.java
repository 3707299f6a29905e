package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.embed.token.EmbedClaims;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * The verified-token cache: tokens that passed every rule, by the SHA-256 of their exact compact
 * serialization ({@link TokenKey}: the cache holds no token text, so a heap dump yields no
 * credential from it), with the claims they carried, so that a token presented again costs a
 * digest and one map lookup instead of a signature, Base64 and JSON (about 10 µs). A Caffeine map
 * bounded by {@code maximumSize} ({@code embed.tokens.verifiedCacheSize}; 0 turns it off), whose
 * entries expire at their token's {@code exp} on the injected clock. Only tokens of at most {@link
 * TokenService#MAX_CACHED_TOKEN_LENGTH} characters are kept. What can change between two uses
 * (time, revocation) is the caller's to check on every use. Thread-safe.
 */
final class VerifiedTokens {
    private final Clock clock;
    /** Verified tokens by the digest of their exact text; null when turned off. */
    private final @Nullable Cache<TokenKey, EmbedClaims> verified;

    VerifiedTokens(long maximumSize, Clock clock) {
        if (maximumSize < 0) {
            throw new IllegalArgumentException("verifiedCacheSize must not be negative: " + maximumSize);
        }
        this.clock = clock;
        this.verified = maximumSize == 0
                ? null
                : Caffeine.newBuilder()
                        .maximumSize(maximumSize)
                        .ticker(ExpireAt.ticker(clock))
                        .expireAfter(new ExpireAt<TokenKey, EmbedClaims>(EmbedClaims::expiresAtInstant))
                        // Drops each entry promptly at its exp, even when no request comes to trigger it.
                        .scheduler(Scheduler.systemScheduler())
                        // Maintenance (eviction, expiry) is a few hundred ns of bookkeeping: run it on the
                        // caller, not by waking a pool thread on every insertion.
                        .executor(Runnable::run)
                        .build();
    }

    /** The key {@code token} is cached under, or null when the cache is off or the token too long to keep. */
    @Nullable
    TokenKey keyOf(@Nullable String token) {
        return verified != null && token != null && token.length() <= TokenService.MAX_CACHED_TOKEN_LENGTH
                ? new TokenKey(token)
                : null;
    }

    /** The claims a token verified with, or null. */
    @Nullable
    EmbedClaims get(TokenKey key) {
        Cache<TokenKey, EmbedClaims> cache = verified;
        return cache == null ? null : cache.getIfPresent(key);
    }

    /** Remembers a token that passed every rule, unless it has expired already. */
    void remember(TokenKey key, EmbedClaims claims) {
        Cache<TokenKey, EmbedClaims> cache = verified;
        if (cache != null && claims.expiresAt() > Math.floorDiv(clock.millis(), 1000L)) {
            cache.put(key, claims);
        }
    }

    /** Forgets a token that will never pass again (expired or revoked). */
    void forget(TokenKey key) {
        Cache<TokenKey, EmbedClaims> cache = verified;
        if (cache != null) {
            cache.invalidate(key);
        }
    }

    /** Whether this exact token is cached (tests). */
    boolean contains(String token) {
        return verified != null && verified.getIfPresent(new TokenKey(token)) != null;
    }

    /** Entries after pending evictions and expiries ran (tests, metrics). */
    long size() {
        if (verified == null) {
            return 0;
        }
        verified.cleanUp();
        return verified.estimatedSize();
    }
}
