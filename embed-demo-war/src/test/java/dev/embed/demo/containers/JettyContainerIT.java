package dev.embed.demo.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ContainerSuite} on embedded Jetty 12, the way the README runs the demo: {@code java -jar
 * target/embed-demo.jar} (the launcher and the WAR the build packaged), in its own process, at the
 * context path {@code /}, with {@code EMBED_PORT}, {@code EMBED_DEMO_API_KEY} and {@code
 * EMBED_SIGNING_SECRET}, on the demo's default store (an H2 file under {@code EMBED_DATA_DIR}). Its output goes to {@code target/jetty.log} with the secrets redacted.
 */
class JettyContainerIT extends ContainerSuite {
    private static final Path JAR = Path.of("target", "embed-demo.jar");
    private static final DemoSecrets SECRETS = DemoSecrets.generate();

    private static ContainerProcess jetty;
    private static URI base;

    @BeforeAll
    static void startJetty() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the container tests run after mvn package");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // The launcher's own default public base URL: http://localhost:{port}.
        base = URI.create("http://localhost:" + port);
        jetty = ContainerProcess.start(
                "jetty",
                List.of(ContainerProcess.java(), "-jar", JAR.toString()),
                Path.of("."),
                Map.of(
                        // The demo's default store: an H2 file in its data directory (here under target/)
                        "EMBED_DATA_DIR",
                        Files.createTempDirectory(Path.of("target").toAbsolutePath(), "jetty-data-")
                                .toString(),
                        "EMBED_PORT",
                        Integer.toString(port),
                        "EMBED_DEMO_API_KEY",
                        SECRETS.apiKey(),
                        "EMBED_SIGNING_SECRET",
                        SECRETS.signingSecret()),
                Path.of("target", "jetty.log"),
                SECRETS);
        jetty.awaitReady(URI.create(base + "/.well-known/jwks.json"), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopJetty() throws Exception {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Override
    protected URI baseUrl() {
        return base;
    }

    @Override
    protected String apiKey() {
        return SECRETS.apiKey();
    }
}
