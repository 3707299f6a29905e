package dev.embed.internal;

import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The hosted chat page of DESIGN §6, one instance for both adapters (owned by {@link Core}): the
 * endpoint table routes {@code /embed/chat/{sessionId}} (flow A: the token is in the URL fragment,
 * which the server never sees, or handed over by {@code postMessage}), {@code
 * /embed/agents/{agentId}} (flow C: {@code ?token=...}, or handed over: {@code
 * /embed/agents/{agentId}/{sessionId}} then names the session whose key's origins may frame it) and
 * {@code /embed/iframe/{cacheKey}} (flow D: the page redeems the key) here.
 *
 * <ul>
 *   <li>The page answers with {@code Content-Security-Policy} ({@code frame-ancestors} from {@link
 *       PageFraming}), {@code Permissions-Policy: microphone=(self)}, {@code Referrer-Policy:
 *       no-referrer}, {@code Cache-Control: no-store} and {@code X-Content-Type-Options: nosniff}.
 *   <li>The pages run only inside a frame: a request with {@code Sec-Fetch-Dest: document} (a
 *       top-level visit) answers 403 with a short HTML page and the same headers, and the page
 *       script refuses to start when it is not framed, unless {@code embed.pages.allowTopLevel=true}
 *       (a webview that must load the page directly). Nothing is looked up for a refused visit: no
 *       session, no token, no cache key.
 * </ul>
 *
 * The page learns the origins allowed to frame it (and so to hand it a credential with {@code
 * postMessage}) from a JSON data block the server writes into it; {@code *} is never among them.
 * Its files ({@link PageAssets}) are plain HTML, CSS and JavaScript from the library jar, no build
 * step. Thread-safe.
 */
final class HostedPages {
    /** The query parameter that carries flow C's visitor token to its page. */
    static final String TOKEN_PARAMETER = "token";

    /** The page's own policy; {@code frame-ancestors} is appended per answer. */
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors ";

    /** The value of {@code Sec-Fetch-Dest} for a top-level navigation (Fetch Metadata). */
    static final String TOP_LEVEL_DESTINATION = "document";

    /**
     * Seconds without a byte after which the page gives up on an event stream (the server sends a
     * keep-alive at least every 15 s, DESIGN §4): a buffering proxy, or a dead connection.
     */
    static final int EVENTS_IDLE_SECONDS = 20;

    /** The page flows, by the first path segment after {@code /embed/}. */
    enum Flow {
        /** Flow A: {@code /embed/chat/{sessionId}#token=...}. */
        CHAT("chat", "sessionId"),
        /** Flow C: {@code /embed/agents/{agentId}?token=...}. */
        AGENTS("agents", "agentId"),
        /** Flow D: {@code /embed/iframe/{cacheKey}}. */
        IFRAME("iframe", "cacheKey");

        private final String segment;
        private final String idName;

        Flow(String segment, String idName) {
            this.segment = segment;
            this.idName = idName;
        }

        String segment() {
            return segment;
        }

        String idName() {
            return idName;
        }
    }

    private final PageAssets assets;
    private final PageFraming framing;
    private final Options options;
    private final String template;
    private final String refusedTemplate;

    HostedPages(PageAssets assets, PageFraming framing, Options options) {
        this.assets = Objects.requireNonNull(assets, "assets");
        this.framing = Objects.requireNonNull(framing, "framing");
        this.options = Objects.requireNonNull(options, "options");
        this.template = PageAssets.resource("assets/chat.html");
        this.refusedTemplate = PageAssets.resource("assets/refused.html");
    }

    PageAssets assets() {
        return assets;
    }

    /**
     * The chat page of a flow.
     *
     * @param id the path's id (1–128 letters, digits, '.', '_' or '-', else 400)
     * @param basePath the path the application's endpoints are under, without a trailing slash
     *     ({@code ""} at the root): the page calls {@code basePath + "/api/v1/embed/..."}
     * @param queryToken flow C's {@value #TOKEN_PARAMETER} query parameter, or null; used only to
     *     find the session's origins, never written anywhere
     * @param fetchDest the request's {@code Sec-Fetch-Dest}, or null: {@code document} (a top-level
     *     visit) gets the 403 page unless top-level pages are allowed
     * @param sessionHint flow C's session named after the agent, or null
     */
    Reply page(
            Flow flow,
            String id,
            String basePath,
            @Nullable String queryToken,
            @Nullable String fetchDest,
            @Nullable String sessionHint) {
        Fields.pathId(id, flow.idName());
        if (sessionHint != null) {
            Fields.pathId(sessionHint, "sessionId");
        }
        if (!options.allowTopLevel()
                && fetchDest != null
                && TOP_LEVEL_DESTINATION.equalsIgnoreCase(fetchDest.strip())) {
            return refused(basePath);
        }
        FrameAncestors origins = framing.of(flow, id, queryToken, sessionHint);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("flow", flow.segment());
        config.put("id", id);
        config.put("base", basePath);
        config.put("parentOrigins", origins.messageOrigins());
        config.put("topLevel", options.allowTopLevel());
        config.put("events", options.eventStream());
        config.put("eventsIdleSeconds", EVENTS_IDLE_SECONDS);
        String html = template.replace("{{PRELOAD}}", assets.preloads())
                .replace("{{BASE}}", escapeHtml(basePath))
                .replace("{{VERSION}}", assets.version())
                .replace("{{CONFIG}}", jsonForHtml(Json.write(config)));
        return new Reply(200, pageHeaders(origins.directive()), "text/html; charset=utf-8", html);
    }

    /**
     * The answer to a top-level visit: 403 and a short page saying why, with the page headers and
     * framed by no one. It names no session and carries no configuration.
     */
    private Reply refused(String basePath) {
        String html =
                refusedTemplate.replace("{{BASE}}", escapeHtml(basePath)).replace("{{VERSION}}", assets.version());
        return new Reply(403, pageHeaders("'none'"), "text/html; charset=utf-8", html);
    }

    private static Map<String, String> pageHeaders(String frameAncestors) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", PAGE_POLICY + frameAncestors);
        headers.put("Permissions-Policy", "microphone=(self)");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("Cache-Control", "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Vary", "Sec-Fetch-Dest");
        return headers;
    }

    /** JSON that can sit in an HTML data block: no character can close the element or the script. */
    static String jsonForHtml(String json) {
        return json.replace("<", "\\u003c")
                .replace(">", "\\u003e")
                .replace("&", "\\u0026")
                .replace("\u2028", "\\u2028")
                .replace("\u2029", "\\u2029");
    }

    static String escapeHtml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    /**
     * What the pages may do, from {@code embed.pages.*}.
     *
     * @param allowTopLevel {@code embed.pages.allowTopLevel}: the pages run outside a frame too (a
     *     webview); otherwise a top-level visit answers 403 and the script refuses to start
     * @param eventStream {@code embed.pages.eventStream}: the page reads replies as they are
     *     written from {@code GET .../events}, falling back to long polling where that fails;
     *     otherwise it long-polls only
     */
    record Options(boolean allowTopLevel, boolean eventStream) {
        /** The defaults: framed only; the events stream, falling back to long polling. */
        static final Options DEFAULTS = new Options(false, true);

        /** The options {@code config} sets. */
        static Options from(EmbedConfig config) {
            return new Options(
                    config.getBoolean(ConfigKey.PAGES_ALLOW_TOP_LEVEL),
                    config.getBoolean(ConfigKey.PAGES_EVENT_STREAM));
        }
    }
}
