package dev.embed.demo.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.microsoft.playwright.APIResponse;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hosted page's event-stream client (DESIGN §4 events, issue 14 part 3), against scripted
 * streams: the tests answer the page's stream requests themselves (Playwright routes, held open or
 * answered on cue) with events in the §4 wire format, and check what the page does with them.
 * {@link LiveStreamingBrowserIT} runs the page against the real endpoint; the events contract
 * checks the server side.
 */
class StreamingPageBrowserIT extends BrowserTest {
    private static CustomerSite site;
    private static JettyServer embed;

    @BeforeAll
    static void startServers() throws Exception {
        site = CustomerSite.start(TestKeys.ACME_KEY);
        embed = EmbedTestServer.start(site, Map.of("embed.pages.eventStream", "true"));
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
    void replyWhenWrittenThenShownAsItComesAsTextAndAnnouncedOnceWhenFinished() {
        List<Route> held = new CopyOnWriteArrayList<>();
        List<Request> streams = new CopyOnWriteArrayList<>();
        page.route(url -> url.endsWith("/events"), route -> {
            streams.add(route.request());
            if (streams.size() == 1) {
                route.fulfill(events("retry: 200\n\n"
                        + message("m1", "user", "Tell me")
                        + ": keep-alive\n\n"
                        + delta("m1r", "Hel")
                        + delta("m1r", "lo <b>wor")));
            } else {
                held.add(route);
            }
        });
        page.navigate(site.origin() + "/chat.html");
        FrameLocator chat = page.frameLocator("#chat");

        Locator live = chat.locator(".msg-live .bubble");
        assertThat(live).hasText("Hello <b>wor");
        assertThat(live.locator("b")).hasCount(0);
        assertThat(chat.locator(".msg-live")).hasAttribute("aria-busy", "true");
        assertThat(chat.locator("#typing")).isHidden();
        assertFalse(announcements(chat).contains("Hel"), "a piece was announced: " + announcements(chat));
        page.waitForCondition(() -> held.size() == 1);
        assertEquals("m1", streams.get(1).headers().get("last-event-id"), "the stream did not resume after m1");

        held.get(0)
                .fulfill(events(delta("m1r", "ld</b>")
                        + message("m1r", "assistant", "Hello <b>world</b>")
                        + delta("m1r", " (late)")));

        Locator reply = chat.locator(".msg-agent .bubble");
        assertThat(reply).hasText("Hello <b>world</b>");
        assertThat(chat.locator(".msg-agent")).hasCount(1);
        assertThat(chat.locator(".msg-live")).hasCount(0);
        assertThat(chat.locator(".msg-agent")).not().hasAttribute("aria-busy", "true");
        assertThat(chat.locator(".msg-user .bubble")).hasText("Tell me");
        page.waitForTimeout(500);
        assertEquals(
                1,
                announcements(chat).split("Agent: Hello <b>world</b>", -1).length - 1,
                "announced: " + announcements(chat));
    }

    @Test
    void streamWhenDroppedThenResumesWithLastEventIdAndShowsNoMessageTwice() {
        List<Route> held = new CopyOnWriteArrayList<>();
        List<Request> streams = new CopyOnWriteArrayList<>();
        page.route(url -> url.endsWith("/events"), route -> {
            streams.add(route.request());
            switch (streams.size()) {
                case 1 ->
                    route.fulfill(events("retry: 200\n\n"
                            + message("m1", "user", "First")
                            + delta("m1r", "Fir")
                            + message("m1r", "assistant", "First answer")));
                case 2 ->
                    route.fulfill(
                            events( // the server replays what came after the id it was given, and more
                                    message("m1r", "assistant", "First answer")
                                            + message("m2", "user", "Second")
                                            + message("m2r", "assistant", "Second answer")));
                default -> held.add(route);
            }
        });
        page.navigate(site.origin() + "/chat.html");
        FrameLocator chat = page.frameLocator("#chat");

        assertThat(chat.locator(".msg .bubble"))
                .hasText(new String[] {"First", "First answer", "Second", "Second answer"});
        page.waitForCondition(() -> held.size() == 1);
        assertEquals(null, streams.get(0).headers().get("last-event-id"), "the first stream after an empty history");
        assertEquals("m1r", streams.get(1).headers().get("last-event-id"));
        assertEquals("m2r", streams.get(2).headers().get("last-event-id"));
        page.waitForTimeout(300);
        assertThat(chat.locator(".msg")).hasCount(4);
        assertEquals(1, announcements(chat).split("Agent: First answer", -1).length - 1, announcements(chat));
    }

    @Test
    void streamWhenBufferedByAProxyThenThePageFallsBackToLongPollingAndKeepsWorking() {
        // A proxy that holds the stream: not a byte comes through. The page gives up after
        // eventsIdleSeconds (2 s here instead of 20), twice, and long-polls.
        page.route(url -> URI.create(url).getPath().startsWith("/shop/embed/chat/"), route -> {
            APIResponse original = route.fetch();
            route.fulfill(new Route.FulfillOptions()
                    .setResponse(original)
                    .setBody(original.text().replace("\"eventsIdleSeconds\":20", "\"eventsIdleSeconds\":2")));
        });
        List<Route> held = new CopyOnWriteArrayList<>();
        page.route(url -> url.endsWith("/events"), held::add);
        List<Request> requests = recordRequests();
        page.navigate(site.origin() + "/chat.html");
        FrameLocator chat = page.frameLocator("#chat");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");

        page.waitForCondition(() -> held.size() == 2);
        page.waitForCondition(() -> requests.stream().anyMatch(r -> r.url().contains("wait=")));
        send(chat, "Through a buffering proxy");
        assertThat(chat.locator(".msg-agent .bubble")).hasText("You said: Through a buffering proxy");
        assertEquals(2, held.size(), "the page kept trying the stream");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
    }

    /** The parser in the page, fed the same stream in every way it could be cut into pieces. */
    @Test
    void eventStreamParserWhenTheStreamIsCutAnywhereThenTheSameEvents() {
        page.navigate(site.origin() + "/chat.html");
        FrameLocator chat = page.frameLocator("#chat");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        Object result = page.locator("#chat").elementHandle().contentFrame().evaluate("""
                async () => {
                  const src = document.querySelector('script[type=module]').src;
                  const { EventStreamParser } = await import(new URL('events.js', src));
                  const stream = ': hello\\r\\nevent: message\\r\\nid: m1\\r\\ndata: {"id":"m1",\\r\\ndata: "x":1}\\r\\n\\r\\n'
                    + 'event: delta\\rdata: {"id":"m1r","delta":"a\\\\nb"}\\r\\rdata\\n\\n'
                    + 'retry: 1500\\nevent: ended\\n\\n' + 'data: no blank line at the end';
                  const parse = (pieces) => {
                    const events = [];
                    const retries = [];
                    const parser = new EventStreamParser((e) => events.push(e), (ms) => retries.push(ms));
                    pieces.forEach((p) => parser.push(p));
                    return JSON.stringify({ events, retries });
                  };
                  const whole = parse([stream]);
                  for (let size = 1; size < stream.length; size++) {
                    const pieces = [];
                    for (let i = 0; i < stream.length; i += size) pieces.push(stream.slice(i, i + size));
                    if (parse(pieces) !== whole) return 'differs when cut every ' + size + ': ' + parse(pieces);
                  }
                  return whole;
                }
                """);
        assertEquals(
                "{\"events\":[{\"type\":\"message\",\"data\":\"{\\\"id\\\":\\\"m1\\\",\\n\\\"x\\\":1}\",\"id\":\"m1\"},"
                        + "{\"type\":\"delta\",\"data\":\"{\\\"id\\\":\\\"m1r\\\",\\\"delta\\\":\\\"a\\\\nb\\\"}\",\"id\":null},"
                        + "{\"type\":\"message\",\"data\":\"\",\"id\":null},"
                        + "{\"type\":\"ended\",\"data\":\"\",\"id\":null}],\"retries\":[1500]}",
                result);
    }

    // ------------------------------------------------------------------ helpers

    private static Route.FulfillOptions events(String body) {
        return new Route.FulfillOptions()
                .setStatus(200)
                .setHeaders(Map.of("Content-Type", "text/event-stream", "Cache-Control", "no-cache, no-transform"))
                .setBody(body);
    }

    private static String message(String id, String role, String content) {
        return "event: message\nid: " + id + "\ndata: {\"id\":\"" + id + "\",\"role\":\"" + role + "\",\"content\":\""
                + content.replace("\"", "\\\"") + "\",\"createdAt\":\"2026-01-01T12:00:00.000Z\"}\n\n";
    }

    private static String delta(String id, String delta) {
        return "event: delta\ndata: {\"id\":\"" + id + "\",\"delta\":\"" + delta.replace("\"", "\\\"") + "\"}\n\n";
    }

    private static String announcements(FrameLocator chat) {
        return chat.locator("#announcer").textContent();
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
}
