package dev.embed.demo.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Frame;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Request;
import dev.embed.testing.JettyServer;
import dev.embed.testing.TestKeys;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token hand-over by postMessage (DESIGN §6, issue 13 finding 8): a page opened without a token in
 * its URL waits for the first {@code {type: "embed:token", token}} from an allowed parent; the
 * widget creates its frame without the token and hands it over. Every request the browser makes
 * (pages, frames, assets, API calls) is inspected: the token is in none of their URLs or Referers,
 * only in the Authorization header of the page's own API calls.
 */
class TokenHandOverBrowserIT extends BrowserTest {
    private static CustomerSite site;
    private static JettyServer embed;

    @BeforeAll
    static void startServers() throws Exception {
        site = CustomerSite.start(TestKeys.ACME_KEY);
        embed = EmbedTestServer.start(site, Map.of());
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (embed != null) {
            embed.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    void widgetWhenLoadedThenTokenHandedOverAndInNoRequestUrlOrReferer() {
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/widget.html");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        send(chat, "Handed over, not in a URL");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Handed over, not in a URL");

        Frame frame = page.locator("#slot iframe").elementHandle().contentFrame();
        assertNotNull(frame);
        String token = lastBearer(requests);
        String sessionId = (String) frame.evaluate(
                "t => JSON.parse(atob(t.split('.')[1].replace(/-/g, '+')" + ".replace(/_/g, '/'))).sid", token);
        assertTrue(sessionId.startsWith("ses_"), sessionId);
        assertEquals(embed.base() + "/embed/agents/support/" + sessionId, frame.url(), "the frame's address");
        assertTokenOnlyInBearerHeaders(requests, token);
    }

    @Test
    void parentWhenItHandsTheTokenOverThenTheChatRunsAndAnotherOriginsTokenIsIgnored() {
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/handover.html?auto=0&other=1");
        page.waitForFunction("() => window.events.includes('embed:started')");
        FrameLocator chat = page.frameLocator("#chat");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "connecting");

        // A valid token for this very session, posted by a frame of an origin nobody allowed.
        String token = CustomerSite.tokenOf(session());
        Frame other = page.frames().stream()
                .filter(f -> f.url().startsWith(site.otherOrigin()))
                .findFirst()
                .orElseThrow();
        other.evaluate("t => window.parent.frames[0].postMessage({type: 'embed:token', token: t}, '*')", token);
        page.waitForTimeout(1500);
        assertThat(chat.locator("#state")).hasAttribute("data-state", "connecting");
        assertFalse(requests.stream().anyMatch(r -> path(r).contains("/api/v1/embed/")), "the page used the token");

        page.evaluate("() => window.handOver()");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        send(chat, "Now it runs");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Now it runs");
        assertEquals(
                embed.base() + "/embed/chat/" + session().get("sessionId"),
                page.locator("#chat").elementHandle().contentFrame().url());
        assertTokenOnlyInBearerHeaders(requests, token);
    }

    @Test
    void parentWhenItHandsOverAsThePageStartsThenTheChatRunsWithoutAToken() {
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/handover.html");
        FrameLocator chat = page.frameLocator("#chat");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        send(chat, "Started without a token");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Started without a token");
        assertTokenOnlyInBearerHeaders(requests, CustomerSite.tokenOf(session()));
    }

    @Test
    void widgetWhenTokenExpiresThenItsListenerRenewsItInTheSameFrame() {
        page.navigate(site.origin() + "/widget.html");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        Frame frame = page.locator("#slot iframe").elementHandle().contentFrame();
        frame.evaluate("() => { window.sameDocument = 'still here'; }");

        ClockedEmbedListener.CLOCK.advance(Duration.ofMinutes(62)); // visitor tokens live one hour
        send(chat, "After the visitor token expired");

        page.waitForFunction("() => window.events.includes('refreshed')");
        assertThat(chat.locator(".msg-agent .bubble").last()).hasText("You said: After the visitor token expired");
        assertEquals("still here", frame.evaluate("() => window.sameDocument"), "the frame reloaded");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
    }

    /** A data-token cannot refresh itself: without a listener, the widget never re-posts the old one. */
    @Test
    void widgetWhenTokenExpiresAndNoListenerRenewsThenTheOldTokenIsNotPostedAgainAndTheVisitorIsTold() {
        context.addInitScript("window.addEventListener('message', (event) => {"
                + " if (event.data && event.data.type === 'embed:token') {"
                + " (window.__tokens = window.__tokens || []).push(event.data.token); } });");
        page.navigate(site.origin() + "/widget.html?listen=0");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        Frame frame = page.locator("#slot iframe").elementHandle().contentFrame();
        int handedOver = ((Number) frame.evaluate("() => window.__tokens.length")).intValue();

        ClockedEmbedListener.CLOCK.advance(Duration.ofMinutes(62));
        send(chat, "Anyone?");
        page.waitForFunction("() => window.events.includes('embed:token-expired')");
        assertThat(chat.locator(".msg-user")).hasAttribute("data-delivery", "waiting");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "expired");
        assertThat(chat.locator("#notice")).hasText("Your session has expired. Reload the page to continue.");
        assertEquals(
                handedOver,
                ((Number) frame.evaluate("() => window.__tokens.length")).intValue(),
                "the widget posted a token again");
        assertEquals(1L, ((Number) frame.evaluate("() => new Set(window.__tokens).size")).longValue());
    }

    // ------------------------------------------------------------------ helpers

    private List<Request> recordRequests() {
        List<Request> requests = new CopyOnWriteArrayList<>();
        page.onRequest(requests::add);
        return requests;
    }

    private Map<String, Object> session() {
        page.waitForFunction("() => window.session !== null");
        @SuppressWarnings("unchecked")
        Map<String, Object> session = (Map<String, Object>) page.evaluate("() => window.session");
        return session;
    }

    /** The token of the latest API call (its Authorization header). */
    private static String lastBearer(List<Request> requests) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            String authorization = requests.get(i).headers().get("authorization");
            if (authorization != null && authorization.startsWith("Bearer ")) {
                return authorization.substring("Bearer ".length());
            }
        }
        throw new AssertionError("no API call carried a bearer token");
    }

    /**
     * The token is in no request's URL or Referer; the page's API calls carry it as a bearer header
     * and no cookie.
     */
    static void assertTokenOnlyInBearerHeaders(List<Request> requests, String token) {
        assertTrue(token.length() > 40, "not a token: " + token.length() + " characters");
        boolean sawApiCall = false;
        for (Request request : requests) {
            assertFalse(
                    request.url().contains(token),
                    "a URL carried the token: " + request.method() + " " + path(request));
            String referer = request.headers().get("referer");
            assertTrue(referer == null || !referer.contains(token), "a Referer carried the token: " + path(request));
            if (path(request).contains("/api/v1/embed/")) {
                sawApiCall = true;
                assertEquals("Bearer " + token, request.headers().get("authorization"), path(request));
                assertFalse(request.headers().containsKey("cookie"), path(request));
            }
        }
        assertTrue(sawApiCall, "no API call was seen");
    }

    private static void send(FrameLocator chat, String text) {
        Locator input = chat.locator("#input");
        input.click();
        input.pressSequentially(text);
        input.press("Enter");
    }

    /** A request's path, for messages: never its query or fragment, which could hold a credential. */
    static String path(Request request) {
        return URI.create(request.url()).getPath();
    }
}
