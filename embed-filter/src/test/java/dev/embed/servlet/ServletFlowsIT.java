package dev.embed.servlet;

import dev.embed.testing.Deployment;
import dev.embed.testing.FlowsContract;
import dev.embed.testing.JettyServer;
import java.util.Map;

/**
 * The servlet adapter keeps the contract of flows C and D: a real Jetty 12 deploys a {@code
 * web.xml} made of exactly the README's adoption fragment, under {@code /shop}.
 */
class ServletFlowsIT extends FlowsContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        return JettyServer.start(JettyServer.webXml(configuration, ""), "/shop");
    }
}
