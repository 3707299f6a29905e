package dev.embed.demo.launcher;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ClassMatcher;
import org.jspecify.annotations.Nullable;

/**
 * Runs the demo WAR on embedded Jetty 12: {@code java -jar embed-demo-war/target/embed-demo.jar}.
 *
 * <p>Environment (DESIGN §7): {@code EMBED_HOST} (listen address, default {@code 127.0.0.1}),
 * {@code EMBED_PORT} (default 8080), {@code EMBED_DATA_DIR} (default {@code ./embed-data}: the
 * demo's key, secret and H2 database), {@code EMBED_DEMO_API_KEY}, {@code EMBED_SIGNING_SECRET},
 * {@code EMBED_STORE}, {@code EMBED_STORE_JDBC_URL} / {@code _USER} / {@code _PASSWORD}, {@code
 * EMBED_AGENT}, {@code EMBED_PUBLIC_BASE_URL} (default {@code http://localhost:{port}}), {@code
 * EMBED_FRAME_ANCESTORS}; the WAR's {@code DemoListener} reads them. The launcher prints where it
 * listens, the data directory, the store and the demo key; never the signing secret.
 */
public final class DemoLauncher {
    /** System property through which a caller may hand the demo key to the WAR's DemoListener. */
    static final String DEMO_KEY_PROPERTY = "embed.demo.apiKey";

    // The WAR's DemoListener leaves these for the launcher (names shared by convention: the WAR's classes are not
    // on the launcher's class path).
    private static final String KEY_ATTRIBUTE = "dev.embed.demo.apiKey";
    private static final String KEY_ORIGIN_ATTRIBUTE = "dev.embed.demo.apiKeyOrigin";
    private static final String DATA_DIR_ATTRIBUTE = "dev.embed.demo.dataDir";
    private static final String STORE_ATTRIBUTE = "dev.embed.demo.store";

    static final String DEFAULT_HOST = "127.0.0.1";

    private DemoLauncher() {}

    public static void main(String[] args) throws Exception {
        String host = host(System.getenv("EMBED_HOST"));
        int port = port(System.getenv("EMBED_PORT"));
        Server server = start(host, port);
        URI base = URI.create(System.getProperty("embed.publicBaseUrl"));
        ServletContext servletContext = ((WebAppContext) server.getHandler()).getServletContext();
        String key = String.valueOf(servletContext.getAttribute(KEY_ATTRIBUTE));
        ServerConnector connector = (ServerConnector) server.getConnectors()[0];
        System.out.println();
        System.out.println("embed demo is running");
        System.out.println("  customer site:  " + base + "/");
        System.out.println("  listening on:   " + hostForUrl(host) + ":" + connector.getLocalPort()
                + "  (EMBED_HOST, EMBED_PORT)");
        System.out.println("  data:           " + servletContext.getAttribute(DATA_DIR_ATTRIBUTE)
                + "  (EMBED_DATA_DIR: the demo key, its signing secret and its H2 database)");
        System.out.println("  store:          " + servletContext.getAttribute(STORE_ATTRIBUTE)
                + "  (EMBED_STORE, EMBED_STORE_JDBC_URL)");
        System.out.println(
                "  demo API key:   " + key + "  (" + servletContext.getAttribute(KEY_ORIGIN_ATTRIBUTE) + ")");
        System.out.println("  try:  curl -s -X POST " + base + "/api/v1/spaces/demo/agents/support/embed-sessions \\");
        System.out.println("          -H 'Authorization: Bearer " + key + "' -H 'Content-Type: application/json' \\");
        System.out.println("          -d '{\"externalUserId\": \"customer-123\", \"displayName\": \"Kelly\"}'");
        System.out.println("Press Ctrl+C to stop.");
        server.join();
    }

    /** Starts the demo on {@code host}:{@code port} (0: any free port) and returns the running server. */
    public static Server start(String host, int port) throws Exception {
        String key = System.getenv("EMBED_DEMO_API_KEY");
        if (System.getProperty(DEMO_KEY_PROPERTY) == null && key != null && !key.isBlank()) {
            System.setProperty(DEMO_KEY_PROPERTY, key.strip());
        }
        // The WAR's DemoListener: the launcher prints the start-up lines, not the listener.
        System.setProperty("embed.demo.launcher", "true");
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        // Field values are case-sensitive (RFC 9110): Jetty's header cache otherwise hands a request
        // an earlier request's Authorization value that differs only in letter case (SECURITY.md).
        connector
                .getConnectionFactory(HttpConnectionFactory.class)
                .getHttpConfiguration()
                .setHeaderCacheCaseSensitive(true);
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096); // long-polls: the JDK default backlog of 50 drops SYNs under bursts
        server.addConnector(connector);
        WebAppContext context = new WebAppContext();
        context.setContextPath("/");
        context.setWar(extractWar().toString());
        context.setThrowUnavailableOnStartupException(true);
        // One SLF4J for the server and the WAR: the WAR's libraries (jose4j, HikariCP, LangChain4j) log through the
        // launcher's SLF4J and its Jetty provider. Left to itself, the WAR's own slf4j-api finds that provider
        // listed but hidden from web applications, and prints "No SLF4J providers were found".
        context.addProtectedClassMatcher(new ClassMatcher("org.slf4j."));
        context.addHiddenClassMatcher(new ClassMatcher("-org.eclipse.jetty.logging."));
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

    /** The listen address: {@code EMBED_HOST}, else {@value #DEFAULT_HOST} (this machine only). */
    static String host(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_HOST;
        }
        String host = text.strip();
        if (!host.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
            throw new IllegalArgumentException(
                    "EMBED_HOST must be an address or host name to listen on (e.g. 127.0.0.1 or 0.0.0.0), got '" + text
                            + "'");
        }
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static int port(@Nullable String text) {
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

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
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
