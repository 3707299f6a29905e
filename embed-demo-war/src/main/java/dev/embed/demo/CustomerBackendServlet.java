package dev.embed.demo;

import dev.embed.error.EmbedError;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;
import org.jspecify.annotations.Nullable;

/**
 * The demo customer's own backend: {@code POST /demo/embed-url} mints an iframe URL for the
 * signed-in user by calling the mint endpoint server-to-server with the API key, exactly as a
 * customer's backend would. The key never reaches the browser. With {@code ?sessionId=...} it
 * continues that session: the customer page asks for this when the chat frame posts {@code
 * embed:token-expired}, and hands the fresh token to the frame.
 *
 * <p>It continues only sessions that this browser started (issue 13, finding 9): a new session is
 * recorded under a random id kept in an {@code HttpOnly}, {@code SameSite=Lax} cookie, and a
 * {@code sessionId} this browser did not start answers 403, so a session id someone learned is not
 * a way into that conversation. What it remembers is bounded: at most {@value #MAX_BROWSERS}
 * browsers (the least recently seen are forgotten) and {@value #MAX_SESSIONS_PER_BROWSER}
 * sessions each (the oldest go first). It lives in this JVM: after a restart a browser starts a new
 * session, as it does when it loads the page.
 */
public final class CustomerBackendServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** The cookie naming this browser's record. */
    static final String COOKIE = "embed_demo_browser";

    static final int MAX_BROWSERS = 10_000;
    static final int MAX_SESSIONS_PER_BROWSER = 32;

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Browser id → the sessions it started, newest last; access-ordered, so the least recently seen go first. */
    private final transient Map<String, Set<String>> browsers = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
            return size() > MAX_BROWSERS;
        }
    };

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json; charset=utf-8");
        String key = (String) getServletContext().getAttribute(DemoListener.DEMO_KEY_ATTRIBUTE);
        String agent = "sales".equals(request.getParameter("agent")) ? "sales" : "support";
        String browser = browserId(request);
        String sessionId = request.getParameter("sessionId");
        if (sessionId != null && !startedBy(browser, sessionId)) {
            response.setStatus(403);
            response.getWriter()
                    .write(JsonUtil.toJson(Map.of(
                            "error",
                            EmbedError.insufficientScope("").code(),
                            "error_description",
                            "this demo backend continues only sessions that this browser started")));
            return;
        }
        // The customer's backend knows who is signed in; the demo has one user.
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("externalUserId", "demo-customer-1");
        body.put("displayName", "Kelly");
        body.put("ttlSeconds", 3600L);
        body.put("mode", "chat");
        if (sessionId != null) {
            body.put("sessionId", sessionId);
        }
        String self = "http://127.0.0.1:" + request.getLocalPort() + request.getContextPath();
        HttpRequest mint = HttpRequest.newBuilder(
                        URI.create(self + "/api/v1/spaces/demo/agents/" + agent + "/embed-urls"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonUtil.toJson(body)))
                .build();
        try {
            HttpResponse<String> minted = CLIENT.send(mint, HttpResponse.BodyHandlers.ofString());
            if (minted.statusCode() == 200 && sessionId == null) {
                Object started = sessionIdOf(minted.body());
                if (started instanceof String id) {
                    browser = remember(browser, id);
                    setCookie(request, response, browser);
                }
            }
            response.setStatus(minted.statusCode());
            // A 429 or a 503 (the store's database is down) says when to try again: the page's fetchToken sees it.
            minted.headers().firstValue("Retry-After").ifPresent(value -> response.setHeader("Retry-After", value));
            response.getWriter().write(minted.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.setStatus(503);
            response.getWriter()
                    .write(JsonUtil.toJson(
                            Map.of("error", EmbedError.serverError().code())));
        }
    }

    private static @Nullable Object sessionIdOf(String minted) {
        try {
            return JsonUtil.parseJson(minted).get("sessionId");
        } catch (JoseException notJson) {
            return null;
        }
    }

    private static @Nullable String browserId(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (COOKIE.equals(cookie.getName()) && cookie.getValue().matches("[A-Za-z0-9_-]{43}")) {
                    return cookie.getValue();
                }
            }
        }
        return null;
    }

    private boolean startedBy(@Nullable String browser, String sessionId) {
        if (browser == null) {
            return false;
        }
        synchronized (browsers) {
            Set<String> sessions = browsers.get(browser);
            return sessions != null && sessions.contains(sessionId);
        }
    }

    /** Records that {@code browser} (a new one if null or forgotten) started {@code sessionId}; its id. */
    private String remember(@Nullable String browser, String sessionId) {
        synchronized (browsers) {
            Set<String> sessions = browser == null ? null : browsers.get(browser);
            if (browser == null || sessions == null) {
                byte[] bytes = new byte[32];
                RANDOM.nextBytes(bytes);
                browser = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                sessions = new LinkedHashSet<>();
                browsers.put(browser, sessions);
            }
            sessions.add(sessionId);
            if (sessions.size() > MAX_SESSIONS_PER_BROWSER) {
                sessions.remove(sessions.iterator().next());
            }
            return browser;
        }
    }

    private static void setCookie(HttpServletRequest request, HttpServletResponse response, String browser) {
        Cookie cookie = new Cookie(COOKIE, browser);
        cookie.setHttpOnly(true);
        cookie.setSecure(request.isSecure());
        cookie.setPath(request.getContextPath() + "/demo/");
        cookie.setAttribute("SameSite", "Lax");
        response.addCookie(cookie);
    }
}
