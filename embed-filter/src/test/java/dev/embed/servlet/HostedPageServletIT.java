package dev.embed.servlet;

import dev.embed.testing.Deployment;
import dev.embed.testing.HostedPageContract;
import dev.embed.testing.JettyServer;
import java.util.Map;

/**
 * The servlet adapter keeps the hosted pages' contract: a real Jetty 12 deploys a {@code web.xml}
 * made of exactly the README's adoption fragment, under {@code /shop}.
 */
class HostedPageServletIT extends HostedPageContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        return JettyServer.start(JettyServer.webXml(configuration, ""), "/shop");
    }
}
