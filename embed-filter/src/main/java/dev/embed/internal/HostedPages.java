package dev.embed.internal;

import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The hosted chat pages of DESIGN §6 and the widget script of §3.2, adapter-neutral: the servlet
 * and JAX-RS adapters pass the request's path and hand back the {@link Reply}, so the pages and
 * their headers are decided once.
 *
 * <ul>
 *   <li>{@code /embed/chat/{sessionId}} (flow A: the token is in the URL fragment, which the server
 *       never sees, or handed over by {@code postMessage}), {@code /embed/agents/{agentId}} (flow C:
 *       {@code ?token=...}, or handed over: {@code /embed/agents/{agentId}/{sessionId}} then names
 *       the session whose key's origins may frame it) and {@code /embed/iframe/{cacheKey}} (flow D: the page
 *       redeems the key) answer the chat page with {@code Content-Security-Policy} ({@code
 *       frame-ancestors} from the origins the minting key names, recorded on the session, else {@code
 *       embed.frameAncestors}), {@code Permissions-Policy: microphone=(self)}, {@code
 *       Referrer-Policy: no-referrer}, {@code Cache-Control: no-store} and {@code
 *       X-Content-Type-Options: nosniff}.
 *   <li>The pages run only inside a frame (DESIGN §6): a request with {@code Sec-Fetch-Dest:
 *       document} (a top-level visit) answers 403 with a short HTML page and the same headers, and
 *       the page script refuses to start when it is not framed, unless {@code
 *       embed.pages.allowTopLevel=true} (a webview that must load the page directly). Nothing is
 *       looked up for a refused visit: no session, no token, no cache key.
 *   <li>{@code /embed/widget.js} (flow C's widget), {@code /embed/sdk.js} and {@code
 *       /embed/sdk.d.ts} (the SDK a customer's page loads, and its TypeScript declarations): served
 *       to any origin, short cache.
 *   <li>Every file listed in {@code assets/assets.txt} (the page's ES modules and style) at {@code
 *       /embed/assets/{version}/{name}} (immutable, long cache; {@code {version}} is {@link
 *       #version()}) and, for compatibility, at {@code /embed/assets/{name}} (short cache).
 * </ul>
 *
 * The page learns the origins allowed to frame it (and so to hand it a credential with {@code
 * postMessage}) from a JSON data block the server writes into it; {@code *} is never among them.
 * The files live in the library jar under {@value #RESOURCES}: plain HTML, CSS and JavaScript, no
 * build step. Thread-safe.
 */
public final class HostedPages {
    /** Where the pages' files live on the class path. */
    public static final String RESOURCES = "META-INF/resources/embed/";

    /** The path every page and file is served under, relative to the application. */
    public static final String PREFIX = "/embed/";

    /** The query parameter that carries flow C's visitor token to its page. */
    public static final String TOKEN_PARAMETER = "token";

    /** The page's own policy; {@code frame-ancestors} is appended per answer. */
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors ";

    /** The page flows, by the first path segment after {@code /embed/}. */
    public enum Flow {
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

        public String segment() {
            return segment;
        }

        static Optional<Flow> of(String segment) {
            for (Flow flow : values()) {
                if (flow.segment.equals(segment)) {
                    return Optional.of(flow);
                }
            }
            return Optional.empty();
        }
    }

    private static final System.Logger LOG = System.getLogger("dev.embed.page");

    /** Where the names of the page's assets are listed, one per line, relative to {@code assets/}. */
    static final String ASSET_LIST = "assets/assets.txt";

    /** An asset's name: lowercase letters, digits and '-', with one of the served extensions. */
    private static final Pattern ASSET_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}\\.(js|css|html)");

    /** A version in an asset's path: 12 lowercase hex digits. */
    private static final Pattern VERSION = Pattern.compile("[0-9a-f]{12}");

    /** The value of {@code Sec-Fetch-Dest} for a top-level navigation (Fetch Metadata). */
    static final String TOP_LEVEL_DESTINATION = "document";

    /**
     * Seconds without a byte after which the page gives up on an event stream (the server sends a
     * keep-alive at least every 15 s, DESIGN §4): a buffering proxy, or a dead connection.
     */
    static final int EVENTS_IDLE_SECONDS = 20;

    static final String LONG_CACHE = "public, max-age=31536000, immutable";
    static final String SHORT_CACHE = "public, max-age=300";

    private final SessionStore sessions;
    private final TokenService tokens;
    private final FrameAncestors defaults;
    private final IframeLinkService links;
    private final Options options;
    private final String template;
    private final String refusedTemplate;
    private final Map<String, Asset> assets;
    private final Map<String, Asset> crossOrigin;
    private final String version;
    private final String preloads;

    /**
     * @param sessions where a page finds the session of its credential (and so the minting key's
     *     origins)
     * @param tokens verifies flow C's query token to find its session
     * @param links where flow D's link waits for its cache key; only peeked at here, never taken
     * @param defaultFrameAncestors {@code embed.frameAncestors}: who may frame a page whose session
     *     records no origins
     * @param options {@code embed.pages.*}: whether the pages may run outside a frame and read the
     *     event stream ({@link Options#from(EmbedConfig)})
     */
    public HostedPages(
            SessionStore sessions,
            TokenService tokens,
            IframeLinkService links,
            List<String> defaultFrameAncestors,
            Options options) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.links = Objects.requireNonNull(links, "links");
        this.options = Objects.requireNonNull(options, "options");
        List<String> invalid = FrameAncestors.invalid(defaultFrameAncestors);
        if (!invalid.isEmpty()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: embed.frameAncestors entries " + invalid + " are not origins"
                            + " (scheme://host[:port], 'self' or *) and are ignored");
        }
        this.defaults = FrameAncestors.of(defaultFrameAncestors);
        this.template = resource("assets/chat.html");
        this.refusedTemplate = resource("assets/refused.html");
        Map<String, Asset> listed = new LinkedHashMap<>();
        MessageDigest digest = sha256();
        for (String name : assetNames(resource(ASSET_LIST))) {
            Asset asset = new Asset(resource("assets/" + name), contentType(name));
            listed.put(name, asset);
            digest.update((name + "\0" + asset.body() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        this.assets = Map.copyOf(listed);
        this.version = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        this.crossOrigin = Map.of(
                "widget.js", new Asset(resource("widget.js"), contentType("widget.js")),
                "sdk.js", new Asset(resource("sdk.js"), contentType("sdk.js")),
                "sdk.d.ts", new Asset(resource("sdk.d.ts"), "application/typescript; charset=utf-8"));
        StringBuilder preload = new StringBuilder();
        for (String name : listed.keySet()) {
            if (name.endsWith(".js") && !"chat.js".equals(name)) {
                preload.append("<link rel=\"modulepreload\" href=\"{{BASE}}/embed/assets/{{VERSION}}/")
                        .append(name)
                        .append("\">\n    ");
            }
        }
        this.preloads = preload.toString().strip();
    }

    /**
     * The answer to {@code GET} (or {@code HEAD}) of {@code path}, for a request that sent no
     * {@code Sec-Fetch-Dest}.
     *
     * @see #serve(String, String, String, String)
     */
    public Reply serve(String path, String basePath, @Nullable String queryToken) {
        return serve(path, basePath, queryToken, null);
    }

    /**
     * The answer to {@code GET} (or {@code HEAD}) of {@code path}.
     *
     * @param path the request path relative to the application, starting with {@value #PREFIX}
     *     (as sent: not decoded)
     * @param basePath the path the application's endpoints are under, without a trailing slash
     *     ({@code ""} at the root): the page calls {@code basePath + "/api/v1/embed/..."}
     * @param queryToken flow C's {@value #TOKEN_PARAMETER} query parameter, or null; used only to
     *     find the session's origins, never written anywhere
     * @param fetchDest the request's {@code Sec-Fetch-Dest} header, or null: {@code document} (a
     *     top-level visit) gets the 403 page instead of a chat page unless top-level pages are
     *     allowed
     * @throws EmbedException 404 for a path that is no page or file, 400 for an id that is not
     *     1–128 letters, digits, '.', '_' or '-'
     */
    public Reply serve(String path, String basePath, @Nullable String queryToken, @Nullable String fetchDest) {
        String rest = path != null && path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : null;
        if (rest == null) {
            throw notFound();
        }
        Asset shared = crossOrigin.get(rest);
        if (shared != null) {
            return asset(shared, SHORT_CACHE, "cross-origin");
        }
        String[] parts = rest.split("/", -1);
        if ("assets".equals(parts[0])) {
            return assetAt(parts);
        }
        Optional<Flow> flow = parts.length >= 2 && !parts[1].isEmpty() ? Flow.of(parts[0]) : Optional.empty();
        // Flow C may name its session after the agent (/embed/agents/{agentId}/{sessionId}): the
        // frame then carries no token, and the session says which origins may frame it.
        boolean sessionNamed =
                flow.isPresent() && flow.get() == Flow.AGENTS && parts.length == 3 && !parts[2].isEmpty();
        if (flow.isEmpty() || (parts.length != 2 && !sessionNamed)) {
            throw notFound();
        }
        String id = Fields.pathId(parts[1], flow.get().idName);
        String sessionHint = sessionNamed ? Fields.pathId(parts[2], "sessionId") : null;
        String base = basePath == null ? "" : basePath;
        if (!options.allowTopLevel()
                && fetchDest != null
                && TOP_LEVEL_DESTINATION.equalsIgnoreCase(fetchDest.strip())) {
            return refused(base);
        }
        return page(flow.get(), id, base, queryToken, sessionHint);
    }

    /** {@code assets/{name}} (short cache) or {@code assets/{version}/{name}} (long cache when current). */
    private Reply assetAt(String[] parts) {
        if (parts.length == 2 && assets.containsKey(parts[1])) {
            return asset(assets.get(parts[1]), SHORT_CACHE, "same-origin");
        }
        if (parts.length == 3 && VERSION.matcher(parts[1]).matches() && assets.containsKey(parts[2])) {
            // Another version (a page from before an upgrade, or from another node mid-deploy) gets
            // today's file, but never under an immutable cache entry that would pin it to that version.
            return asset(assets.get(parts[2]), version.equals(parts[1]) ? LONG_CACHE : SHORT_CACHE, "same-origin");
        }
        throw notFound();
    }

    /** The {@code frame-ancestors} of a page: the origins recorded on its session, else the default. */
    public FrameAncestors frameAncestors(Flow flow, String id, @Nullable String queryToken) {
        return frameAncestors(flow, id, queryToken, null);
    }

    /**
     * The {@code frame-ancestors} of a page: the origins recorded on its session, else the default.
     * Flow C's session is the query token's, else {@code sessionHint} when that session is of the
     * page's agent. A session id is no credential: it only picks whose origins may frame the page,
     * and the page still needs a token (handed over) for that session to do anything.
     */
    public FrameAncestors frameAncestors(
            Flow flow, String id, @Nullable String queryToken, @Nullable String sessionHint) {
        Optional<EmbedSession> session = switch (flow) {
            case CHAT -> sessions.find(id);
            case AGENTS ->
                sessionOfToken(queryToken)
                        .or(() -> sessionHint == null
                                ? Optional.empty()
                                : sessions.find(sessionHint).filter(s -> id.equals(s.agentId())));
            default -> links.sessionOfKey(id);
        };
        List<String> recorded = session.map(EmbedSession::frameAncestors).orElse(List.of());
        if (!recorded.isEmpty()) {
            FrameAncestors origins = FrameAncestors.of(recorded);
            if (!origins.sources().isEmpty()) {
                return origins;
            }
        }
        return defaults;
    }

    /**
     * The hash the page's asset URLs carry, so a new library version is never served stale assets:
     * the first 12 hex digits of the SHA-256 over every listed asset, in the order of {@value
     * #ASSET_LIST}, each as its name, a NUL, its text and a NUL.
     */
    public String version() {
        return version;
    }

    private Reply page(
            Flow flow, String id, String basePath, @Nullable String queryToken, @Nullable String sessionHint) {
        FrameAncestors origins = frameAncestors(flow, id, queryToken, sessionHint);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("flow", flow.segment());
        config.put("id", id);
        config.put("base", basePath);
        config.put("parentOrigins", origins.messageOrigins());
        config.put("topLevel", options.allowTopLevel());
        config.put("events", options.eventStream());
        config.put("eventsIdleSeconds", EVENTS_IDLE_SECONDS);
        String html = template.replace("{{PRELOAD}}", preloads)
                .replace("{{BASE}}", escapeHtml(basePath))
                .replace("{{VERSION}}", version)
                .replace("{{CONFIG}}", jsonForHtml(Json.write(config)));
        return new Reply(200, pageHeaders(origins.directive()), "text/html; charset=utf-8", html);
    }

    /**
     * The answer to a top-level visit: 403 and a short page saying why, with the page headers and
     * framed by no one. It names no session and carries no configuration.
     */
    private Reply refused(String basePath) {
        String html = refusedTemplate.replace("{{BASE}}", escapeHtml(basePath)).replace("{{VERSION}}", version);
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

    private Optional<EmbedSession> sessionOfToken(@Nullable String token) {
        if (token == null || token.isEmpty() || token.length() > TokenService.MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        try {
            return sessions.find(tokens.verify(token).sessionId());
        } catch (EmbedException e) {
            return Optional.empty(); // the page itself will be told 401 and ask its parent for a token
        }
    }

    private static Reply asset(Asset asset, String cacheControl, String resourcePolicy) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", cacheControl);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Cross-Origin-Resource-Policy", resourcePolicy);
        headers.put("Referrer-Policy", "no-referrer");
        if ("cross-origin".equals(resourcePolicy)) {
            // Public files: a customer's page may load them with crossorigin (e.g. for Subresource Integrity).
            headers.put("Access-Control-Allow-Origin", "*");
        }
        return new Reply(200, headers, asset.contentType(), asset.body());
    }

    /** The names in {@value #ASSET_LIST}: one per line; blank lines and lines starting with # are skipped. */
    static List<String> assetNames(String list) {
        List<String> names = new ArrayList<>();
        for (String line : list.split("\n", -1)) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            if (!ASSET_NAME.matcher(name).matches() || names.contains(name)) {
                throw new IllegalStateException("embed: " + RESOURCES + ASSET_LIST + " lists \"" + name + "\", which is"
                        + " not a unique asset name (lowercase letters, digits and '-', then .js, .css or .html)");
            }
            names.add(name);
        }
        if (!names.contains("chat.js") || !names.contains("chat.css")) {
            throw new IllegalStateException("embed: " + RESOURCES + ASSET_LIST + " must list chat.js and chat.css");
        }
        return names;
    }

    private static String contentType(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/html; charset=utf-8";
    }

    private static EmbedException notFound() {
        return EmbedError.notFound("no hosted page here: see /embed/chat/{sessionId}, /embed/agents/{agentId},"
                        + " /embed/iframe/{cacheKey}, /embed/widget.js and /embed/sdk.js")
                .toException();
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

    private static String resource(String name) {
        ClassLoader loader = HostedPages.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("embed: " + RESOURCES + name + " is missing from the class path;"
                        + " the embed-filter jar is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("embed: cannot read " + RESOURCES + name, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
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
    public record Options(boolean allowTopLevel, boolean eventStream) {
        /** The defaults: framed only, long polling only. */
        public static final Options DEFAULTS = new Options(false, false);

        /** The options {@code config} sets. */
        public static Options from(EmbedConfig config) {
            return new Options(
                    config.getBoolean(ConfigKey.PAGES_ALLOW_TOP_LEVEL),
                    config.getBoolean(ConfigKey.PAGES_EVENT_STREAM));
        }
    }

    /** A served file: its text and content type. */
    private record Asset(String body, String contentType) {}
}
