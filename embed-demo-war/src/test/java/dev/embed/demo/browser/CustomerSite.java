package dev.embed.demo.browser;

import dev.embed.testing.Http;
import dev.embed.testing.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A customer's web site on another origin than the embed server: its own Jetty, reached as {@code
 * http://localhost:{port}} while the embed server answers on {@code http://127.0.0.1:{port}}. Its
 * backend holds the API key and mints server-to-server, as a customer's would; its pages frame the
 * hosted chat page and answer {@code embed:token-expired} with a fresh token.
 *
 * <ul>
 *   <li>{@code /chat.html?ttl=&refresh=&other=} frames a flow A {@code embedUrl}; {@code
 *       refresh=0} leaves {@code embed:token-expired} unanswered; {@code other=1} adds a second
 *       frame from another origin ({@code http://127.0.0.1:{port}/blank.html}). {@code
 *       window.events} lists what the chat frame posted; {@code window.session} is the mint answer.
 *   <li>{@code /handover.html?auto=&other=}: a flow A page framed without its token, handed over
 *       by postMessage when the page starts ({@code auto=0}: only when the test calls {@code
 *       window.handOver()}); {@code other=1} adds a frame from another origin.
 *   <li>{@code /widget.html?listen=}: the flow C widget script with a visitor token minted
 *       server-side; its embed:token-expired listener renews the token ({@code listen=0}: it only
 *       records the event).
 *   <li>{@code /link.html}: a flow D cached link, created server-side with a theme.
 *   <li>{@code /sdk.html}: the chat mounted with {@code /embed/sdk.js} (see {@code sdkPage}).
 * </ul>
 */
final class CustomerSite implements AutoCloseable {
    static final String USER = "visitor-1";
    static final String START_MESSAGE = "Hi! I answer questions about the docs.";
    static final String ACCENT = "#0a7d48";

    private final Server server;
    private final ServerConnector connector;
    private final String apiKey;
    private volatile String embedBase;

    private CustomerSite(Server server, ServerConnector connector, String apiKey) {
        this.server = server;
        this.connector = connector;
        this.apiKey = apiKey;
    }

    /** Starts the site on a free loopback port; {@link #embedBase(String)} must follow. */
    static CustomerSite start(String apiKey) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        CustomerSite site = new CustomerSite(server, connector, apiKey);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(site.new Pages()), "/*");
        server.setHandler(context);
        server.start();
        return site;
    }

    /** The site's origin, as its visitors' browsers see it. */
    String origin() {
        return "http://localhost:" + connector.getLocalPort();
    }

    /** The same server under another origin: nobody allowed it to frame the chat or talk to it. */
    String otherOrigin() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    /** Where the embed server's application is (with its context path). */
    void embedBase(String base) {
        this.embedBase = base;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Mints a flow A embed URL for the site's user, server-to-server. */
    Map<String, Object> mintEmbedUrl(long ttlSeconds, String sessionId) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("externalUserId", USER);
        body.put("displayName", "Kelly");
        body.put("ttlSeconds", ttlSeconds);
        if (sessionId != null) {
            body.put("sessionId", sessionId);
        }
        HttpResponse<String> answer = Http.postJson(
                URI.create(embedBase + "/api/v1/spaces/demo/agents/support/embed-urls"), apiKey, Json.write(body));
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("mint answered " + answer.statusCode() + ": " + answer.body());
        }
        return Json.parseObject(answer.body());
    }

    /** The token of a flow A embed URL (after {@code #token=}). */
    static String tokenOf(Map<String, Object> minted) {
        String url = (String) minted.get("embedUrl");
        return url.substring(url.indexOf("#token=") + "#token=".length());
    }

    /** Mints a flow C visitor token for the site's agent, server-to-server: {@code {"success", "data": {"token", ...}}}. */
    HttpResponse<String> visitorToken() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(embedBase + "/v1/embed-tokens/request"))
                .timeout(Duration.ofSeconds(10))
                .header("api-secret", apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"agent_id\": \"support\", \"fingerprint\": \"0a1b2c3d4e5f6789\"}"))
                .build();
        return Http.send(request);
    }

    /** Creates a flow D cached link with a theme, server-to-server: {@code {"iframe_url", "cache_key", ...}}. */
    HttpResponse<String> iframeLink() throws IOException, InterruptedException {
        String body =
                "{\"uid\": \"" + USER + "\", \"srcs\": [\"docs\"], \"ttl\": 900, \"theme\": {\"theme_mode\": \"dark\","
                        + " \"custom_css_vars\": {\"--embed-accent\": \"" + ACCENT + "\"}, \"start_message\": \""
                        + START_MESSAGE + "\"}}";
        return Http.postJson(URI.create(embedBase + "/api/v1/iframe/create"), apiKey, body);
    }

    private final class Pages extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try {
                String other = request.getParameter("other");
                switch (request.getRequestURI()) {
                    case "/chat.html" ->
                        html(response, chatPage(!"0".equals(request.getParameter("refresh")), "1".equals(other)));
                    case "/handover.html" ->
                        html(response, handOverPage(!"0".equals(request.getParameter("auto")), "1".equals(other)));
                    case "/sdk.html" ->
                        html(response, sdkPage("1".equals(request.getParameter("inline")), "1".equals(other)));
                    case "/widget.html" -> html(response, widgetPage(!"0".equals(request.getParameter("listen"))));
                    case "/link.html" -> html(response, linkPage());
                    case "/blank.html" ->
                        html(response, "<!doctype html><title>Another site</title><p>Another origin.</p>");
                    default -> response.sendError(404);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response.sendError(503);
            }
        }

        /** The site's backend: mints (or renews, with sessionId) for its signed-in user. */
        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try {
                String json;
                if ("/backend/embed-url".equals(request.getRequestURI())) {
                    String ttl = request.getParameter("ttl");
                    json = Json.write(
                            mintEmbedUrl(ttl == null ? 3600 : Long.parseLong(ttl), request.getParameter("sessionId")));
                } else if ("/backend/visitor-token".equals(request.getRequestURI())) {
                    json = visitorToken().body();
                } else if ("/backend/iframe-link".equals(request.getRequestURI())) {
                    json = iframeLink().body();
                } else {
                    response.sendError(404);
                    return;
                }
                response.setContentType("application/json");
                response.getWriter().write(json);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response.sendError(503);
            }
        }

        private void html(HttpServletResponse response, String html) throws IOException {
            response.setContentType("text/html; charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().write(html);
        }

        private String chatPage(boolean refresh, boolean otherFrame) {
            return """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>Acme shop</title>
                    <style>body{font:15px system-ui;margin:24px;background:#f4f5f7}iframe{border:1px solid #ccd;border-radius:10px}</style>
                    </head><body>
                    <h1>Acme shop · help</h1>
                    <iframe id="chat" name="chat" title="Chat" width="420" height="560" referrerpolicy="no-referrer"></iframe>
                    %s
                    <script>
                      const frame = document.getElementById('chat');
                      const refresh = %s;
                      window.events = [];
                      window.session = null;
                      let chatOrigin = null;
                      async function mint(sessionId) {
                        const query = new URLSearchParams({ ttl: new URLSearchParams(location.search).get('ttl') || '3600' });
                        if (sessionId) { query.set('sessionId', sessionId); }
                        const res = await fetch('/backend/embed-url?' + query, { method: 'POST' });
                        return res.json();
                      }
                      window.addEventListener('message', async (event) => {
                        if (event.source !== frame.contentWindow || event.origin !== chatOrigin) { return; }
                        window.events.push(event.data && event.data.type);
                        if (refresh && event.data && event.data.type === 'embed:token-expired') {
                          const body = await mint(window.session.sessionId);
                          const token = body.embedUrl.substring(body.embedUrl.indexOf('#token=') + 7);
                          frame.contentWindow.postMessage({ type: 'embed:token', token: token }, chatOrigin);
                          window.events.push('parent posted embed:token');
                        }
                      });
                      mint(null).then((body) => {
                        window.session = body;
                        chatOrigin = new URL(body.embedUrl).origin;
                        frame.src = body.embedUrl;
                      });
                    </script>
                    </body></html>
                    """.formatted(
                            otherFrame
                                    ? "<iframe id=\"other\" title=\"Another site\" width=\"300\" height=\"120\" src=\""
                                            + otherOrigin() + "/blank.html\"></iframe>"
                                    : "",
                            refresh);
        }

        /**
         * Frames a flow A page without its token and hands the token over by postMessage: when the
         * page says it started (with auto), or when the test calls window.handOver().
         */
        private String handOverPage(boolean auto, boolean otherFrame) {
            return """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>Acme shop · hand-over</title></head><body>
                    <h1>Acme shop · hand-over</h1>
                    <iframe id="chat" name="chat" title="Chat" width="420" height="560" referrerpolicy="no-referrer"></iframe>
                    %s
                    <script>
                      const frame = document.getElementById('chat');
                      const auto = %s;
                      window.events = [];
                      window.session = null;
                      let chatOrigin = null;
                      let token = null;
                      window.handOver = () => frame.contentWindow.postMessage({ type: 'embed:token', token }, chatOrigin);
                      window.addEventListener('message', (event) => {
                        if (event.source !== frame.contentWindow || event.origin !== chatOrigin) { return; }
                        window.events.push(event.data && event.data.type);
                        if (auto && event.data.type === 'embed:started' && event.data.needsToken) { window.handOver(); }
                      });
                      fetch('/backend/embed-url', { method: 'POST' }).then((res) => res.json()).then((body) => {
                        window.session = body;
                        const url = new URL(body.embedUrl);
                        token = new URLSearchParams(url.hash.slice(1)).get('token');
                        url.hash = '';
                        chatOrigin = url.origin;
                        frame.src = url.href;
                      });
                    </script>
                    </body></html>
                    """.formatted(
                            otherFrame
                                    ? "<iframe id=\"other\" title=\"Another site\" width=\"300\" height=\"120\" src=\""
                                            + otherOrigin() + "/blank.html\"></iframe>"
                                    : "",
                            auto);
        }

        /**
         * Mounts the chat with /embed/sdk.js of the embed server. Query: flow=a (default: the
         * first fetchToken() answers an embedUrl; with inline=1 the page is rendered with an
         * embedUrl, token and all, as mount's url), c (the agent's page as url, visitor tokens)
         * or d (iframe links); ttl (flow A's first token) and renewTtl (its renewals); renew
         * (renewBeforeSeconds); launcher=1; other=1 adds a frame from another origin.
         * window.events lists the SDK's events, window.fetches the fetchToken() calls.
         */
        private String sdkPage(boolean inline, boolean otherFrame) throws IOException, InterruptedException {
            String url = inline ? "'" + mintEmbedUrl(3600, null).get("embedUrl") + "'" : "null";
            return """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>Acme shop · SDK</title>
                    <style>body{font:15px system-ui;margin:24px;background:#f4f5f7}#slot{width:440px}</style>
                    </head><body>
                    <h1>Acme shop · SDK</h1>
                    <div id="slot"></div>
                    %s
                    <script src="%s/embed/sdk.js"></script>
                    <script>
                      const params = new URLSearchParams(location.search);
                      const flow = params.get('flow') || 'a';
                      window.events = [];
                      window.fetches = [];
                      async function post(path) {
                        const res = await fetch(path, { method: 'POST' });
                        if (!res.ok) { throw new Error('HTTP ' + res.status); }
                        return res.json();
                      }
                      async function fetchToken({ reason, sessionId }) {
                        window.fetches.push({ reason, sessionId });
                        if (flow === 'c') { return (await post('/backend/visitor-token')).data.token; }
                        if (flow === 'd') { return (await post('/backend/iframe-link')).iframe_url; }
                        const ttl = reason === 'initial' ? params.get('ttl') : params.get('renewTtl');
                        const query = new URLSearchParams({ ttl: ttl || '3600' });
                        if (sessionId) { query.set('sessionId', sessionId); }
                        return (await post('/backend/embed-url?' + query)).embedUrl;
                      }
                      const options = { fetchToken, onEvent: (event) => window.events.push(event), title: 'Chat with Acme' };
                      const url = %s;
                      if (url) { options.url = url; }
                      if (flow === 'c') { options.url = '%s/embed/agents/support'; }
                      if (params.get('renew')) { options.renewBeforeSeconds = Number(params.get('renew')); }
                      const launcher = params.get('launcher') === '1';
                      if (launcher) { options.launcher = { label: 'Chat with us' }; }
                      window.chat = Embed.mount(launcher ? null : document.getElementById('slot'), options);
                    </script>
                    </body></html>
                    """.formatted(
                            otherFrame
                                    ? "<iframe id=\"other\" title=\"Another site\" width=\"300\" height=\"120\" src=\""
                                            + otherOrigin() + "/blank.html\"></iframe>"
                                    : "",
                            embedBase,
                            url,
                            embedBase);
        }

        private String widgetPage(boolean listen) throws IOException, InterruptedException {
            HttpResponse<String> minted = visitorToken();
            if (minted.statusCode() != 200) {
                return "<!doctype html><p id=\"error\">visitor token: HTTP " + minted.statusCode() + "</p>";
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> data =
                    (Map<String, Object>) Json.parseObject(minted.body()).get("data");
            return """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>Acme shop · widget</title>
                    <style>body{font:15px system-ui;margin:24px;background:#f4f5f7}#slot{width:440px}</style>
                    </head><body>
                    <h1>Acme shop · widget</h1>
                    <div id="slot"><p>Before the widget.</p><script src="%s/embed/widget.js" data-agent="support" data-token="%s"
                        data-height="520" data-title="Chat with Acme support"></script><p>After the widget.</p></div>
                    <script>
                      window.events = [];
                      document.addEventListener('embed:token-expired', async (event) => {
                        window.events.push('embed:token-expired');
                        if (!%s) { return; }
                        const body = await (await fetch('/backend/visitor-token', { method: 'POST' })).json();
                        event.detail.refresh(body.data.token);
                        window.events.push('refreshed');
                      });
                    </script>
                    </body></html>
                    """.formatted(embedBase, data.get("token"), listen);
        }

        private String linkPage() throws IOException, InterruptedException {
            HttpResponse<String> created = iframeLink();
            if (created.statusCode() != 200) {
                return "<!doctype html><p id=\"error\">iframe link: HTTP " + created.statusCode() + "</p>";
            }
            String url = (String) Json.parseObject(created.body()).get("iframe_url");
            return """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>Acme docs</title>
                    <style>body{font:15px system-ui;margin:24px;background:#f4f5f7}iframe{border:0;border-radius:10px}</style>
                    </head><body>
                    <h1>Acme docs</h1>
                    <iframe id="chat" title="Docs assistant" width="420" height="560" referrerpolicy="no-referrer" src="%s"></iframe>
                    </body></html>
                    """.formatted(url);
        }
    }
}
