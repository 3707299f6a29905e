package dev.embed.demo.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.Route;
import dev.embed.testing.JettyServer;
import dev.embed.testing.TestKeys;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hosted page against the real event stream (DESIGN §4, §6, §9; issue 14 part 3), with the
 * default {@code embed.pages.eventStream=true}: a reply shows while the agent writes it ({@link
 * GatedStreamingAgent}, which the test finishes), a stream cut by the network resumes after the
 * last message shown without showing one twice ({@link CuttableProxy} between the browser and the
 * server), and a stream a proxy refuses leaves the page on long polls.
 */
class LiveStreamingBrowserIT extends BrowserTest {
    private static CustomerSite site;
    private static JettyServer embed;
    private static CuttableProxy proxy;

    @BeforeAll
    static void startServers() throws Exception {
        site = CustomerSite.start(TestKeys.ACME_KEY);
        embed = EmbedTestServer.start(site, Map.of("embed.agent", GatedStreamingAgent.class.getName()));
        proxy = CuttableProxy.start(embed.base().getPort());
        site.embedBase("http://127.0.0.1:" + proxy.port() + embed.base().getRawPath());
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (embed != null) {
            embed.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @AfterEach
    void finishReplies() {
        GatedStreamingAgent.finishAll();
    }

    @Test
    void replyWhenTheAgentIsStillWritingThenThePageShowsWhatIsWrittenAndThenTheWholeReplyOnce() {
        List<Request> requests = recordRequests();
        FrameLocator chat = openChat();

        send(chat, "Stream it");
        page.waitForCondition(() -> GatedStreamingAgent.waiting() == 1);
        Locator live = chat.locator(".msg-live .bubble");
        assertThat(live).hasText("Part one of: Stream it");
        assertThat(chat.locator(".msg-live")).hasAttribute("aria-busy", "true");
        assertEquals(1, GatedStreamingAgent.waiting(), "the reply is not finished: the page shows it as written");

        GatedStreamingAgent.finishAll();

        assertThat(chat.locator(".msg-agent .bubble")).hasText(GatedStreamingAgent.replyTo("Stream it"));
        assertThat(chat.locator(".msg-live")).hasCount(0);
        assertThat(chat.locator(".msg-agent")).hasCount(1);
        assertFalse(requests.stream().anyMatch(r -> r.url().contains("wait=")), "the page long-polled");
        Request stream = requests.stream()
                .filter(r -> path(r).endsWith("/events"))
                .findFirst()
                .orElseThrow();
        assertTrue(stream.headers().get("authorization").startsWith("Bearer "), "the stream's credential");
        assertFalse(stream.url().contains("token"), stream.url());
    }

    @Test
    void streamWhenTheNetworkCutsItThenThePageResumesAfterTheLastMessageAndShowsNoneTwice() {
        List<Request> streams = new CopyOnWriteArrayList<>();
        page.onRequest(r -> {
            if (path(r).endsWith("/events")) {
                streams.add(r);
            }
        });
        FrameLocator chat = openChat();
        send(chat, "Before the cut");
        page.waitForCondition(() -> GatedStreamingAgent.waiting() == 1);
        GatedStreamingAgent.finishAll();
        assertThat(chat.locator(".msg-agent .bubble")).hasText(GatedStreamingAgent.replyTo("Before the cut"));
        String replyId = chat.locator(".msg-agent").getAttribute("data-id");
        int before = streams.size();

        proxy.cut();

        page.waitForCondition(() -> streams.size() > before);
        assertEquals(replyId, streams.get(streams.size() - 1).headers().get("last-event-id"));
        send(chat, "After the cut");
        page.waitForCondition(() -> GatedStreamingAgent.waiting() == 1);
        GatedStreamingAgent.finishAll();
        assertThat(chat.locator(".msg .bubble")).hasText(new String[] {
            "Before the cut",
            GatedStreamingAgent.replyTo("Before the cut"),
            "After the cut",
            GatedStreamingAgent.replyTo("After the cut")
        });
        page.waitForTimeout(500);
        assertThat(chat.locator(".msg")).hasCount(4);
    }

    @Test
    void streamWhenAProxyRefusesItThenThePageLongPollsAndWorks() {
        List<Route> refused = new CopyOnWriteArrayList<>();
        page.route(url -> url.endsWith("/events"), route -> {
            refused.add(route);
            route.fulfill(new Route.FulfillOptions()
                    .setStatus(404)
                    .setHeaders(Map.of("Content-Type", "text/html"))
                    .setBody("<h1>Not Found</h1>"));
        });
        List<Request> requests = recordRequests();
        FrameLocator chat = openChat();

        send(chat, "Through a strict proxy");
        page.waitForCondition(() -> GatedStreamingAgent.waiting() == 1);
        GatedStreamingAgent.finishAll();

        assertThat(chat.locator(".msg-agent .bubble")).hasText(GatedStreamingAgent.replyTo("Through a strict proxy"));
        assertThat(chat.locator("#notice")).isHidden();
        assertEquals(1, refused.size(), "one attempt, then long polls");
        assertTrue(requests.stream().anyMatch(r -> r.url().contains("wait=")), "no long poll after the refusal");
    }

    // ------------------------------------------------------------------ helpers

    private FrameLocator openChat() {
        page.navigate(site.origin() + "/chat.html");
        FrameLocator chat = page.frameLocator("#chat");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        return chat;
    }

    private List<Request> recordRequests() {
        List<Request> requests = new CopyOnWriteArrayList<>();
        page.onRequest(requests::add);
        return requests;
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
