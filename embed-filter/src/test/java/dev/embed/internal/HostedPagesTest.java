package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.EmbedConfig;
import dev.embed.store.EmbedSession;
import dev.embed.testing.ManualScheduler;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The page answers themselves, through the endpoint table but without a server: headers, the
 * configuration block, escaping.
 */
class HostedPagesTest {
    private final MutableClock clock = MutableClock.start();
    private final MemoryStore store = new MemoryStore(clock, 100, 100);
    private final List<Core> cores = new ArrayList<>();
    private final Pages pages = new Pages(start(store, Map.of()));

    /** A core on {@code store} with the test's key and default frame ancestors, and {@code extra} settings. */
    private Core start(MemoryStore store, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("embed.signing.secret", TestKeys.SECRET);
        settings.put("embed.frameAncestors", "https://default.example");
        Core core = Core.start(EmbedConfig.of(settings), clock, new ManualScheduler(clock), null, null, store);
        cores.add(core);
        return core;
    }

    @AfterEach
    void close() {
        cores.forEach(Core::close);
    }

    /** The table's answers to the page paths: {@code serve(path, contextPath, queryToken[, Sec-Fetch-Dest])}. */
    private static final class Pages {
        private final Core core;

        Pages(Core core) {
            this.core = core;
        }

        String version() {
            return core.pages().assets().version();
        }

        FakeExchange serve(String path, String contextPath, @Nullable String queryToken) {
            return serve(path, contextPath, queryToken, null);
        }

        FakeExchange serve(String path, String contextPath, @Nullable String queryToken, @Nullable String fetchDest) {
            FakeExchange request =
                    FakeExchange.get(path).contextPath(contextPath).header("Sec-Fetch-Dest", fetchDest);
            if (queryToken != null) {
                request.query(HostedPages.TOKEN_PARAMETER + "=" + queryToken);
            }
            return request.sendTo(core);
        }
    }

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
        FakeExchange page = pages.serve("/embed/chat/ses_1", "/app", null);
        assertEquals(200, page.status());
        assertTrue(
                page.responseHeader("Content-Security-Policy").endsWith("; frame-ancestors https://shop.example"),
                page.responseHeader("Content-Security-Policy"));
        assertTrue(
                page.text().contains("\"parentOrigins\":[\"https:\\/\\/shop.example\"]")
                        || page.text().contains("\"parentOrigins\":[\"https://shop.example\"]"),
                page.text());
        assertTrue(page.text().contains("href=\"/app/embed/assets/" + pages.version() + "/chat.css\""), page.text());
        assertTrue(
                page.text()
                        .contains("<script type=\"module\" src=\"/app/embed/assets/" + pages.version() + "/chat.js\""),
                page.text());
    }

    @Test
    void serveWhenAssetListedThenAtItsVersionImmutableAndWithoutVersionShortLived() {
        assertTrue(pages.version().matches("[0-9a-f]{12}"), pages.version());
        for (String name : PageAssets.assetNames(resource(PageAssets.ASSET_LIST))) {
            FakeExchange versioned = pages.serve("/embed/assets/" + pages.version() + "/" + name, "", null);
            assertEquals(200, versioned.status(), name);
            assertEquals(PageAssets.LONG_CACHE, versioned.responseHeader("Cache-Control"), name);
            assertEquals("same-origin", versioned.responseHeader("Cross-Origin-Resource-Policy"), name);
            assertEquals("nosniff", versioned.responseHeader("X-Content-Type-Options"), name);
            assertEquals(resource("assets/" + name), versioned.text(), name);
            FakeExchange plain = pages.serve("/embed/assets/" + name, "", null);
            assertEquals(PageAssets.SHORT_CACHE, plain.responseHeader("Cache-Control"), name);
            assertEquals(versioned.text(), plain.text(), name);
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
        FakeExchange stale = pages.serve("/embed/assets/" + other + "/chat.js", "", null);
        assertEquals(200, stale.status());
        assertEquals(PageAssets.SHORT_CACHE, stale.responseHeader("Cache-Control"));
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
            assertEquals(404, pages.serve(path, "", null).status(), path);
        }
    }

    @Test
    void serveWhenWidgetOrSdkThenAnyOriginMayLoadIt() {
        for (String name : List.of("widget.js", "sdk.js", "sdk.d.ts")) {
            FakeExchange file = pages.serve("/embed/" + name, "", null);
            assertEquals(200, file.status(), name);
            assertEquals("cross-origin", file.responseHeader("Cross-Origin-Resource-Policy"), name);
            assertEquals("*", file.responseHeader("Access-Control-Allow-Origin"), name);
            assertEquals(PageAssets.SHORT_CACHE, file.responseHeader("Cache-Control"), name);
            assertEquals("nosniff", file.responseHeader("X-Content-Type-Options"), name);
            assertEquals(resource(name), file.text(), name);
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
        assertEquals(List.of("chat.css", "chat.js"), PageAssets.assetNames("# comment\n\nchat.css\n chat.js \n"));
        for (String list : List.of(
                "chat.css\nchat.js\n../x.js",
                "chat.css\nchat.js\nChat.js",
                "chat.css\nchat.js\nchat.js",
                "chat.css\nchat.js\nx.txt",
                "chat.css")) {
            assertThrows(IllegalStateException.class, () -> PageAssets.assetNames(list), list);
        }
    }

    private static String resource(String name) {
        try (var in = PageAssets.class.getClassLoader().getResourceAsStream(PageAssets.RESOURCES + name)) {
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
            FakeExchange refused = pages.serve(path, "/app", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "document");
            assertEquals(403, refused.status(), path);
            assertEquals("text/html; charset=utf-8", refused.contentType());
            assertEquals(HostedPages.PAGE_POLICY + "'none'", refused.responseHeader("Content-Security-Policy"));
            assertEquals("microphone=(self)", refused.responseHeader("Permissions-Policy"));
            assertEquals("no-referrer", refused.responseHeader("Referrer-Policy"));
            assertEquals("no-store", refused.responseHeader("Cache-Control"));
            assertEquals("nosniff", refused.responseHeader("X-Content-Type-Options"));
            assertTrue(refused.text().contains("can only be shown on the site that embeds it"), refused.text());
            assertTrue(
                    refused.text().contains("href=\"/app/embed/assets/" + pages.version() + "/chat.css\""),
                    refused.text());
            assertFalse(refused.text().contains("<script"), "the refusal runs no script");
            assertFalse(refused.text().contains("ses_top") || refused.text().contains("eyJ"), refused.text());
        }
        assertEquals(
                403, pages.serve("/embed/chat/ses_top", "", null, " Document ").status());
    }

    @Test
    void serveWhenFramedOrNoFetchMetadataThenThePage() {
        session("ses_framed", List.of());
        for (String dest : new String[] {"iframe", "frame", "", null}) {
            FakeExchange page = pages.serve("/embed/chat/ses_framed", "", null, dest);
            assertEquals(200, page.status(), dest);
            assertTrue(page.text().contains("\"topLevel\":false"), page.text());
            assertEquals("Sec-Fetch-Dest", page.responseHeader("Vary"));
        }
    }

    @Test
    void serveWhenTopLevelAllowedThenTheVisitGetsThePageAndItsScriptIsTold() {
        Pages webview = new Pages(start(new MemoryStore(clock, 100, 100), Map.of("embed.pages.allowTopLevel", "true")));
        FakeExchange page = webview.serve("/embed/chat/ses_webview", "", null, "document");
        assertEquals(200, page.status());
        assertTrue(page.text().contains("\"topLevel\":true"), page.text());
    }

    @Test
    void optionsWhenConfiguredThenThePageIsToldWhetherToStream() {
        assertEquals(HostedPages.Options.DEFAULTS, HostedPages.Options.from(EmbedConfig.of(Map.of())));
        HostedPages.Options options = HostedPages.Options.from(
                EmbedConfig.of(Map.of("embed.pages.eventStream", "true", "embed.pages.allowTopLevel", "true")));
        assertEquals(new HostedPages.Options(true, true), options);
        String streaming = new Pages(start(
                        new MemoryStore(clock, 100, 100),
                        Map.of("embed.pages.eventStream", "true", "embed.pages.allowTopLevel", "true")))
                .serve("/embed/chat/ses_s", "", null)
                .text();
        assertTrue(streaming.contains("\"events\":true,\"eventsIdleSeconds\":20"), streaming);
        String byDefault = pages.serve("/embed/chat/ses_s", "", null).text();
        assertTrue(byDefault.contains("\"events\":true"), byDefault);
        String polling = new Pages(start(new MemoryStore(clock, 100, 100), Map.of("embed.pages.eventStream", "false")))
                .serve("/embed/chat/ses_p", "", null)
                .text();
        assertTrue(polling.contains("\"events\":false"), polling);
    }

    @Test
    void serveWhenTopLevelVisitToAnAssetOrTheWidgetThenServedAsUsual() {
        assertEquals(200, pages.serve("/embed/widget.js", "", null, "document").status());
        assertEquals(
                200, pages.serve("/embed/assets/chat.css", "", null, "document").status());
        assertEquals(404, pages.serve("/embed/nope/x", "", null, "document").status());
    }

    @Test
    void serveWhenFlowCPageNamesItsSessionThenThatSessionsOriginsFrameItIfItIsOfThatAgent() {
        session("ses_visitor", List.of("https://shop.example")); // of agent "support"
        FakeExchange page = pages.serve("/embed/agents/support/ses_visitor", "", null, "iframe");
        assertEquals(200, page.status());
        assertTrue(page.responseHeader("Content-Security-Policy").endsWith("frame-ancestors https://shop.example"));
        assertTrue(page.text().contains("\"id\":\"support\""), page.text());

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
            assertEquals(404, pages.serve(path, "", null).status(), path);
        }
        assertEquals(400, pages.serve("/embed/agents/support/a%20b", "", null).status());
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
        FakeExchange page = pages.serve("/embed/chat/ses_3", "/a\"><script>alert(1)</script>", null);
        assertFalse(page.text().contains("<script>alert(1)"), page.text());
        assertTrue(
                page.text().contains("href=\"/a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;/embed/assets/"),
                page.text());
    }

    @Test
    void jsonForHtmlWhenClosingTagThenNothingCanEndTheDataBlock() {
        String json = HostedPages.jsonForHtml("{\"a\":\"</script><!--\u2028&\"}");
        assertFalse(json.contains("<") || json.contains(">") || json.contains("&") || json.contains("\u2028"), json);
    }

    @Test
    void serveWhenNotAPageThenNotFoundAndBadIdsBadRequest() {
        assertEquals(404, pages.serve("/embed/other/x", "", null).status());
        assertEquals(404, pages.serve("/nope", "", null).status());
        assertEquals(400, pages.serve("/embed/chat/a b", "", null).status());
    }
}
