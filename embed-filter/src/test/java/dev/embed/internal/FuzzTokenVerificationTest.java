package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import dev.embed.testing.TokenForge;
import dev.embed.token.EmbedClaims;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Fuzzes {@link TokenService#verify} (issue 8): whatever the text, it answers claims that follow
 * every rule, or an {@link EmbedException} 401 whose description echoes nothing of the token;
 * never another exception, never an error.
 *
 * <p>In the normal test run each target replays its seed corpus (regression mode), the files in
 * {@code src/test/resources/dev/embed/token/FuzzTokenVerificationTestInputs/<method>/}. To fuzz,
 * see SECURITY.md ("Fuzzing"): {@code JAZZER_FUZZ=1}, one target per run.
 *
 * <p>The service runs on a fixed clock (2026-01-01T00:00:00Z) with the HS256 test secret and the
 * verified-token cache on, so the seeds are fixed texts, and the cache is fuzzed with the rest.
 */
class FuzzTokenVerificationTest {
    static final byte[] SECRET = Base64.getDecoder().decode(TestKeys.SECRET);
    static final MutableClock CLOCK = MutableClock.start();
    // Error Prone takes this for a read of the wall clock; CLOCK is the tests' fixed clock, started at 2026-01-01.
    @SuppressWarnings("TimeInStaticInitializer")
    static final long NOW = CLOCK.instant().getEpochSecond();

    static final KeyRing RING = KeyRing.hs256(SECRET, List.of());
    static final TokenService TOKENS =
            new TokenService(RING, "embed", "embed", 30, CLOCK, new MemoryRevocations(CLOCK, 10_000), 10_000);

    /** A valid token, always the same text: the one every mutation starts from. */
    static final String VALID = TokenForge.hs256(
            TokenForge.header("HS256", RING.signingKid(), "typ", "JWT"),
            "{\"iss\":\"embed\",\"aud\":\"embed\",\"sub\":\"customer-123\",\"sid\":\"ses_fuzz\",\"iat\":" + NOW
                    + ",\"nbf\":" + NOW + ",\"exp\":" + (NOW + 3600) + ",\"jti\":\"jti-fuzz\",\"kty\":\"session\","
                    + "\"spc\":\"demo\",\"agt\":\"support\",\"mode\":\"chat\"}",
            SECRET);

    static {
        // In the verified-token cache from the start: every mutation is looked up next to it.
        TOKENS.verify(VALID);
    }

    /** Any text as a token: claims that follow every rule, or 401. */
    @FuzzTest
    @DictionaryEntries({"eyJ", ".", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJub25lIn0", "=", " ", "Bearer "})
    void verifyWhenArbitraryTextThenValidClaimsOrInvalidToken(byte[] input) {
        check(new String(input, StandardCharsets.UTF_8));
    }

    /**
     * Header and payload JSON (the input's first line, then the rest) signed with the real key:
     * what passes the signature is fuzzed against every claim rule, and jose4j's parsing of both
     * parts with it.
     */
    @FuzzTest
    @DictionaryEntries({
        "\"alg\"",
        "\"HS256\"",
        "\"kid\"",
        "\"hs-ADw4kLcb0xZA\"",
        "\"iss\"",
        "\"embed\"",
        "\"aud\"",
        "\"sub\"",
        "\"sid\"",
        "\"jti\"",
        "\"kty\"",
        "\"session\"",
        "\"visitor\"",
        "\"iat\"",
        "\"nbf\"",
        "\"exp\"",
        "1767225600",
        "1767229200",
        "\"crit\"",
        "\"b64\"",
        "\"cty\"",
        "\"jku\"",
        "\"jwk\"",
        "\"x5u\"",
        "\"zip\"",
        "\"src\"",
        "\"fp\"",
        "1e309",
        "-0",
        "null",
        "[]",
        "{}"
    })
    void verifyWhenSignedPartsFuzzedThenValidClaimsOrInvalidToken(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String header = newline < 0 ? text : text.substring(0, newline);
        String payload = newline < 0 ? "" : text.substring(newline + 1);
        check(TokenForge.hs256(header, payload, SECRET));
    }

    /**
     * The valid token with edits: each 4 bytes of input replace, insert or delete one character at
     * a position. Any text other than the valid one is refused, though the valid one is in the
     * verified-token cache (one lookup away from every mutation).
     */
    @FuzzTest
    void verifyWhenValidTokenMutatedThenInvalidTokenUnlessUnchanged(byte[] edits) {
        StringBuilder token = new StringBuilder(VALID);
        for (int i = 0; i + 3 < edits.length && token.length() > 0; i += 4) {
            int position = ((edits[i + 1] & 0xff) << 8 | (edits[i + 2] & 0xff)) % token.length();
            char c = (char) (edits[i + 3] & 0xff);
            switch (edits[i] & 3) {
                case 0 -> token.setCharAt(position, c);
                case 1 -> token.insert(position, c);
                case 2 -> token.deleteCharAt(position);
                default -> {
                    char at = token.charAt(position);
                    token.setCharAt(
                            position,
                            Character.isUpperCase(at) ? Character.toLowerCase(at) : Character.toUpperCase(at));
                }
            }
        }
        String mutated = token.toString();
        if (mutated.equals(VALID)) {
            assertEquals("ses_fuzz", TOKENS.verify(mutated).sessionId());
        } else {
            try {
                TOKENS.verify(mutated);
                throw new AssertionError("a changed token verified: " + mutated.length() + " characters");
            } catch (EmbedException e) {
                assertInvalidToken(e, mutated);
            }
        }
    }

    /** What every target asserts of one verification. */
    static void check(String token) {
        EmbedClaims claims;
        try {
            claims = TOKENS.verify(token);
        } catch (EmbedException e) {
            assertInvalidToken(e, token);
            return;
        }
        // Only a token signed with the secret gets here: it must follow every rule.
        assertTrue(token.length() <= TokenService.MAX_TOKEN_LENGTH);
        assertFalse(claims.subject().isEmpty());
        assertFalse(claims.sessionId().isEmpty());
        assertFalse(claims.tokenId().isEmpty());
        assertTrue(claims.expiresAt() > claims.issuedAt());
        assertTrue(claims.expiresAt() - claims.issuedAt() <= claims.kind().maxLifetimeSeconds());
        assertTrue(NOW - 30 < claims.expiresAt(), "expired");
        assertTrue(claims.notBefore() - 30 <= NOW && claims.issuedAt() - 30 <= NOW, "not yet valid");
    }

    static void assertInvalidToken(EmbedException e, String token) {
        assertEquals(401, e.error().status(), e.error().description());
        assertEquals("invalid_token", e.error().code());
        String description = e.error().description();
        assertFalse(description.isBlank());
        if (token != null && token.length() >= 8) {
            assertFalse(description.contains(token), "the description echoes the token");
        }
        assertFalse(
                description.contains("jose4j") || description.contains("Exception") || description.contains("org."),
                "the description shows library text: " + description);
    }
}
