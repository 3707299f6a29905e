package dev.embed.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hosted pages' HTTP contract (DESIGN §6 and §3.2's widget) that both adapters keep, written
 * once: the page headers, {@code frame-ancestors} from the origins of the key that minted the
 * session (or configuration), the page's configuration block, the widget and assets, and the
 * errors for everything else. The JSON endpoints still refuse to be framed. Deployed under {@code
 * /shop}; the acme key names {@code https://shop.example}, the globex key names no origin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HostedPageContract {
    /** What {@code embed.frameAncestors} says for sessions whose key names no origin. */
    public static final String DEFAULT_ANCESTORS = "https://default.example 'self'";

    private static final Pattern CONFIG =
            Pattern.compile("<script type=\"application/json\" id=\"embed-config\">(.*?)</script>", Pattern.DOTALL);

    protected Deployment server;

    /** Serves an application with this configuration at context path {@code /shop}. */
    protected abstract Deployment deploy(Map<String, String> configuration) throws Exception;

    /** {@link AdapterContract#configuration()} with {@value #DEFAULT_ANCESTORS} as the default origins. */
    public static Map<String, String> configuration() {
        Map<String, String> params = new LinkedHashMap<>(AdapterContract.configuration());
        params.put("embed.frameAncestors", DEFAULT_ANCESTORS);
        return params;
    }

    @BeforeAll
    void start() throws Exception {
        server = deploy(configuration());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    @Test
    void chatPageWhenSessionOfKeyWithOriginsThenSection6HeadersAndThoseOrigins() throws Exception {
        Map<String, Object> minted = mintEmbedUrl(TestKeys.ACME_KEY, "demo", "support");
        String sessionId = (String) minted.get("sessionId");
        assertTrue(
                ((String) minted.get("embedUrl")).startsWith(server.base() + "/embed/chat/" + sessionId + "#token="));

        HttpResponse<String> page = get("/embed/chat/" + sessionId);

        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.endsWith("; frame-ancestors https://shop.example"), csp);
        for (String directive : List.of(
                "default-src 'none'",
                "script-src 'self'",
                "style-src 'self'",
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'")) {
            assertTrue(csp.contains(directive), directive + " missing from " + csp);
        }
        assertEquals(
                "microphone=(self)",
                page.headers().firstValue("Permissions-Policy").orElse(null));
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null));
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(null));
        assertEquals(
                "nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertTrue(page.headers().firstValue("X-Frame-Options").isEmpty(), "a page must be frameable by its origins");

        Map<String, Object> config = pageConfig(page);
        assertEquals("chat", config.get("flow"));
        assertEquals(sessionId, config.get("id"));
        assertEquals("/shop", config.get("base"));
        assertEquals(List.of("https://shop.example"), config.get("parentOrigins"));
        assertTrue(
                Pattern.compile("<script type=\"module\" src=\"/shop/embed/assets/[0-9a-f]{12}/chat\\.js\"")
                        .matcher(page.body())
                        .find(),
                "the page's module script is not under /shop/embed/assets/{version}/");
    }

    @Test
    void chatPageWhenKeyNamesNoOriginsThenConfiguredFrameAncestors() throws Exception {
        Map<String, Object> minted = mintEmbedUrl(TestKeys.GLOBEX_KEY, "other", "bot");
        HttpResponse<String> page = get("/embed/chat/" + minted.get("sessionId"));
        assertEquals(200, page.statusCode());
        assertTrue(csp(page).endsWith("frame-ancestors " + DEFAULT_ANCESTORS), csp(page));
        assertEquals(
                List.of("https://default.example", "'self'"), pageConfig(page).get("parentOrigins"));
    }

    @Test
    void chatPageWhenSessionUnknownThenStillServedWithConfiguredFrameAncestors() throws Exception {
        HttpResponse<String> page = get("/embed/chat/ses_doesNotExist");
        assertEquals(200, page.statusCode());
        assertTrue(csp(page).endsWith("frame-ancestors " + DEFAULT_ANCESTORS), csp(page));
    }

    @Test
    void agentPageWhenVisitorTokenInQueryThenOriginsOfItsKeyAndTokenNotInThePage() throws Exception {
        HttpResponse<String> minted = Http.send(HttpRequest.newBuilder(server.uri("/v1/embed-tokens/request"))
                .timeout(Duration.ofSeconds(10))
                .header("api-secret", TestKeys.ACME_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"agent_id\": \"support\", \"fingerprint\": \"00112233aabbccdd\"}"))
                .build());
        assertEquals(200, minted.statusCode(), minted.body());
        @SuppressWarnings("unchecked")
        String token = (String) ((Map<String, Object>) Http.json(minted).get("data")).get("token");

        HttpResponse<String> page = get("/embed/agents/support?token=" + token);

        assertEquals(200, page.statusCode());
        assertTrue(csp(page).endsWith("frame-ancestors https://shop.example"), csp(page));
        assertEquals("agents", pageConfig(page).get("flow"));
        assertFalse(page.body().contains(token), "the page echoes the token");
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null));
    }

    @Test
    void agentPageWhenTokenIsBadThenServedWithConfiguredFrameAncestors() throws Exception {
        HttpResponse<String> page = get("/embed/agents/support?token=eyJhbGciOiJub25lIn0.e30.x");
        assertEquals(200, page.statusCode());
        assertTrue(csp(page).endsWith("frame-ancestors " + DEFAULT_ANCESTORS), csp(page));
    }

    @Test
    void iframePageWhenCachedLinkThenOriginsOfItsKeyAndTheKeyStillRedeemsOnce() throws Exception {
        HttpResponse<String> created = Http.postJson(
                server.uri("/api/v1/iframe/create"), TestKeys.ACME_KEY, "{\"uid\": \"user-42\", \"srcs\": [\"docs\"]}");
        assertEquals(200, created.statusCode(), created.body());
        Map<String, Object> link = Http.json(created);
        String cacheKey = (String) link.get("cache_key");
        assertEquals(server.base() + "/embed/iframe/" + cacheKey, link.get("iframe_url"));

        HttpResponse<String> page = get("/embed/iframe/" + cacheKey);

        assertEquals(200, page.statusCode());
        assertTrue(csp(page).endsWith("frame-ancestors https://shop.example"), csp(page));
        assertEquals("iframe", pageConfig(page).get("flow"));
        HttpResponse<String> redeemed =
                Http.postJson(server.uri("/api/v1/iframe/token"), null, "{\"cache_key\": \"" + cacheKey + "\"}");
        assertEquals(200, redeemed.statusCode(), "serving the page must not use up the key");
    }

    @Test
    void pageWhenTopLevelVisitThen403HtmlWithPageHeadersAndFramedPagesStillServed() throws Exception {
        Map<String, Object> minted = mintEmbedUrl(TestKeys.ACME_KEY, "demo", "support");
        URI page = server.uri("/embed/chat/" + minted.get("sessionId"));

        HttpResponse<String> visit = Http.send(HttpRequest.newBuilder(page)
                .header("Sec-Fetch-Dest", "document")
                .build());

        assertEquals(403, visit.statusCode());
        assertTrue(contentType(visit).startsWith("text/html"), contentType(visit));
        assertTrue(visit.body().contains("can only be shown on the site that embeds it"), visit.body());
        assertTrue(csp(visit).endsWith("frame-ancestors 'none'"), csp(visit));
        assertEquals(
                "no-referrer", visit.headers().firstValue("Referrer-Policy").orElse(null));
        assertEquals("no-store", visit.headers().firstValue("Cache-Control").orElse(null));
        assertEquals(
                200,
                Http.send(HttpRequest.newBuilder(page)
                                .header("Sec-Fetch-Dest", "iframe")
                                .build())
                        .statusCode());
    }

    @Test
    void headWhenPageThenHeadersWithoutBody() throws Exception {
        HttpResponse<String> head = Http.send(HttpRequest.newBuilder(server.uri("/embed/chat/ses_x"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
        assertEquals(200, head.statusCode());
        assertTrue(csp(head).contains("frame-ancestors"), csp(head));
        assertEquals("", head.body());
    }

    @Test
    void widgetWhenFetchedThenJavaScriptAnyOriginMayLoad() throws Exception {
        HttpResponse<String> widget = get("/embed/widget.js");
        assertEquals(200, widget.statusCode());
        assertEquals("text/javascript;charset=utf-8", contentType(widget));
        assertEquals(
                "cross-origin",
                widget.headers().firstValue("Cross-Origin-Resource-Policy").orElse(null));
        assertEquals(
                "nosniff", widget.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertTrue(widget.body().contains("/embed/agents/") && widget.body().contains("embed:token-expired"));
    }

    @Test
    void sdkWhenFetchedThenJavaScriptAndItsTypesAnyOriginMayLoad() throws Exception {
        HttpResponse<String> sdk = get("/embed/sdk.js");
        assertEquals(200, sdk.statusCode());
        assertEquals("text/javascript;charset=utf-8", contentType(sdk));
        assertEquals(
                "cross-origin",
                sdk.headers().firstValue("Cross-Origin-Resource-Policy").orElse(null));
        assertTrue(sdk.body().contains("mount"), "not the SDK");
        HttpResponse<String> types = get("/embed/sdk.d.ts");
        assertEquals(200, types.statusCode());
        assertTrue(contentType(types).startsWith("application/typescript"), contentType(types));
        assertTrue(types.body().contains("declare namespace Embed"), "not the SDK's declarations");
    }

    @Test
    void assetsWhenFetchedThenScriptAndStyle() throws Exception {
        assertEquals("text/javascript;charset=utf-8", contentType(get("/embed/assets/chat.js")));
        assertEquals("text/css;charset=utf-8", contentType(get("/embed/assets/chat.css")));
        Matcher version = Pattern.compile("/embed/assets/([0-9a-f]{12})/chat\\.js")
                .matcher(get("/embed/chat/ses_v").body());
        assertTrue(version.find(), "no versioned script in the page");
        HttpResponse<String> versioned = get("/embed/assets/" + version.group(1) + "/chat.js");
        assertEquals(200, versioned.statusCode());
        assertEquals("text/javascript;charset=utf-8", contentType(versioned));
        assertEquals(
                "public, max-age=31536000, immutable",
                versioned.headers().firstValue("Cache-Control").orElse(null));
        assertEquals(
                "public, max-age=300",
                get("/embed/assets/chat.js")
                        .headers()
                        .firstValue("Cache-Control")
                        .orElse(null));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/embed",
                "/embed/",
                "/embed/nope",
                "/embed/chat",
                "/embed/chat/",
                "/embed/chat/a/b",
                "/embed/assets/chat.html",
                "/embed/assets/",
                "/embed/widget.js/x",
                "/embed/WIDGET.JS"
            })
    void pathWhenNoPageThenNotFoundJson(String path) throws Exception {
        HttpResponse<String> answer = get(path);
        assertEquals(404, answer.statusCode(), path);
        assertEquals("not_found", Http.json(answer).get("error"), path);
        assertTrue(contentType(answer).startsWith("application/json"), path);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/embed/chat/bad%20id",
                "/embed/agents/%3Cscript%3E",
                "/embed/iframe/a.b%21",
                "/embed/chat/ses_0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
            })
    void pathWhenIdIsNotAnIdThenBadRequestJson(String path) throws Exception {
        HttpResponse<String> answer = get(path);
        assertEquals(400, answer.statusCode(), path);
        assertEquals("invalid_request", Http.json(answer).get("error"), path);
    }

    @Test
    void postWhenPageThenMethodNotAllowedJson() throws Exception {
        HttpResponse<String> answer = Http.postJson(server.uri("/embed/chat/ses_x"), null, "{}");
        assertEquals(405, answer.statusCode());
        assertEquals("invalid_request", Http.json(answer).get("error"));
        assertEquals("GET, HEAD", answer.headers().firstValue("Allow").orElse(null));
    }

    @Test
    void jsonEndpointsWhenPagesServedThenStillRefuseToBeFramed() throws Exception {
        Map<String, Object> minted = mintEmbedUrl(TestKeys.ACME_KEY, "demo", "support");
        String embedUrl = (String) minted.get("embedUrl");
        String token = embedUrl.substring(embedUrl.indexOf("#token=") + 7);
        HttpResponse<String> session =
                Http.get(server.uri("/api/v1/embed/chat-sessions/" + minted.get("sessionId")), token);
        assertEquals(200, session.statusCode());
        assertEquals("DENY", session.headers().firstValue("X-Frame-Options").orElse(null));
        HttpResponse<String> refused =
                Http.get(server.uri("/api/v1/embed/chat-sessions/" + minted.get("sessionId")), null);
        assertEquals(401, refused.statusCode());
        assertEquals("DENY", refused.headers().firstValue("X-Frame-Options").orElse(null));
        assertNull(refused.headers().firstValue("Content-Security-Policy").orElse(null));
    }

    // ---- helpers ----

    private Map<String, Object> mintEmbedUrl(String key, String space, String agent) throws Exception {
        HttpResponse<String> minted = Http.postJson(
                server.uri("/api/v1/spaces/" + space + "/agents/" + agent + "/embed-urls"),
                key,
                "{\"externalUserId\": \"customer-123\"}");
        assertEquals(200, minted.statusCode(), minted.body());
        return Http.json(minted);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return Http.get(URI.create(server.base() + path), null);
    }

    private static String csp(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Security-Policy").orElse("");
    }

    private static String contentType(HttpResponse<String> response) {
        return response.headers()
                .firstValue("Content-Type")
                .orElse("")
                .replace(" ", "")
                .toLowerCase(java.util.Locale.ROOT);
    }

    private static Map<String, Object> pageConfig(HttpResponse<String> page) {
        Matcher matcher = CONFIG.matcher(page.body());
        assertTrue(matcher.find(), "no embed-config block in the page");
        return Json.parseObject(matcher.group(1));
    }
}
