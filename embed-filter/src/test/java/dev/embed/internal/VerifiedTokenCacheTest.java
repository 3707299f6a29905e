package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jose4j.base64url.Base64Url;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7: the verified-token cache of {@link TokenService}. A repeated token is served from the
 * cache, but the clock and revocation are checked on every use; failures, tampered variants and
 * overlong tokens are never remembered; the cache is bounded and drops each token at its {@code
 * exp}. Time moves with a {@link MutableClock}, never with sleeps.
 */
class VerifiedTokenCacheTest {
    private static final long SKEW = 30;
    private static final byte[] SECRET = Base64.getDecoder().decode(TestKeys.SECRET);

    private final MutableClock clock = MutableClock.start();
    private final MemoryRevocations credentials = new MemoryRevocations(clock, 1_000);
    private final TokenService tokens = service(1_000);

    @Test
    void verifyWhenTokenRepeatedThenSecondVerifyIsServedFromTheCache() {
        MintedToken minted = tokens.mint(spec(600));

        EmbedClaims first = tokens.verify(minted.token());

        assertTrue(tokens.isCached(minted.token()));
        assertEquals(minted.claims(), first);
        assertSame(first, tokens.verify(new String(minted.token().toCharArray())), "a hit returns the cached claims");
    }

    @Test
    void verifyWhenCachedTokenReachesExpPlusSkewThenInvalidToken() {
        MintedToken minted = tokens.mint(spec(600));
        tokens.verify(minted.token());

        clock.set(Instant.ofEpochSecond(minted.claims().expiresAt() + SKEW));

        assertInvalidToken(minted.token());
        assertFalse(tokens.isCached(minted.token()));
    }

    @Test
    void verifyWhenCachedTokenReachesExpThenEntryDroppedButTokenStillAcceptedWithinSkew() {
        MintedToken minted = tokens.mint(spec(600));
        tokens.verify(minted.token());
        assertEquals(1, tokens.verifiedCacheSize());

        clock.set(Instant.ofEpochSecond(minted.claims().expiresAt()));

        assertEquals(0, tokens.verifiedCacheSize(), "no token string outlives its exp");
        assertEquals(minted.claims(), tokens.verify(minted.token()), "the skew still applies, by a full verification");
        assertFalse(tokens.isCached(minted.token()), "an expired token is not entered again");
    }

    @Test
    void verifyWhenClockSetBackBeforeCachedTokenNbfThenHitIsInvalidToken() {
        MintedToken minted = tokens.mint(spec(600));
        tokens.verify(minted.token());

        clock.set(Instant.ofEpochSecond(minted.claims().notBefore() - SKEW - 1));

        assertInvalidToken(minted.token());
        assertFalse(tokens.isCached(minted.token()));
    }

    @Test
    void verifyWhenSessionRevokedAfterCachingThenNextVerifyIsInvalidToken() {
        MintedToken minted = tokens.mint(spec(600));
        tokens.verify(minted.token());
        assertTrue(tokens.isCached(minted.token()));

        credentials.revokeSession(minted.claims().sessionId(), minted.claims().expiresAtInstant());

        assertInvalidToken(minted.token());
        assertFalse(tokens.isCached(minted.token()), "a revoked token leaves the cache");
    }

    @Test
    void verifyWhenTokenIdRevokedAfterCachingThenNextVerifyIsInvalidToken() {
        MintedToken minted = tokens.mint(spec(600));
        MintedToken sibling = tokens.mint(spec(600));
        tokens.verify(minted.token());
        tokens.verify(sibling.token());

        credentials.revokeToken(minted.claims().tokenId(), minted.claims().expiresAtInstant());

        assertInvalidToken(minted.token());
        assertEquals(sibling.claims(), tokens.verify(sibling.token()), "another token of the session is unaffected");
    }

    static Stream<Arguments> tamperedVariants() {
        return Stream.of(
                Arguments.of("first signature character changed", (UnaryOperator<String>) t -> {
                    int at = t.lastIndexOf('.') + 1;
                    return t.substring(0, at) + other(t.charAt(at)) + t.substring(at + 1);
                }),
                Arguments.of("payload character changed", (UnaryOperator<String>) t -> {
                    int at = t.indexOf('.') + 10;
                    return t.substring(0, at) + other(t.charAt(at)) + t.substring(at + 1);
                }),
                Arguments.of("payload replaced (sub changed), signature kept", (UnaryOperator<String>) t -> {
                    String[] parts = t.split("\\.", -1);
                    String payload = Base64Url.decodeToUtf8String(parts[1]).replace("\"user-1\"", "\"admin\"");
                    return parts[0] + "." + Base64Url.encodeUtf8ByteRepresentation(payload) + "." + parts[2];
                }),
                Arguments.of("signature's last character spelled non-canonically (same bytes)", (UnaryOperator<String>)
                        t -> {
                            // 43 characters carry 32 bytes: the last one's low 2 bits are unused, and a lenient
                            // decoder reads the same signature from 4 spellings.
                            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                            int value = alphabet.indexOf(t.charAt(t.length() - 1));
                            return t.substring(0, t.length() - 1) + alphabet.charAt(value ^ 1);
                        }),
                Arguments.of("payload character replaced by a non-Latin-1 one with the same low byte", (UnaryOperator<
                                String>)
                        t -> {
                            int at = t.indexOf('.') + 10;
                            return t.substring(0, at) + (char) (t.charAt(at) + 0x100) + t.substring(at + 1);
                        }),
                Arguments.of("character appended", (UnaryOperator<String>) t -> t + "A"),
                Arguments.of("last character removed", (UnaryOperator<String>) t -> t.substring(0, t.length() - 1)),
                Arguments.of("character prepended", (UnaryOperator<String>) t -> "e" + t));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperedVariants")
    void verifyWhenTamperedVariantOfCachedTokenThenInvalidTokenAndNotCached(
            String change, UnaryOperator<String> tamper) {
        MintedToken minted = tokens.mint(spec(600));
        tokens.verify(minted.token());
        String tampered = tamper.apply(minted.token());

        assertInvalidToken(tampered);

        assertFalse(tokens.isCached(tampered));
        assertEquals(1, tokens.verifiedCacheSize(), "only the genuine token is cached");
        assertEquals(minted.claims(), tokens.verify(minted.token()));
    }

    @Test
    void verifyWhenTokenCachedThenCacheKeyHoldsNoTokenText() {
        MintedToken minted = tokens.mint(spec(600));
        tokens.verify(minted.token());

        // A key is its digest only: nothing in it can be presented as the token (a heap dump of the
        // cache yields no credential), and it costs 48 bytes instead of the text's ~500 (issue 12).
        for (java.lang.reflect.Field field : TokenKey.class.getDeclaredFields()) {
            if (!java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                assertTrue(field.getType() == long.class, field + " holds more than digest bits");
            }
        }
        TokenKey key = new TokenKey(minted.token());
        assertEquals(key, new TokenKey(new String(minted.token().toCharArray())));
        assertEquals(key.hashCode(), new TokenKey(new String(minted.token().toCharArray())).hashCode());
        assertFalse(key.toString().contains(minted.token().substring(0, 16)));
        assertTrue(tokens.isCached(minted.token()));
    }

    @Test
    void verifyWhenTokenFailsThenNothingIsCached() {
        MintedToken revoked = tokens.mint(spec(600));
        credentials.revokeToken(revoked.claims().tokenId(), revoked.claims().expiresAtInstant());
        TokenService otherKey = new TokenService(
                KeyRing.hs256(Base64.getDecoder().decode(TestKeys.OTHER_SECRET), List.of()),
                "embed",
                "embed",
                SKEW,
                clock,
                credentials);
        List<String> junk = List.of(
                "",
                "a.b.c",
                "not a token",
                revoked.token(),
                otherKey.mint(spec(600)).token(),
                "x".repeat(TokenService.MAX_TOKEN_LENGTH + 1));

        for (String token : junk) {
            assertInvalidToken(token);
        }

        assertEquals(0, tokens.verifiedCacheSize());
    }

    @Test
    void verifyWhenMoreDistinctTokensThanMaximumSizeThenCacheStaysBounded() {
        TokenService small = service(8);
        List<MintedToken> minted = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            minted.add(small.mint(spec(600)));
        }

        for (MintedToken m : minted) {
            assertEquals(m.claims(), small.verify(m.token()));
        }

        assertTrue(small.verifiedCacheSize() <= 8, "size " + small.verifiedCacheSize());
        for (MintedToken m : minted) {
            assertEquals(m.claims(), small.verify(m.token()), "an evicted token still verifies, in full");
        }
    }

    @Test
    void verifyWhenTokenLongerThanCacheableLengthThenVerifiedButNotCached() {
        List<String> sources = new ArrayList<>();
        for (int i = 0; sources.size() * 12 < TokenService.MAX_CACHED_TOKEN_LENGTH; i++) {
            sources.add("source-" + i);
        }
        MintedToken minted = tokens.mint(
                new TokenSpec(TokenKind.IFRAME, "user-1", "sess-1", 600, "demo", "support", null, null, sources, null));
        assertTrue(minted.token().length() > TokenService.MAX_CACHED_TOKEN_LENGTH);

        assertEquals(minted.claims(), tokens.verify(minted.token()));

        assertFalse(tokens.isCached(minted.token()));
    }

    @Test
    void verifyWhenCacheSizeZeroThenNothingIsCachedAndRulesStillApply() {
        TokenService uncached = service(0);
        MintedToken minted = uncached.mint(spec(600));

        assertEquals(minted.claims(), uncached.verify(minted.token()));
        assertEquals(minted.claims(), uncached.verify(minted.token()));

        assertFalse(uncached.isCached(minted.token()));
        credentials.revokeSession(minted.claims().sessionId(), minted.claims().expiresAtInstant());
        assertThrows(EmbedException.class, () -> uncached.verify(minted.token()));
    }

    @Test
    void constructorWhenCacheSizeNegativeThenIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> service(-1));
    }

    @Test
    void embedWhenVerifiedCacheSizeConfiguredThenTokenServiceHonoursIt() {
        assertEquals("1000000", ConfigKey.TOKENS_VERIFIED_CACHE_SIZE.defaultValue());
        try (Embed on = embed(Map.of());
                Embed off = embed(Map.of(ConfigKey.TOKENS_VERIFIED_CACHE_SIZE.key(), "0"))) {
            for (Embed embed : List.of(on, off)) {
                MintedToken minted = embed.core().tokens().mint(spec(600));
                embed.core().credentialReader().embedToken(minted.token());

                assertEquals(embed == on, embed.core().tokens().isCached(minted.token()));
            }
        }
    }

    private Embed embed(Map<String, String> extra) {
        Map<String, String> config = new java.util.HashMap<>(extra);
        config.put(ConfigKey.SIGNING_SECRET.key(), TestKeys.SECRET);
        return Embed.builder(EmbedConfig.of(config)).clock(clock).build();
    }

    private TokenService service(long cacheSize) {
        return new TokenService(
                KeyRing.hs256(SECRET, List.of()), "embed", "embed", SKEW, clock, credentials, cacheSize);
    }

    private static TokenSpec spec(long ttl) {
        return new TokenSpec(
                TokenKind.EMBED_SESSION, "user-1", "sess-1", ttl, "demo", "support", "chat", null, null, null);
    }

    private void assertInvalidToken(String token) {
        EmbedException e = assertThrows(EmbedException.class, () -> tokens.verify(token));
        assertEquals(401, e.error().status());
        assertEquals("invalid_token", e.error().code());
    }

    private static char other(char c) {
        return c == 'A' ? 'B' : 'A';
    }
}
