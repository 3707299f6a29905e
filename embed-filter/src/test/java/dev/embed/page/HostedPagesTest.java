package dev.embed.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.cache.CaffeineCredentialCache;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.error.Reply;
import dev.embed.mint.MintService;
import dev.embed.session.EmbedSession;
import dev.embed.session.InMemorySessionRegistry;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import dev.embed.token.KeyRing;
import dev.embed.token.TokenService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page answers themselves, without a server: headers, the configuration block, escaping. */
class HostedPagesTest {
    private final MutableClock clock = MutableClock.start();
    private final InMemorySessionRegistry sessions = new InMemorySessionRegistry(clock, 100);
    private final CaffeineCredentialCache cache = new CaffeineCredentialCache(clock, 100);
    private final TokenService tokens = new TokenService(
            KeyRing.fromConfig(EmbedConfig.of(Map.of("embed.signing.secret", TestKeys.SECRET))),
            "embed",
            "embed",
            30,
            clock,
            cache);
    private final HostedPages pages = new HostedPages(sessions, tokens, cache, List.of("https://default.example"));

    private void session(String id, Object origins) {
        sessions.save(new EmbedSession(
                id,
                "acme",
                "demo",
                "support",
                "u1",
                null,
                "chat",
                "url",
                clock.instant(),
                clock.instant().plus(Duration.ofHours(1)),
                origins == null ? Map.of() : Map.of(MintService.FRAME_ANCESTORS, origins)));
    }

    @Test
    void serveWhenSessionRecordsOriginsThenTheyFrameThePageAndJunkIsDropped() {
        session("ses_1", List.of("https://shop.example", "https://evil.example; script-src *"));
        Reply page = pages.serve("/embed/chat/ses_1", "/app", null);
        assertEquals(200, page.status());
        assertTrue(
                page.headers().get("Content-Security-Policy").endsWith("; frame-ancestors https://shop.example"),
                page.headers().get("Content-Security-Policy"));
        assertTrue(
                page.body().contains("\"parentOrigins\":[\"https:\\/\\/shop.example\"]")
                        || page.body().contains("\"parentOrigins\":[\"https://shop.example\"]"),
                page.body());
        assertTrue(page.body().contains("href=\"/app/embed/assets/chat.css?v=" + pages.version() + "\""));
    }

    @Test
    void serveWhenSessionRecordsNoOriginsThenConfiguredOnes() {
        session("ses_2", null);
        assertTrue(pages.serve("/embed/chat/ses_2", "", null)
                .headers()
                .get("Content-Security-Policy")
                .endsWith("frame-ancestors https://default.example"));
    }

    @Test
    void serveWhenBasePathHasMarkupThenEscapedEverywhere() {
        Reply page = pages.serve("/embed/chat/ses_3", "/a\"><script>alert(1)</script>", null);
        assertFalse(page.body().contains("<script>alert(1)"), page.body());
        assertTrue(
                page.body().contains("href=\"/a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;/embed/assets/"),
                page.body());
    }

    @Test
    void jsonForHtmlWhenClosingTagThenNothingCanEndTheDataBlock() {
        String json = HostedPages.jsonForHtml("{\"a\":\"</script><!--\u2028&\"}");
        assertFalse(json.contains("<") || json.contains(">") || json.contains("&") || json.contains("\u2028"), json);
    }

    @Test
    void serveWhenNotAPageThenNotFoundAndBadIdsBadRequest() {
        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> pages.serve("/embed/other/x", "", null))
                        .error()
                        .status());
        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> pages.serve("/nope", "", null))
                        .error()
                        .status());
        assertEquals(
                400,
                assertThrows(EmbedException.class, () -> pages.serve("/embed/chat/a b", "", null))
                        .error()
                        .status());
    }
}
