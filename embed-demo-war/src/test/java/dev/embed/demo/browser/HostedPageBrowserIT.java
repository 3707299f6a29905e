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
import com.microsoft.playwright.options.AriaRole;
import dev.embed.testing.JettyServer;
import dev.embed.testing.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hosted chat pages in a real Chromium (DESIGN §6, issue 5): a customer's site on another
 * origin ({@code http://localhost:{port}}) frames pages of an embed server ({@code
 * http://127.0.0.1:{port}/shop}) deployed from the README's {@code web.xml} fragment, with a
 * server clock the tests move.
 */
class HostedPageBrowserIT extends BrowserTest {
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
    void embedUrlWhenMessageTypedAndEnterPressedThenReplyInFrameAndTokenGoneFromAddress() {
        List<Request> requests = new CopyOnWriteArrayList<>();
        page.onRequestFinished(requests::add); // not the long poll still waiting: its headers would block
        List<String> errors = new CopyOnWriteArrayList<>();
        page.onConsoleMessage(message -> {
            if ("error".equals(message.type())) {
                errors.add(message.text());
            }
        });
        page.navigate(site.origin() + "/chat.html");
        FrameLocator chat = page.frameLocator("#chat");
        awaitOnline(chat);

        Locator input = chat.getByRole(AriaRole.TEXTBOX, new FrameLocator.GetByRoleOptions().setName("Message"));
        input.click();
        input.pressSequentially("Hello from the customer's site");
        input.press("Enter");

        assertThat(chat.locator(".msg-user .bubble")).hasText("Hello from the customer's site");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Hello from the customer's site");
        assertThat(input).isEmpty();

        String token = CustomerSite.tokenOf(session());
        String sessionId = (String) session().get("sessionId");
        Frame frame = chatFrame("#chat");
        assertEquals(embed.base() + "/embed/chat/" + sessionId, frame.url());
        assertFalse(
                ((String) frame.evaluate("() => location.href")).contains(token), "the token is still in the address");
        assertTrue(requests.stream().anyMatch(r -> r.url().endsWith("/messages")), "the message's POST was not seen");
        assertPageAssetsVersionedAndImmutable(requests);
        assertEquals(List.of(), errors, "the page logged errors (a Content-Security-Policy violation?)");
        for (Request request : requests) {
            assertFalse(
                    request.url().contains(token),
                    "a URL carried the token: " + request.method() + " " + path(request));
            String referer = request.headers().get("referer");
            assertTrue(referer == null || !referer.contains(token), "a Referer carried the token: " + path(request));
            if (request.url().contains("/api/v1/embed/")) {
                assertEquals("Bearer " + token, request.allHeaders().get("authorization"), path(request));
                assertFalse(request.allHeaders().containsKey("cookie"), path(request));
            }
        }
    }

    @Test
    void tokenWhenExpiredThenParentGivesAFreshOneAndConversationGoesOnInTheSameFrame() throws Exception {
        page.navigate(site.origin() + "/chat.html?ttl=60");
        FrameLocator chat = page.frameLocator("#chat");
        awaitOnline(chat);
        String sessionId = (String) session().get("sessionId");
        // A session lives as long as its latest token: keep it alive beyond the page's 60 s token.
        site.mintEmbedUrl(3600, sessionId);

        send(chat, "Before the token expires");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Before the token expires");
        chatFrame("#chat").evaluate("() => { window.sameDocument = 'still here'; }");

        ClockedEmbedListener.CLOCK.advance(Duration.ofMinutes(3)); // the page's token is now past exp + skew
        send(chat, "After the token expired");

        page.waitForFunction("() => window.events.includes('embed:token-expired')"
                + " && window.events.includes('parent posted embed:token')");
        assertThat(chat.locator(".msg .bubble")).hasText(new String[] {
            "Before the token expires", "You said: Before the token expires",
            "After the token expired", "You said: After the token expired"
        });
        assertEquals("still here", chatFrame("#chat").evaluate("() => window.sameDocument"), "the frame reloaded");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
    }

    @Test
    void tokenMessageWhenFromADisallowedOriginThenIgnored() throws Exception {
        page.navigate(site.origin() + "/chat.html?ttl=60&refresh=0&other=1");
        FrameLocator chat = page.frameLocator("#chat");
        awaitOnline(chat);
        String sessionId = (String) session().get("sessionId");
        site.mintEmbedUrl(3600, sessionId);
        ClockedEmbedListener.CLOCK.advance(Duration.ofMinutes(3));

        send(chat, "Is anyone there?");
        page.waitForFunction("() => window.events.includes('embed:token-expired')");
        Locator pending = chat.locator(".msg-user");
        assertThat(pending).hasAttribute("data-delivery", "waiting");

        // A valid token for this very session, but posted by a frame of an origin nobody allowed.
        String fresh = CustomerSite.tokenOf(site.mintEmbedUrl(3600, sessionId));
        Frame other = page.frames().stream()
                .filter(f -> f.url().startsWith(site.otherOrigin()))
                .findFirst()
                .orElseThrow();
        other.evaluate("t => window.parent.frames[0].postMessage({type: 'embed:token', token: t}, '*')", fresh);
        page.waitForTimeout(1500);
        assertThat(pending).hasAttribute("data-delivery", "waiting");
        assertThat(chat.locator(".msg-agent")).hasCount(0);

        // The same token from the allowed parent is taken, and the waiting message goes out.
        page.evaluate(
                "t => document.getElementById('chat').contentWindow.postMessage({type: 'embed:token', token: t},"
                        + " new URL(window.session.embedUrl).origin)",
                fresh);
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Is anyone there?");
        assertThat(pending).hasAttribute("data-delivery", "sent");
    }

    @Test
    void sendWhenConnectionFailsThenRetryingWithBackoffAndRetryNowThenDelivered() throws Exception {
        page.navigate(site.origin() + "/chat.html");
        FrameLocator chat = page.frameLocator("#chat");
        awaitOnline(chat);
        AtomicInteger attempts = new AtomicInteger();
        context.route("**/api/v1/embed/chat-sessions/*/messages", route -> {
            if (attempts.incrementAndGet() <= 2) {
                route.abort("connectionfailed");
            } else {
                route.resume();
            }
        });

        send(chat, "Through a bad connection");
        Locator message = chat.locator(".msg-user");
        assertThat(message).hasAttribute("data-delivery", "retrying");
        assertThat(message.locator(".delivery-text")).containsText("Not sent · retrying in");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "retrying");
        assertThat(chat.locator("#state")).containsText("retrying");
        screenshot("-retrying");

        chat.getByRole(AriaRole.BUTTON, new FrameLocator.GetByRoleOptions().setName("Retry now"))
                .click();
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Through a bad connection");
        assertThat(message).hasAttribute("data-delivery", "sent");
        assertEquals(3, attempts.get(), "one attempt, one retry now, one after the backoff");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
    }

    @Test
    void pageWhenFramedByAnOriginTheKeyDoesNotNameThenChromiumRefusesIt() {
        page.navigate(site.otherOrigin() + "/chat.html");
        page.waitForFunction("() => window.session !== null");
        Frame frame = chatFrame("#chat");
        page.waitForCondition(() -> !frame.url().isEmpty() && !frame.url().equals("about:blank"));
        page.waitForTimeout(500); // the page's markup holds the message box: it would be there by now
        assertEquals(
                0,
                frame.locator("#input").count(),
                "the chat page rendered inside a frame of " + site.otherOrigin() + " (frame at "
                        + frame.url().replaceAll("#.*", "") + ")");
        assertTrue(frame.url().startsWith("chrome-error:"), "Chromium did not refuse the frame");
    }

    @Test
    void widgetScriptWhenOnTheCustomerPageThenIframeWhereItStandsAndAWorkingChat() {
        page.navigate(site.origin() + "/widget.html");
        assertThat(page.locator("#error")).hasCount(0);
        Locator frameElement = page.locator("#slot iframe");
        assertThat(frameElement).hasAttribute("title", "Chat with Acme support");
        assertEquals(
                Boolean.TRUE,
                page.evaluate("() => document.querySelector('#slot script').nextElementSibling"
                        + " === document.querySelector('#slot iframe')"),
                "the iframe is not where the script stands");
        assertEquals(520, frameElement.boundingBox().height, 1.0);
        assertEquals(
                Boolean.FALSE,
                page.evaluate("() => document.querySelector('#slot script').hasAttribute('data-token')"));

        FrameLocator chat = page.frameLocator("#slot iframe");
        awaitOnline(chat);
        send(chat, "Hi from the widget");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Hi from the widget");
        assertThat(chat.locator("#agent-name")).hasText("Support");
        Frame frame = chatFrame("#slot iframe");
        assertTrue(frame.url().matches(".*/embed/agents/support/ses_[A-Za-z0-9_-]+"), frame.url());
    }

    @Test
    void cachedIframeLinkWhenFramedThenRedeemedThemedAndAWorkingChat() {
        page.navigate(site.origin() + "/link.html");
        assertThat(page.locator("#error")).hasCount(0);
        FrameLocator chat = page.frameLocator("#chat");
        assertThat(chat.locator(".msg-start .bubble")).hasText(CustomerSite.START_MESSAGE);
        assertThat(chat.locator("html")).hasAttribute("data-theme", "dark");
        awaitOnline(chat);
        Frame frame = chatFrame("#chat");
        assertEquals(
                CustomerSite.ACCENT,
                frame.evaluate(
                        "() => getComputedStyle(document.documentElement).getPropertyValue('--embed-accent').trim()"));

        send(chat, "What do the docs say?");
        assertThat(chat.locator(".msg-agent .bubble").last()).hasText("You said: What do the docs say?");
        assertTrue(frame.url().matches(Pattern.quote(embed.base() + "/embed/iframe/") + "[A-Za-z0-9_-]+"), frame.url());
        assertFalse(frame.url().contains("eyJ"), "a JWT is in the frame's address");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The page's modules and style came from {@code /embed/assets/{version}/}, every asset that
     * {@code assets.txt} lists was loaded (the modules import each other relatively, so they all
     * carry the version), each once, and each may be cached for good.
     */
    static void assertPageAssetsVersionedAndImmutable(List<Request> requests) {
        List<Request> assets = requests.stream()
                .filter(r -> path(r).contains("/embed/assets/"))
                .toList();
        Pattern versioned = Pattern.compile(".*/embed/assets/([0-9a-f]{12})/([a-z0-9-]+\\.(?:js|css))");
        Set<String> versions = new TreeSet<>();
        List<String> loaded = new ArrayList<>();
        for (Request request : assets) {
            Matcher m = versioned.matcher(path(request));
            assertTrue(m.matches(), "an asset outside /embed/assets/{version}/: " + path(request));
            versions.add(m.group(1));
            loaded.add(m.group(2));
            assertEquals(
                    "public, max-age=31536000, immutable",
                    request.response().headers().get("cache-control"),
                    path(request));
            assertEquals("nosniff", request.response().headers().get("x-content-type-options"), path(request));
        }
        assertEquals(1, versions.size(), "assets of several versions: " + versions);
        assertEquals(new TreeSet<>(listedAssets()), new TreeSet<>(loaded), "the assets the page loaded");
        assertEquals(new TreeSet<>(loaded).size(), loaded.size(), "an asset was loaded twice: " + loaded);
    }

    /** The names in the library's {@code assets.txt}. */
    static List<String> listedAssets() {
        try (var in = HostedPageBrowserIT.class
                .getClassLoader()
                .getResourceAsStream("META-INF/resources/embed/assets/assets.txt")) {
            assertNotNull(in, "assets.txt is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> session() {
        page.waitForFunction("() => window.session !== null");
        @SuppressWarnings("unchecked")
        Map<String, Object> session = (Map<String, Object>) page.evaluate("() => window.session");
        return session;
    }

    private Frame chatFrame(String selector) {
        Frame frame = page.locator(selector).elementHandle().contentFrame();
        assertNotNull(frame, "no frame at " + selector);
        return frame;
    }

    private static void awaitOnline(FrameLocator chat) {
        awaitOnline(chat.locator("#state"));
    }

    private static void awaitOnline(Locator state) {
        assertThat(state).hasAttribute("data-state", "online");
    }

    private static void send(FrameLocator chat, String text) {
        Locator input = chat.locator("#input");
        input.click();
        input.pressSequentially(text);
        input.press("Enter");
    }

    /** A request's path, for messages: never its query or fragment, which could hold a credential. */
    private static String path(Request request) {
        return URI.create(request.url()).getPath();
    }
}
