package dev.embed.demo.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Runs the demo WAR on embedded Jetty 12: {@code java -jar embed-demo-war/target/embed-demo.jar}.
 *
 * <p>Environment (DESIGN §7): {@code EMBED_PORT} (default 8080), {@code EMBED_DEMO_API_KEY}
 * (default: generated and printed), {@code EMBED_SIGNING_SECRET} (default: generated, demo only),
 * {@code EMBED_PUBLIC_BASE_URL} (default {@code http://localhost:{port}}), {@code
 * EMBED_FRAME_ANCESTORS}.
 */
public final class DemoLauncher {
    /** System property through which the launcher hands the demo key to the WAR's DemoListener. */
    static final String DEMO_KEY_PROPERTY = "embed.demo.apiKey";

    private DemoLauncher() {}

    public static void main(String[] args) throws Exception {
        int port = port(System.getenv("EMBED_PORT"));
        Server server = start(port);
        URI base = URI.create(System.getProperty("embed.publicBaseUrl"));
        System.out.println();
        System.out.println("embed demo is running");
        System.out.println("  customer site:  " + base + "/");
        System.out.println("  listening on:   port " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
        System.out.println("  demo API key:   " + System.getProperty(DEMO_KEY_PROPERTY)
                + (System.getenv("EMBED_DEMO_API_KEY") == null
                        ? "  (generated; set EMBED_DEMO_API_KEY to choose one)"
                        : ""));
        System.out.println("  try:  curl -s -X POST " + base + "/api/v1/spaces/demo/agents/support/embed-sessions \\");
        System.out.println(
                "          -H 'Authorization: Bearer <demo API key>' -H 'Content-Type: application/json' \\");
        System.out.println("          -d '{\"externalUserId\": \"customer-123\", \"displayName\": \"Kelly\"}'");
        System.out.println("Press Ctrl+C to stop.");
        server.join();
    }

    /** Starts the demo on {@code port} (0: any free port) and returns the running server. */
    public static Server start(int port) throws Exception {
        if (System.getProperty(DEMO_KEY_PROPERTY) == null) {
            String key = System.getenv("EMBED_DEMO_API_KEY");
            System.setProperty(DEMO_KEY_PROPERTY, key != null && !key.isBlank() ? key.strip() : generateKey());
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        // Field values are case-sensitive (RFC 9110): Jetty's header cache otherwise hands a request
        // an earlier request's Authorization value that differs only in letter case (SECURITY.md).
        connector
                .getConnectionFactory(HttpConnectionFactory.class)
                .getHttpConfiguration()
                .setHeaderCacheCaseSensitive(true);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096); // long-polls: the JDK default backlog of 50 drops SYNs under bursts
        server.addConnector(connector);
        WebAppContext context = new WebAppContext();
        context.setContextPath("/");
        context.setWar(extractWar().toString());
        context.setThrowUnavailableOnStartupException(true);
        server.setHandler(context);
        server.setStopAtShutdown(true);
        connector.open();
        int actual = connector.getLocalPort();
        if (System.getenv("EMBED_PUBLIC_BASE_URL") == null && System.getProperty("embed.publicBaseUrl") == null) {
            System.setProperty("embed.publicBaseUrl", "http://localhost:" + actual);
        } else if (System.getProperty("embed.publicBaseUrl") == null) {
            System.setProperty("embed.publicBaseUrl", System.getenv("EMBED_PUBLIC_BASE_URL"));
        }
        server.start();
        return server;
    }

    static int port(String text) {
        if (text == null || text.isBlank()) {
            return 8080;
        }
        try {
            int port = Integer.parseInt(text.strip());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EMBED_PORT must be a port number (0-65535), got '" + text + "'");
        }
    }

    private static String generateKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Path extractWar() throws IOException {
        Path war = Files.createTempFile("embed-demo-", ".war");
        war.toFile().deleteOnExit();
        try (InputStream in = DemoLauncher.class.getResourceAsStream("/embed-demo.war")) {
            if (in == null) {
                throw new IllegalStateException(
                        "embed-demo.war is missing from the launcher jar; rebuild with mvn package");
            }
            Files.copy(in, war, StandardCopyOption.REPLACE_EXISTING);
        }
        return war;
    }
}
