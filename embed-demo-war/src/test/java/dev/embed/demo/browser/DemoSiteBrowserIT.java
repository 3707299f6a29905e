package dev.embed.demo.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Frame;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Request;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo as a new user starts it (DESIGN §7): {@code java -jar target/embed-demo.jar}, the
 * artifact the build just packaged, then the customer site at {@code /} in Chromium. Its output
 * goes to {@code target/demo-jar.log} with the printed demo key redacted.
 */
class DemoSiteBrowserIT extends BrowserTest {
    private static final Path JAR = Path.of("target", "embed-demo.jar");
    private static final List<String> OUTPUT = new CopyOnWriteArrayList<>();

    private static Process demo;
    private static int port;

    @BeforeAll
    static void startDemoJar() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the browser tests run after mvn package");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("EMBED_"));
        builder.environment().put("EMBED_PORT", Integer.toString(port));
        builder.environment()
                .put(
                        "EMBED_DATA_DIR",
                        Files.createTempDirectory(Path.of("target").toAbsolutePath(), "demo-site-")
                                .toString());
        demo = builder.start();
        CountDownLatch running = new CountDownLatch(1);
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = lines.readLine()) != null; ) {
                            OUTPUT.add(line.replaceAll("sk_[A-Za-z0-9_-]+", "sk_(redacted)"));
                            if (line.contains("embed demo is running")) {
                                running.countDown();
                            }
                        }
                    } catch (IOException e) {
                        OUTPUT.add("(output ended: " + e.getClass().getSimpleName() + ")");
                    }
                },
                "embed-demo-output");
        reader.setDaemon(true);
        reader.start();
        assertTrue(
                running.await(60, TimeUnit.SECONDS) && demo.isAlive(),
                "java -jar embed-demo.jar did not start:\n" + String.join("\n", OUTPUT));
    }

    @AfterAll
    static void stopDemoJar() throws Exception {
        if (demo != null) {
            demo.destroy();
            if (!demo.waitFor(15, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "demo-jar.log"), OUTPUT);
    }

    @Test
    void customerSiteWhenOpenedThenShowsTheAgentAndARoundTripWorks() {
        List<Request> requests = new CopyOnWriteArrayList<>();
        page.onRequest(requests::add);
        page.navigate("http://localhost:" + port + "/");
        assertThat(page.locator("h1")).hasText("How can we help?");
        FrameLocator chat = page.frameLocator("#agent");
        assertThat(chat.locator("#state")).hasAttribute("data-state", "online");
        assertThat(chat.locator("#agent-name")).hasText("Support");

        Locator input = chat.getByLabel("Message");
        input.click();
        input.pressSequentially("My device does not start. What can I do?");
        input.press("Enter");

        assertThat(chat.locator(".msg-agent .bubble"))
                .containsText("You said: \u201cMy device does not start. What can I do?\u201d");
        assertThat(page.locator("#status")).containsText("Session ses_");
        Frame frame = page.locator("#agent").elementHandle().contentFrame();
        assertFalse(frame.url().contains("token"), "the token is still in the frame's address");
        assertTrue(frame.url().startsWith("http://localhost:" + port + "/embed/chat/ses_"), frame.url());
        // The demo mounts the chat with /embed/sdk.js: its token is handed over, never in a URL.
        assertTrue(requests.stream().anyMatch(r -> r.url().endsWith("/embed/sdk.js")), "the SDK was not loaded");
        String token = requests.stream()
                .map(r -> r.headers().get("authorization"))
                .filter(h -> h != null && h.startsWith("Bearer "))
                .map(h -> h.substring("Bearer ".length()))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("no API call carried a bearer token"));
        for (Request request : requests) {
            assertFalse(
                    request.url().contains(token),
                    "a URL carried the token: " + request.method() + " "
                            + URI.create(request.url()).getPath());
        }
    }
}
