package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.config.EmbedConfig;
import dev.embed.testing.Deployment;
import dev.embed.testing.OpenApiConformance;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * A JAX-RS application as a user writes one: Jersey on a real Jetty 12 under {@code /shop},
 * registering nothing of the library but {@link EmbedFeature} (and no JSON provider), plus any
 * host resources a contract needs. Closing it checks its answers against the OpenAPI document.
 */
final class JerseyDeployment {
    private JerseyDeployment() {}

    static Deployment start(Map<String, String> configuration, Class<?>... hostResources) throws Exception {
        return start(configuration, new HttpConfiguration().getRequestHeaderSize(), hostResources);
    }

    static Deployment start(Map<String, String> configuration, int requestHeaderBytes, Class<?>... hostResources)
            throws Exception {
        Embed embed = Embed.fromConfig(EmbedConfig.of(configuration));
        ResourceConfig application = new ResourceConfig().register(new EmbedFeature(embed));
        for (Class<?> resource : hostResources) {
            application.register(resource);
        }
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(requestHeaderBytes);
        http.setHeaderCacheCaseSensitive(true); // SECURITY.md: Jetty's default is case-insensitive
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        // The JDK's default listen backlog is 50: thousands of long-polls connecting at once would
        // otherwise wait out TCP's SYN retransmission backoff (1, 2, 4, 8, 16 s).
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/shop");
        ServletHolder jersey = new ServletHolder(new ServletContainer(application));
        jersey.setAsyncSupported(true);
        context.addServlet(jersey, "/*");
        server.setHandler(context);
        server.start();
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/shop");
        return new Deployment() {
            @Override
            public URI base() {
                return base;
            }

            @Override
            public Embed embed() {
                return embed;
            }

            @Override
            public void close() throws Exception {
                server.stop();
                embed.close();
                OpenApiConformance.verify(base, OpenApiConformance.HOST_ENDPOINTS, List.of());
            }
        };
    }
}
