package dev.embed.internal;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.config.ConfigKey;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Lets the benchmark programs reach what the library keeps package-private: it lives in the
 * library's internal package, in the benchmarks jar only, never in the library.
 */
public final class BenchAccess {
    private BenchAccess() {}

    /** Entries of the application's verified-token cache, after pending evictions and expiries ran. */
    public static long verifiedCacheSize(Embed embed) {
        return embed.core().tokens().verifiedCacheSize();
    }

    /** The key of {@code credential}, looked up as every request's is. */
    public static ApiKey apiKey(Embed embed, String credential) {
        return embed.core().credentialReader().apiKey(credential);
    }

    /** Flow B's mint, as {@code POST .../embed-sessions} runs it: the answer's members. */
    public static Map<String, Object> mintEmbedSession(
            Embed embed, ApiKey key, String spaceId, String agentId, Map<String, Object> body, String baseUrl) {
        return embed.core().mint().mintEmbedSession(key, spaceId, agentId, body, baseUrl);
    }

    /** Verifies an embed token as the embed JSON endpoints do. */
    public static EmbedClaims verify(Embed embed, String token) {
        return embed.core().credentialReader().embedToken(token);
    }

    /** A signing secret as {@code embed.signing.secret} reads it (base64, or base64url). */
    public static byte[] decodeSecret(String text) {
        return KeyRing.decodeSecret(text, ConfigKey.SIGNING_SECRET);
    }

    /**
     * Mints embed-session tokens of one session with an HS256 {@code secret}, as the server's own
     * mint signs them (a fresh {@code jti} each), without the verified-token cache.
     */
    public static Supplier<String> tokenMinter(
            byte[] secret,
            String issuer,
            String audience,
            String subject,
            String sessionId,
            long ttlSeconds,
            String spaceId,
            String agentId) {
        Clock clock = Clock.systemUTC();
        TokenService tokens = new TokenService(
                KeyRing.hs256(secret, List.of()),
                issuer,
                audience,
                Fixtures.SKEW_SECONDS,
                clock,
                new MemoryRevocations(clock, 1),
                0);
        TokenSpec spec = new TokenSpec(
                TokenKind.EMBED_SESSION,
                subject,
                sessionId,
                ttlSeconds,
                spaceId,
                agentId,
                "chat",
                null,
                List.of(),
                null);
        return () -> tokens.mint(spec).token();
    }

    /** Live sessions in the application's memory store; -1 for another store. */
    public static long sessionCount(Embed embed) {
        return embed.store() instanceof MemoryStore memory ? memory.sessionCount() : -1;
    }
}
