package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.config.EmbedConfig;
import dev.embed.testing.Deployment;
import dev.embed.testing.SecurityContract;
import java.net.URI;
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
 * The JAX-RS adapter withstands the same attacks: Jersey on a real Jetty 12, the application
 * registering nothing of the library but {@link EmbedFeature}.
 */
class JaxrsSecurityIT extends SecurityContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration, int requestHeaderBytes) throws Exception {
        Embed embed = Embed.fromConfig(EmbedConfig.of(configuration));
        ResourceConfig application = new ResourceConfig()
                .register(new EmbedFeature(embed))
                .register(WhoAmIResource.class);
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(requestHeaderBytes);
        http.setHeaderCacheCaseSensitive(true); // SECURITY.md
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
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
            }
        };
    }
}
