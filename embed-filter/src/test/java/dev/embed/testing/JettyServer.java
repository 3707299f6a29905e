package dev.embed.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 on a free loopback port serving a web application described by a {@code
 * web.xml}, the way a legacy WAR is deployed. The library classes come from the test class path.
 */
public final class JettyServer implements Deployment {
    private final Server server;
    private final WebAppContext context;
    private final URI base;

    private JettyServer(Server server, WebAppContext context, URI base) {
        this.server = server;
        this.context = context;
        this.base = base;
    }

    /** Deploys {@code webXml} (the whole descriptor) at {@code contextPath} and starts the server. */
    public static JettyServer start(String webXml, String contextPath) throws Exception {
        Path dir = Files.createTempDirectory("embed-webapp");
        Files.createDirectories(dir.resolve("WEB-INF"));
        Files.writeString(dir.resolve("WEB-INF/web.xml"), webXml);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        // The JDK's default listen backlog is 50: thousands of long-polls connecting at once would
        // otherwise wait out TCP's SYN retransmission backoff (1, 2, 4, 8, 16 s).
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        WebAppContext context = new WebAppContext();
        context.setContextPath(contextPath);
        context.setBaseResourceAsPath(dir);
        context.setDescriptor(dir.resolve("WEB-INF/web.xml").toString());
        context.setParentLoaderPriority(true);
        context.setThrowUnavailableOnStartupException(true);
        server.setHandler(context);
        server.start();
        String path = "/".equals(contextPath) ? "" : contextPath;
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
        return new JettyServer(server, context, base);
    }

    /** The application's base URI (with its context path, without a trailing slash). */
    @Override
    public URI base() {
        return base;
    }

    @Override
    public URI uri(String path) {
        return URI.create(base + path);
    }

    /** The runtime the web application started (its {@code Embed} context attribute). */
    @Override
    public dev.embed.Embed embed() {
        return (dev.embed.Embed) attribute(dev.embed.Embed.ATTRIBUTE);
    }

    public Object attribute(String name) {
        return context.getServletContext().getAttribute(name);
    }

    public Server server() {
        return server;
    }

    /** Stops the server, then checks its answers against the OpenAPI document ({@link OpenApiConformance}). */
    @Override
    public void close() throws Exception {
        server.stop();
        OpenApiConformance.verify(base);
    }

    /**
     * A complete {@code web.xml} around the README's adoption fragment, with these context-params
     * and any extra elements (test servlets).
     */
    public static String webXml(Map<String, String> contextParams, String extraElements) throws IOException {
        StringBuilder xml = new StringBuilder();
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\"\n")
                .append("         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("         xsi:schemaLocation=\"https://jakarta.ee/xml/ns/jakartaee")
                .append(" https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd\"\n")
                .append("         version=\"6.0\">\n");
        contextParams.forEach((name, value) -> xml.append("  <context-param><param-name>")
                .append(name)
                .append("</param-name><param-value>")
                .append(escape(value))
                .append("</param-value></context-param>\n"));
        xml.append(Readme.webXmlFragment()).append('\n');
        xml.append(extraElements).append('\n');
        xml.append("</web-app>\n");
        return xml.toString();
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
