package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page answers themselves, without a server: headers, the configuration block, escaping. */
class HostedPagesTest {
    private final MutableClock clock = MutableClock.start();
    private final MemoryStore store = new MemoryStore(clock, 100, 100);
    private final TokenService tokens = new TokenService(
            KeyRing.fromConfig(EmbedConfig.of(Map.of("embed.signing.secret", TestKeys.SECRET))),
            "embed",
            "embed",
            30,
            clock,
            store.revocations());
    private final HostedPages pages = new HostedPages(
            store.sessions(),
            tokens,
            new IframeLinkService(tokens, store, true, clock),
            List.of("https://default.example"),
            HostedPages.Options.DEFAULTS);

    private void session(String id, List<String> origins) {
        store.sessions()
                .create(new EmbedSession(
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
                        origins,
                        null));
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
        assertTrue(page.body().contains("href=\"/app/embed/assets/" + pages.version() + "/chat.css\""), page.body());
        assertTrue(
                page.body()
                        .contains("<script type=\"module\" src=\"/app/embed/assets/" + pages.version() + "/chat.js\""),
                page.body());
    }

    @Test
    void serveWhenAssetListedThenAtItsVersionImmutableAndWithoutVersionShortLived() {
        assertTrue(pages.version().matches("[0-9a-f]{12}"), pages.version());
        for (String name : HostedPages.assetNames(resource(HostedPages.ASSET_LIST))) {
            Reply versioned = pages.serve("/embed/assets/" + pages.version() + "/" + name, "", null);
            assertEquals(200, versioned.status(), name);
            assertEquals(HostedPages.LONG_CACHE, versioned.headers().get("Cache-Control"), name);
            assertEquals("same-origin", versioned.headers().get("Cross-Origin-Resource-Policy"), name);
            assertEquals("nosniff", versioned.headers().get("X-Content-Type-Options"), name);
            assertEquals(resource("assets/" + name), versioned.body(), name);
            Reply plain = pages.serve("/embed/assets/" + name, "", null);
            assertEquals(HostedPages.SHORT_CACHE, plain.headers().get("Cache-Control"), name);
            assertEquals(versioned.body(), plain.body(), name);
        }
        assertEquals(
                "text/javascript; charset=utf-8",
                pages.serve("/embed/assets/chat.js", "", null).contentType());
        assertEquals(
                "text/css; charset=utf-8",
                pages.serve("/embed/assets/chat.css", "", null).contentType());
    }

    @Test
    void serveWhenAssetOfAnotherVersionThenTodaysFileButNeverImmutable() {
        String other = pages.version().startsWith("0") ? "100000000000" : "000000000000";
        Reply stale = pages.serve("/embed/assets/" + other + "/chat.js", "", null);
        assertEquals(200, stale.status());
        assertEquals(HostedPages.SHORT_CACHE, stale.headers().get("Cache-Control"));
    }

    @Test
    void serveWhenAssetNotListedOrPathMalformedThenNotFound() {
        for (String path : List.of(
                "/embed/assets/chat.html",
                "/embed/assets/assets.txt",
                "/embed/assets/" + pages.version() + "/nope.js",
                "/embed/assets/ABCDEF012345/chat.js",
                "/embed/assets/" + pages.version() + "/x/chat.js",
                "/embed/assets/../widget.js",
                "/embed/assets/")) {
            assertEquals(
                    404,
                    assertThrows(EmbedException.class, () -> pages.serve(path, "", null))
                            .error()
                            .status(),
                    path);
        }
    }

    @Test
    void serveWhenWidgetOrSdkThenAnyOriginMayLoadIt() {
        for (String name : List.of("widget.js", "sdk.js", "sdk.d.ts")) {
            Reply file = pages.serve("/embed/" + name, "", null);
            assertEquals(200, file.status(), name);
            assertEquals("cross-origin", file.headers().get("Cross-Origin-Resource-Policy"), name);
            assertEquals("*", file.headers().get("Access-Control-Allow-Origin"), name);
            assertEquals(HostedPages.SHORT_CACHE, file.headers().get("Cache-Control"), name);
            assertEquals("nosniff", file.headers().get("X-Content-Type-Options"), name);
            assertEquals(resource(name), file.body(), name);
        }
        assertEquals(
                "text/javascript; charset=utf-8",
                pages.serve("/embed/sdk.js", "", null).contentType());
        assertEquals(
                "application/typescript; charset=utf-8",
                pages.serve("/embed/sdk.d.ts", "", null).contentType());
    }

    @Test
    void assetNamesWhenListMalformedThenRefusedAtStart() {
        assertEquals(List.of("chat.css", "chat.js"), HostedPages.assetNames("# comment\n\nchat.css\n chat.js \n"));
        for (String list : List.of(
                "chat.css\nchat.js\n../x.js",
                "chat.css\nchat.js\nChat.js",
                "chat.css\nchat.js\nchat.js",
                "chat.css\nchat.js\nx.txt",
                "chat.css")) {
            assertThrows(IllegalStateException.class, () -> HostedPages.assetNames(list), list);
        }
    }

    private static String resource(String name) {
        try (var in = HostedPages.class.getClassLoader().getResourceAsStream(HostedPages.RESOURCES + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void serveWhenTopLevelVisitThen403PageWithPageHeadersAndNothingOfTheSession() {
        session("ses_top", List.of("https://shop.example"));
        for (String path : List.of(
                "/embed/chat/ses_top", "/embed/agents/support", "/embed/iframe/abcdefghijklmnopqrstuvwxyz012")) {
            Reply refused = pages.serve(path, "/app", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "document");
            assertEquals(403, refused.status(), path);
            assertEquals("text/html; charset=utf-8", refused.contentType());
            assertEquals(HostedPages.PAGE_POLICY + "'none'", refused.headers().get("Content-Security-Policy"));
            assertEquals("microphone=(self)", refused.headers().get("Permissions-Policy"));
            assertEquals("no-referrer", refused.headers().get("Referrer-Policy"));
            assertEquals("no-store", refused.headers().get("Cache-Control"));
            assertEquals("nosniff", refused.headers().get("X-Content-Type-Options"));
            assertTrue(refused.body().contains("can only be shown on the site that embeds it"), refused.body());
            assertTrue(
                    refused.body().contains("href=\"/app/embed/assets/" + pages.version() + "/chat.css\""),
                    refused.body());
            assertFalse(refused.body().contains("<script"), "the refusal runs no script");
            assertFalse(refused.body().contains("ses_top") || refused.body().contains("eyJ"), refused.body());
        }
        assertEquals(
                403, pages.serve("/embed/chat/ses_top", "", null, " Document ").status());
    }

    @Test
    void serveWhenFramedOrNoFetchMetadataThenThePage() {
        session("ses_framed", List.of());
        for (String dest : new String[] {"iframe", "frame", "", null}) {
            Reply page = pages.serve("/embed/chat/ses_framed", "", null, dest);
            assertEquals(200, page.status(), dest);
            assertTrue(page.body().contains("\"topLevel\":false"), page.body());
            assertEquals("Sec-Fetch-Dest", page.headers().get("Vary"));
        }
    }

    @Test
    void serveWhenTopLevelAllowedThenTheVisitGetsThePageAndItsScriptIsTold() {
        HostedPages webview = new HostedPages(
                store.sessions(),
                tokens,
                new IframeLinkService(tokens, store, true, clock),
                List.of("https://default.example"),
                new HostedPages.Options(true, false));
        Reply page = webview.serve("/embed/chat/ses_webview", "", null, "document");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("\"topLevel\":true"), page.body());
    }

    @Test
    void optionsWhenConfiguredThenThePageIsToldWhetherToStream() {
        assertEquals(HostedPages.Options.DEFAULTS, HostedPages.Options.from(EmbedConfig.of(Map.of())));
        HostedPages.Options options = HostedPages.Options.from(
                EmbedConfig.of(Map.of("embed.pages.eventStream", "true", "embed.pages.allowTopLevel", "true")));
        assertEquals(new HostedPages.Options(true, true), options);
        String streaming = new HostedPages(
                        store.sessions(),
                        tokens,
                        new IframeLinkService(tokens, store, true, clock),
                        List.of("https://default.example"),
                        options)
                .serve("/embed/chat/ses_s", "", null)
                .body();
        assertTrue(streaming.contains("\"events\":true,\"eventsIdleSeconds\":20"), streaming);
        String polling = pages.serve("/embed/chat/ses_s", "", null).body();
        assertTrue(polling.contains("\"events\":false"), polling);
    }

    @Test
    void serveWhenTopLevelVisitToAnAssetOrTheWidgetThenServedAsUsual() {
        assertEquals(200, pages.serve("/embed/widget.js", "", null, "document").status());
        assertEquals(
                200, pages.serve("/embed/assets/chat.css", "", null, "document").status());
        assertEquals(
                404,
                assertThrows(EmbedException.class, () -> pages.serve("/embed/nope/x", "", null, "document"))
                        .error()
                        .status());
    }

    @Test
    void serveWhenFlowCPageNamesItsSessionThenThatSessionsOriginsFrameItIfItIsOfThatAgent() {
        session("ses_visitor", List.of("https://shop.example")); // of agent "support"
        Reply page = pages.serve("/embed/agents/support/ses_visitor", "", null, "iframe");
        assertEquals(200, page.status());
        assertTrue(page.headers().get("Content-Security-Policy").endsWith("frame-ancestors https://shop.example"));
        assertTrue(page.body().contains("\"id\":\"support\""), page.body());

        assertTrue(pages.serve("/embed/agents/sales/ses_visitor", "", null, "iframe")
                .headers()
                .get("Content-Security-Policy")
                .endsWith("frame-ancestors https://default.example"));
        assertTrue(pages.serve("/embed/agents/support/ses_unknown", "", null, "iframe")
                .headers()
                .get("Content-Security-Policy")
                .endsWith("frame-ancestors https://default.example"));
        for (String path : List.of(
                "/embed/chat/ses_visitor/x",
                "/embed/iframe/abcdefghijklmnopqrstuvwxyz012/x",
                "/embed/agents/support/ses_visitor/x",
                "/embed/agents/support/")) {
            assertEquals(
                    404,
                    assertThrows(EmbedException.class, () -> pages.serve(path, "", null))
                            .error()
                            .status(),
                    path);
        }
        assertEquals(
                400,
                assertThrows(EmbedException.class, () -> pages.serve("/embed/agents/support/a%20b", "", null))
                        .error()
                        .status());
    }

    @Test
    void serveWhenSessionRecordsNoOriginsThenConfiguredOnes() {
        session("ses_2", List.of());
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
