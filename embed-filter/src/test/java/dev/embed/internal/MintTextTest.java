package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12's mint path writes the same text as jose4j did: every string's escaping, the claims,
 * the answers of flows A and B and their dates.
 */
class MintTextTest {
    /** Strings with every kind of character the writer treats differently. */
    static Stream<String> awkwardStrings() {
        return Stream.of(
                "",
                "a",
                "https://app.example/base",
                "Zo\u00eb \u00c5ngstr\u00f6m \ud83d\ude42",
                "\"quoted\" \\ back\\slash / slash",
                "\b\f\n\r\t\u0000\u0001\u001f \u007f\u0080\u009f\u00a0 \u1fff\u2000\u2028\u20ff\u2100",
                "\ud800 lone surrogate \udfff",
                "x".repeat(300));
    }

    @Test
    void quoteWhenAnyCharacterThenWhatJose4jWrites() {
        for (int c = 0; c <= 0xFFFF; c++) {
            String value = "a" + (char) c + "b";
            assertEquals(
                    JsonUtil.toJson(Map.of("k", value)),
                    JsonStrings.quote(JsonStrings.member(new StringBuilder("{"), true, "k"), value)
                            .append('}')
                            .toString(),
                    () -> "character " + Integer.toHexString(value.charAt(1)));
        }
    }

    @ParameterizedTest
    @MethodSource("awkwardStrings")
    void writeClaimsWhenAnySpecThenWhatJose4jJwtClaimsWrites(String text) {
        TokenClaims claims = new TokenClaims("iss " + text, "aud " + text);
        List<TokenSpec> specs = List.of(
                new TokenSpec(
                        TokenKind.EMBED_SESSION,
                        "user " + text,
                        "ses_1",
                        600,
                        "demo",
                        "support",
                        "chat",
                        text,
                        List.of(),
                        null),
                new TokenSpec(
                        TokenKind.EMBED_URL,
                        text.isEmpty() ? "u" : text,
                        "ses_" + text,
                        60,
                        null,
                        null,
                        null,
                        null,
                        List.of(),
                        null),
                new TokenSpec(
                        TokenKind.IFRAME,
                        "u",
                        "s",
                        900,
                        "demo",
                        "support",
                        "agent",
                        "Ada",
                        List.of("docs", text, "faq"),
                        "fp " + text),
                new TokenSpec(TokenKind.IFRAME, "u", "s", 900, null, null, null, null, List.of(text), "fp"));
        for (TokenSpec spec : specs) {
            assertEquals(
                    jose4j(spec, "iss " + text, "aud " + text, "jti-1", 1_700_000_000L, 1_700_000_600L),
                    claims.write(spec, "jti-1", 1_700_000_000L, 1_700_000_600L));
        }
    }

    /** The claims as the library wrote them before issue 12: a jose4j JwtClaims, toJson(). */
    private static String jose4j(TokenSpec spec, String issuer, String audience, String jti, long now, long exp) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setSubject(spec.subject());
        claims.setClaim("sid", spec.sessionId());
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setNotBefore(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(exp));
        claims.setJwtId(jti);
        claims.setClaim("kty", spec.kind().claim());
        putIfPresent(claims, "spc", spec.spaceId());
        putIfPresent(claims, "agt", spec.agentId());
        putIfPresent(claims, "mode", spec.mode());
        putIfPresent(claims, "name", spec.displayName());
        if (!spec.sources().isEmpty()) {
            claims.setStringListClaim("src", spec.sources());
        }
        putIfPresent(claims, "fp", spec.fingerprintHash());
        return claims.toJson();
    }

    private static void putIfPresent(JwtClaims claims, String name, @Nullable String value) {
        if (value != null) {
            claims.setClaim(name, value);
        }
    }

    @ParameterizedTest
    @MethodSource("awkwardStrings")
    void mintAnswersWhenAnyBaseUrlThenJsonTextIsWhatJsonWriteMakesOfTheMap(String text) {
        EmbedClaims claims = new EmbedClaims(
                "u",
                "ses_" + text.length(),
                "j",
                TokenKind.EMBED_SESSION,
                1_700_000_000L,
                1_700_000_000L,
                1_700_003_600L,
                "demo",
                "support",
                "chat",
                null,
                List.of(),
                null);
        MintService.Answer answer =
                new MintService.Answer(new MintedToken("h.p" + text + ".s", claims), "https://a.example" + text);

        assertEquals(Json.write(answer.embedSession()), answer.embedSessionJson());
        assertEquals(Json.write(answer.embedUrl()), answer.embedUrlJson());
    }

    @ParameterizedTest
    @ValueSource(
            longs = {
                0L,
                1L,
                59L,
                86_399L,
                951_782_400L,
                1_700_000_000L,
                1_709_164_800L,
                4_102_444_799L,
                253_402_300_799L,
                253_402_300_800L,
                32_503_680_000L - 1,
                -1L,
                -62_135_596_800L
            })
    void formatExpiresAtWhenAnySecondThenWhatTheFormatterWrites(long second) {
        assertEquals(MintService.EXPIRES_AT.format(Instant.ofEpochSecond(second)), MintService.formatExpiresAt(second));
    }

    @Test
    void formatExpiresAtWhenEveryDayOfFourYearsThenWhatTheFormatterWrites() {
        for (long second = 1_700_000_000L; second < 1_700_000_000L + 4 * 366 * 86_400L; second += 86_400L + 3_661L) {
            assertEquals(
                    MintService.EXPIRES_AT.format(Instant.ofEpochSecond(second)), MintService.formatExpiresAt(second));
        }
    }
}
