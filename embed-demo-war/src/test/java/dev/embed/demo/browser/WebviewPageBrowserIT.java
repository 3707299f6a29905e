package dev.embed.demo.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;
import dev.embed.testing.JettyServer;
import dev.embed.testing.Json;
import dev.embed.testing.TestKeys;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code embed.pages.allowTopLevel=true} (DESIGN §6): for a webview that must load the hosted page
 * directly, a top-level visit gets the page and its script runs.
 */
class WebviewPageBrowserIT extends BrowserTest {
    private static CustomerSite site;
    private static JettyServer embed;

    @BeforeAll
    static void startServers() throws Exception {
        site = CustomerSite.start(TestKeys.ACME_KEY);
        embed = EmbedTestServer.start(site, Map.of("embed.pages.allowTopLevel", "true"));
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

    /** A phone's webview: 320 px wide, the page at top level, keyboard and screen reader. */
    @Test
    void pageWhenNarrowThenUsableByKeyboardWithLabelsAndALiveRegion() throws Exception {
        page.setViewportSize(320, 600);
        Map<String, Object> minted = site.mintEmbedUrl(3600, null);
        String token = CustomerSite.tokenOf(minted);
        Response response = page.navigate((String) minted.get("embedUrl"));
        assertEquals(200, response.status(), "the top-level visit was refused");
        awaitOnline(page.locator("#state"));
        assertFalse(page.url().contains(token), "the token is still in the address");
        assertFalse(page.url().contains("#"), page.url());

        assertTrue(
                ((Number) page.evaluate("() => document.documentElement.scrollWidth")).intValue() <= 320,
                "the page scrolls sideways at 320 px");
        Locator input = page.getByLabel("Message");
        Locator send = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send"));
        assertInside(input.boundingBox(), 320);
        assertInside(send.boundingBox(), 320);
        assertThat(page.getByRole(AriaRole.LIST, new Page.GetByRoleOptions().setName("Conversation")))
                .isAttached();

        page.keyboard().press("Tab");
        assertEquals("input", page.evaluate("() => document.activeElement.id"), "Tab does not reach the message box");
        page.keyboard().type("line one");
        page.keyboard().press("Shift+Enter");
        page.keyboard().type("line two");
        assertThat(input).hasValue("line one\nline two");
        assertThat(page.locator(".msg-user")).hasCount(0);

        page.keyboard().press("Enter");
        assertThat(page.locator(".msg-agent .bubble")).hasText("You said: line one\nline two");
        assertThat(page.locator("[aria-live=polite]").first()).containsText("Agent: You said: line one");
        assertEquals("input", page.evaluate("() => document.activeElement.id"), "focus left the message box");
    }

    @Test
    void visitorTokenPageWhenOpenedDirectlyThenItRuns() throws Exception {
        HttpResponse<String> minted = site.visitorToken();
        assertEquals(200, minted.statusCode(), minted.body());
        @SuppressWarnings("unchecked")
        String token =
                (String) ((Map<String, Object>) Json.parseObject(minted.body()).get("data")).get("token");

        Response response = page.navigate(embed.base() + "/embed/agents/support?token=" + token);

        assertEquals(200, response.status());
        awaitOnline(page.locator("#state"));
        assertFalse(page.url().contains(token), "the token is still in the address");
        Locator input = page.locator("#input");
        input.click();
        input.pressSequentially("Straight from the webview");
        input.press("Enter");
        assertThat(page.locator(".msg-agent .bubble")).hasText("You said: Straight from the webview");
    }

    private static void awaitOnline(Locator state) {
        assertThat(state).hasAttribute("data-state", "online");
    }

    private static void assertInside(BoundingBox box, int width) {
        assertNotNull(box, "not rendered");
        assertTrue(
                box.x >= 0 && box.x + box.width <= width,
                "outside the " + width + " px viewport: x=" + box.x + " width=" + box.width);
    }
}
