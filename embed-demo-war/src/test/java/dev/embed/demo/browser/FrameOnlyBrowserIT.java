package dev.embed.demo.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.RequestOptions;
import dev.embed.testing.JettyServer;
import dev.embed.testing.Json;
import dev.embed.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hosted pages run only inside a frame (DESIGN §6, issue 13 finding 1: session fixation by a
 * direct visit). A link someone was sent, opened directly, gets the 403 page; a copy of the page's
 * HTML opened directly (however it was obtained) does not start: it fetches nothing, redeems
 * nothing and posts nothing. The very same URL in a frame of the customer's site works.
 */
class FrameOnlyBrowserIT extends BrowserTest {
    private static final String REFUSAL = "The chat can only be shown on the site that embeds it.";
    private static final String SCRIPT_REFUSAL = "This chat can only be shown on the site that embeds it.";

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
    void embedUrlWhenOpenedDirectlyThenRefusedWith403AndTheSameUrlWorksInAFrame() throws Exception {
        String embedUrl = (String) site.mintEmbedUrl(3600, null).get("embedUrl");
        List<Request> requests = recordRequests();

        Response response = page.navigate(embedUrl);

        assertEquals(403, response.status());
        assertTrue(
                response.headers().get("content-type").startsWith("text/html"),
                response.headers().get("content-type"));
        assertTrue(response.headers().get("content-security-policy").endsWith("frame-ancestors 'none'"));
        assertThat(page.locator("main p")).containsText(REFUSAL);
        assertEquals(0, page.locator("#input").count(), "the chat is on the page");
        assertNoApiRequest(requests);

        FrameLocator chat = frameOnTheCustomerSite(embedUrl);
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        send(chat, "Framed, it works");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Framed, it works");
    }

    @Test
    void visitorTokenPageWhenOpenedDirectlyThenRefusedWith403AndTheSameUrlWorksInAFrame() throws Exception {
        String url = embed.base() + "/embed/agents/support?token=" + visitorToken();
        List<Request> requests = recordRequests();

        Response response = page.navigate(url);

        assertEquals(403, response.status());
        assertThat(page.locator("main p")).containsText(REFUSAL);
        assertNoApiRequest(requests);

        FrameLocator chat = frameOnTheCustomerSite(url);
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        send(chat, "Hello, visitor here");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Hello, visitor here");
    }

    /**
     * The page's own HTML, obtained as a frame would get it (a proxy, a saved copy) and opened at
     * its real address, top level: the script shows why it does not run, disables the composer,
     * removes the token from the address, and makes no request and posts no message, even when
     * someone forces the form. A flow D link's key is not redeemed: it still works in a frame.
     */
    @ParameterizedTest
    @ValueSource(strings = {"chat", "agents", "iframe"})
    void pageWhenItsHtmlIsOpenedDirectlyThenTheScriptRefusesAndSendsNothing(String flow) throws Exception {
        String url;
        String token;
        switch (flow) {
            case "chat" -> {
                url = (String) site.mintEmbedUrl(3600, null).get("embedUrl");
                token = url.substring(url.indexOf("#token=") + 7);
            }
            case "agents" -> {
                token = visitorToken();
                url = embed.base() + "/embed/agents/support?token=" + token;
            }
            default -> {
                HttpResponse<String> link = site.iframeLink();
                assertEquals(200, link.statusCode(), link.body());
                url = (String) Json.parseObject(link.body()).get("iframe_url");
                token = null;
            }
        }
        String address = url.replaceAll("#.*", "");
        APIResponse html =
                context.request().get(address, RequestOptions.create().setHeader("Sec-Fetch-Dest", "iframe"));
        assertEquals(200, html.status(), "the page itself, as a frame gets it");
        String pagePath = URI.create(address).getPath();
        page.route(
                u -> URI.create(u).getPath().equals(pagePath),
                route -> route.fulfill(new Route.FulfillOptions().setResponse(html)));
        page.addInitScript(
                "window.__posted = [];"
                        + " const post = window.postMessage.bind(window);"
                        + " window.postMessage = (message, ...rest) => { window.__posted.push(message); return post(message, ...rest); };");
        List<Request> requests = recordRequests();

        page.navigate(url);

        assertThat(page.locator("#notice")).hasText(SCRIPT_REFUSAL);
        assertThat(page.locator("#state")).hasAttribute("data-state", "unavailable");
        assertThat(page.locator("#input")).isDisabled();
        assertThat(page.locator("#send")).isDisabled();
        if (token != null) {
            assertFalse(page.url().contains(token), "the token is still in the address");
        }
        page.evaluate("() => { const input = document.getElementById('input'); input.disabled = false;"
                + " input.value = 'Typed into the attacker\\'s session?';"
                + " document.getElementById('send').disabled = false;"
                + " document.getElementById('composer').requestSubmit(); }");
        page.waitForTimeout(1000);
        assertEquals(0, page.locator(".msg").count(), "a message was taken");
        assertNoApiRequest(requests);
        assertEquals(List.of(), page.evaluate("() => window.__posted"), "the page posted a message");

        if ("iframe".equals(flow)) {
            page.unrouteAll();
            FrameLocator chat = frameOnTheCustomerSite(url);
            assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
            assertThat(chat.locator(".msg-start .bubble")).hasText(CustomerSite.START_MESSAGE);
        }
    }

    // ------------------------------------------------------------------ helpers

    private List<Request> recordRequests() {
        List<Request> requests = new CopyOnWriteArrayList<>();
        page.onRequest(requests::add);
        return requests;
    }

    private static void assertNoApiRequest(List<Request> requests) {
        for (Request request : requests) {
            String path = URI.create(request.url()).getPath();
            assertFalse(path.contains("/api/"), "the page called " + request.method() + " " + path);
        }
    }

    /** The customer's page (another origin, allowed to frame the chat) with {@code url} in a frame. */
    private FrameLocator frameOnTheCustomerSite(String url) {
        page.navigate(site.origin() + "/blank.html");
        page.evaluate(
                "url => { const frame = document.createElement('iframe'); frame.id = 'chat'; frame.title = 'Chat';"
                        + " frame.width = 420; frame.height = 560; frame.src = url; document.body.appendChild(frame); }",
                url);
        return page.frameLocator("#chat");
    }

    private static String visitorToken() throws Exception {
        HttpResponse<String> minted = site.visitorToken();
        assertEquals(200, minted.statusCode(), minted.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> data =
                (Map<String, Object>) Json.parseObject(minted.body()).get("data");
        String token = (String) data.get("token");
        assertNotNull(token);
        return token;
    }

    private static void send(FrameLocator chat, String text) {
        Locator input = chat.locator("#input");
        input.click();
        input.pressSequentially(text);
        input.press("Enter");
    }
}
