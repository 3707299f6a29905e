package dev.embed.demo.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Frame;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.options.AriaRole;
import dev.embed.testing.JettyServer;
import dev.embed.testing.TestKeys;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /embed/sdk.js in Chromium (DESIGN §6, issue 15 part 1) on a customer page of another origin
 * ({@code http://localhost:{port}}) than the chat ({@code http://127.0.0.1:{port}/shop}): the
 * first token handed over by postMessage and in no URL, renewal before expiry and on
 * embed:token-expired in the same frame, flows A, C and D, the launcher by keyboard, events,
 * destroy(), and messages of other windows and origins ignored.
 */
class SdkBrowserIT extends BrowserTest {
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
    void mountWhenUrlHoldsTheTokenThenItIsStrippedHandedOverAndInNoRequest() {
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/sdk.html?inline=1");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        waitForEvent("ready");

        String src = page.locator("#slot iframe").getAttribute("src");
        assertTrue(src.matches(Pattern.quote(embed.base() + "/embed/chat/") + "ses_[A-Za-z0-9_-]+"), src);
        assertEquals(List.of(), page.evaluate("() => window.fetches"), "the token in url needed no fetchToken()");
        send(chat, "Hello through the SDK");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Hello through the SDK");

        Map<String, Object> message = waitForEvent("message");
        assertEquals(
                Set.of("type", "id", "role", "sessionId", "createdAt"), message.keySet(), "what the parent learns");
        assertEquals("assistant", message.get("role"));
        assertEquals(src.substring(src.lastIndexOf('/') + 1), message.get("sessionId"));
        assertEquals(
                chat.locator(".msg-agent").getAttribute("data-id"), message.get("id"), "the event names the message");
        TokenHandOverBrowserIT.assertTokenOnlyInBearerHeaders(requests, bearer(requests));
        assertTrue(requests.stream().anyMatch(r -> r.url().endsWith("/embed/sdk.js")), "sdk.js was not loaded");
        assertEquals(
                List.of(),
                page.evaluate("() => Object.getOwnPropertyNames(window.chat)"),
                "the object mount() answers exposes its state (and so the token) to the page's scripts");
    }

    @Test
    void mountWhenNoUrlThenTheFirstEmbedUrlComesFromFetchTokenAndItsTokenIsInNoRequest() {
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/sdk.html");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        assertEquals("initial", fetches().get(0).get("reason"));
        send(chat, "First token from fetchToken");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: First token from fetchToken");
        assertThat(page.locator("#slot iframe")).hasAttribute("title", "Chat with Acme");
        TokenHandOverBrowserIT.assertTokenOnlyInBearerHeaders(requests, bearer(requests));
    }

    @Test
    void tokenWhenItNearsExpiryThenFetchTokenRenewsItInTheSameFrame() {
        List<Request> requests = recordRequests();
        // A 60 s token renewed 57 s before it expires: the renewal comes after about 3 s.
        page.navigate(site.origin() + "/sdk.html?ttl=60&renew=57");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        chatFrame().evaluate("() => { window.sameDocument = 'still here'; }");
        String first = bearer(requests);

        page.waitForFunction("() => window.fetches.some(f => f.reason === 'expiring')");
        Map<String, Object> renewal = fetches().get(1);
        assertEquals("expiring", renewal.get("reason"));
        String sessionId = (String) renewal.get("sessionId");
        assertTrue(sessionId.startsWith("ses_"), "fetchToken was not told the session: " + sessionId);

        ClockedEmbedListener.CLOCK.advance(Duration.ofMinutes(3)); // the first token is now dead
        send(chat, "After the renewal");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: After the renewal");
        assertEquals("still here", chatFrame().evaluate("() => window.sameDocument"), "the frame reloaded");
        assertFalse(eventTypes().contains("token-expired"), "the chat had to ask: " + eventTypes());
        String renewed = bearer(requests);
        assertFalse(renewed.equals(first), "the message went out with the first token");
        assertNoUrlHolds(requests, first);
        assertNoUrlHolds(requests, renewed);
    }

    @Test
    void tokenWhenTheChatSaysItExpiredThenFetchTokenRenewsItInTheSameFrame() throws Exception {
        page.navigate(site.origin() + "/sdk.html?ttl=120");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        Map<String, Object> ready = waitForEvent("ready");
        String sessionId = (String) ready.get("sessionId");
        site.mintEmbedUrl(3600, sessionId); // a session lives as long as its latest token
        chatFrame().evaluate("() => { window.sameDocument = 'still here'; }");

        ClockedEmbedListener.CLOCK.advance(Duration.ofMinutes(3));
        send(chat, "After the token expired");

        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: After the token expired");
        Map<String, Object> expired = waitForEvent("token-expired");
        assertEquals(sessionId, expired.get("sessionId"));
        assertEquals("expired", fetches().get(fetches().size() - 1).get("reason"));
        assertEquals(sessionId, fetches().get(fetches().size() - 1).get("sessionId"));
        assertEquals("still here", chatFrame().evaluate("() => window.sameDocument"), "the frame reloaded");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
    }

    @Test
    void mountWhenFlowCThenVisitorTokenHandedOverAndTheFrameNamesOnlyTheSession() {
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/sdk.html?flow=c");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        assertThat(chat.locator("#agent-name")).hasText("Support");
        send(chat, "Visitor via the SDK");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Visitor via the SDK");
        String src = page.locator("#slot iframe").getAttribute("src");
        assertTrue(src.matches(Pattern.quote(embed.base() + "/embed/agents/support/") + "ses_[A-Za-z0-9_-]+"), src);
        TokenHandOverBrowserIT.assertTokenOnlyInBearerHeaders(requests, bearer(requests));
    }

    /**
     * Flow D: the link is redeemed by the page; when its token expires, fetchToken's new
     * iframe_url is not loaded: its cache key is posted to the same frame, which redeems it (a new
     * link is a new session) and goes on. The second key is in no URL.
     */
    @Test
    void mountWhenFlowDThenLinkRedeemedAndRenewedByCacheKeyInTheSameFrame() {
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/sdk.html?flow=d");
        FrameLocator chat = page.frameLocator("#slot iframe");
        assertThat(chat.locator(".msg-start .bubble")).hasText(CustomerSite.START_MESSAGE);
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        String src = page.locator("#slot iframe").getAttribute("src");
        assertTrue(src.matches(Pattern.quote(embed.base() + "/embed/iframe/") + "[A-Za-z0-9_-]{22,}"), src);
        chatFrame().evaluate("() => { window.sameDocument = 'still here'; }");

        ClockedEmbedListener.CLOCK.advance(Duration.ofMinutes(20)); // links live 900 s
        send(chat, "After the link expired");

        assertThat(chat.locator(".msg-agent .bubble").last()).hasText("You said: After the link expired");
        assertThat(chat.locator(".divider")).hasText("A new conversation starts here");
        assertEquals(
                List.of("msg-start", "divider", "msg-user", "msg-agent"),
                chat.locator("#messages > li")
                        .evaluateAll("items => items.map(li => li.classList.contains('divider')"
                                + " ? 'divider' : li.classList.contains('msg-start') ? 'msg-start' : li.classList[1])"),
                "the message typed while the link was renewed belongs after the divider");
        assertEquals("still here", chatFrame().evaluate("() => window.sameDocument"), "the frame reloaded");
        assertEquals(src, chatFrame().url(), "the frame was navigated");
        assertTrue(eventTypes().contains("token-expired"), eventTypes().toString());
        assertEquals(
                List.of("initial", "expired"),
                fetches().stream().map(f -> f.get("reason")).toList());
        assertEquals(
                2,
                requests.stream()
                        .filter(r -> path(r).endsWith("/api/v1/iframe/token"))
                        .count(),
                "the two keys were not both redeemed by the page");
        for (Request request : requests) {
            assertFalse(
                    path(request).startsWith("/shop/embed/iframe/")
                            && !request.url().equals(src),
                    "another link was loaded: " + path(request));
        }
    }

    @Test
    void launcherWhenUsedByKeyboardThenOpensIntoTheChatEscapeClosesAndFocusReturns() throws Exception {
        page.navigate(site.origin() + "/sdk.html?launcher=1");
        waitForEvent("ready");
        Locator button = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Chat with us"));
        Locator panel = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Chat with Acme"));
        assertThat(button).hasAttribute("aria-expanded", "false");
        assertThat(panel).isHidden();

        page.keyboard().press("Tab");
        assertThat(button).isFocused();
        page.keyboard().press("Enter");
        assertThat(panel).isVisible();
        assertThat(button).hasAttribute("aria-expanded", "true");
        assertEquals(panel.getAttribute("id"), button.getAttribute("aria-controls"));
        FrameLocator chat = page.frameLocator(".embed-launcher-panel iframe");
        assertThat(chat.locator("#input")).isFocused();

        page.keyboard().type("Typed right away");
        page.keyboard().press("Enter");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Typed right away");
        screenshot("-open");

        page.keyboard().press("Escape"); // pressed inside the chat frame
        assertThat(panel).isHidden();
        assertThat(button).isFocused();
        assertThat(button).hasAttribute("aria-expanded", "false");

        page.keyboard().press("Space");
        assertThat(panel).isVisible();
        Locator close = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Close Chat with Acme"));
        close.focus();
        page.keyboard().press("Escape"); // pressed in the panel, outside the frame
        assertThat(panel).isHidden();
        assertThat(button).isFocused();

        page.keyboard().press("Enter");
        assertThat(panel).isVisible();
        close.focus();
        page.keyboard().press("Enter");
        assertThat(panel).isHidden();
        assertThat(button).isFocused();
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Typed right away");
    }

    @Test
    void destroyWhenCalledThenTheChatAndLauncherAreGoneAndNothingMoreHappens() {
        page.navigate(site.origin() + "/sdk.html?launcher=1&ttl=60&renew=55");
        waitForEvent("ready");
        assertThat(page.locator(".embed-launcher-button")).hasCount(1);

        page.evaluate("() => window.chat.destroy()");

        assertThat(page.locator("iframe")).hasCount(0);
        assertThat(page.locator(".embed-launcher")).hasCount(0);
        int events = eventTypes().size();
        page.waitForTimeout(7000); // past the renewal the destroyed chat had scheduled (after 5 s)
        assertEquals(
                List.of("initial"), fetches().stream().map(f -> f.get("reason")).toList(), "it renewed");
        assertEquals(events, eventTypes().size(), "events after destroy: " + eventTypes());
        page.evaluate("() => window.chat.open()"); // a no-op now, not an error
        assertThat(page.locator("iframe")).hasCount(0);
    }

    /**
     * The SDK takes messages only from the chat frame's window at the chat's origin, and posts
     * the token only to that origin: a frame navigated elsewhere receives nothing.
     */
    @Test
    void messagesWhenFromAnotherWindowOrOriginThenIgnoredAndTheTokenGoesNowhereElse() {
        context.addInitScript(
                "window.__received = [];"
                        + " window.addEventListener('message', (event) => window.__received.push(event.data && event.data.type));");
        page.navigate(site.origin() + "/sdk.html?other=1");
        waitForEvent("ready");
        int events = eventTypes().size();
        int fetched = fetches().size();

        Frame other = page.frames().stream()
                .filter(f -> f.url().startsWith(site.otherOrigin()))
                .findFirst()
                .orElseThrow();
        other.evaluate(
                "() => { for (const type of ['embed:token-expired', 'embed:ready', 'embed:error', 'embed:escape']) {"
                        + " window.parent.postMessage({ type, id: 'm1', code: 'ended', sessionId: 'ses_x' }, '*'); } }");
        page.evaluate("() => window.postMessage({ type: 'embed:token-expired', sessionId: 'ses_x' }, '*')");
        page.waitForTimeout(1500);
        assertEquals(events, eventTypes().size(), "events from other windows: " + eventTypes());
        assertEquals(fetched, fetches().size(), "fetchToken was called for another window");

        // The chat frame shown elsewhere: the SDK's hand-over on load must not reach that page.
        page.evaluate("url => { window.chat.frame.src = url; }", site.otherOrigin() + "/blank.html");
        page.waitForCondition(() -> chatFrame().url().startsWith(site.otherOrigin()));
        chatFrame().waitForLoadState();
        page.waitForTimeout(1000);
        @SuppressWarnings("unchecked")
        List<Object> received = (List<Object>) chatFrame().evaluate("() => window.__received");
        assertFalse(received.contains("embed:token"), "the token reached another origin: " + received);
    }

    // ------------------------------------------------------------------ helpers

    private List<Request> recordRequests() {
        List<Request> requests = new CopyOnWriteArrayList<>();
        page.onRequest(requests::add);
        return requests;
    }

    private Frame chatFrame() {
        Frame frame =
                page.locator("iframe[title='Chat with Acme']").elementHandle().contentFrame();
        assertNotNull(frame, "no chat frame");
        return frame;
    }

    private Map<String, Object> waitForEvent(String type) {
        page.waitForFunction("type => window.events.some(e => e.type === type)", type);
        @SuppressWarnings("unchecked")
        Map<String, Object> event =
                (Map<String, Object>) page.evaluate("type => window.events.filter(e => e.type === type).pop()", type);
        return event;
    }

    private List<String> eventTypes() {
        @SuppressWarnings("unchecked")
        List<String> types = (List<String>) page.evaluate("() => window.events.map(e => e.type)");
        return types;
    }

    private List<Map<String, Object>> fetches() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> fetches = (List<Map<String, Object>>) page.evaluate("() => window.fetches");
        return fetches;
    }

    /** The token of the latest API call (its Authorization header). */
    private static String bearer(List<Request> requests) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            String authorization = requests.get(i).headers().get("authorization");
            if (authorization != null && authorization.startsWith("Bearer ")) {
                return authorization.substring("Bearer ".length());
            }
        }
        throw new AssertionError("no API call carried a bearer token");
    }

    private static void assertNoUrlHolds(List<Request> requests, String token) {
        for (Request request : requests) {
            assertFalse(
                    request.url().contains(token), "a URL carried a token: " + request.method() + " " + path(request));
            String referer = request.headers().get("referer");
            assertTrue(referer == null || !referer.contains(token), "a Referer carried a token: " + path(request));
        }
    }

    private static void send(FrameLocator chat, String text) {
        Locator input = chat.locator("#input");
        input.click();
        input.pressSequentially(text);
        input.press("Enter");
    }

    private static String path(Request request) {
        return URI.create(request.url()).getPath();
    }
}
