package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Only CSP source expressions reach {@code frame-ancestors}, and {@code *} is never trusted with a token. */
class FrameAncestorsTest {
    @ParameterizedTest
    @CsvSource(
            quoteCharacter = '"',
            value = {
                "https://app.acme.com, https://app.acme.com",
                "HTTPS://App.Acme.com/, https://app.acme.com",
                "http://localhost:8080, http://localhost:8080",
                "http://localhost:*, http://localhost:*",
                "https://*.acme.com, https://*.acme.com",
                "http://[::1]:3000, http://[::1]:3000",
                "'self', 'self'",
                "*, *"
            })
    void normalizeWhenOriginThenSourceExpression(String origin, String expected) {
        assertEquals(expected, FrameAncestors.normalize(origin));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://a.example; script-src *",
                "https://a.example/path",
                "javascript:alert(1)",
                "https://a.example, https://b.example",
                "ftp://a.example",
                "'unsafe-inline'",
                "https://",
                "https://a b",
                "https://a.example:99999x",
                "data:",
                "'self"
            })
    void normalizeWhenNotAnOriginThenDropped(String origin) {
        assertNull(FrameAncestors.normalize(origin));
    }

    @Test
    void ofWhenMixedThenValidOnesInOrderWithoutDuplicates() {
        FrameAncestors origins =
                FrameAncestors.of(List.of("https://a.example", "bad value;", "https://a.example/", "'self'", "*"));
        assertEquals(List.of("https://a.example", "'self'", "*"), origins.sources());
        assertEquals("https://a.example 'self' *", origins.directive());
        assertEquals(List.of("https://a.example", "'self'"), origins.messageOrigins());
        assertEquals(List.of("bad value;"), FrameAncestors.invalid(List.of("https://a.example", "bad value;")));
    }

    @Test
    void ofWhenNothingValidThenNone() {
        assertEquals("'none'", FrameAncestors.of(List.of("bad;", "'none'")).directive());
        assertEquals(List.of(), FrameAncestors.of(List.of()).messageOrigins());
    }
}
