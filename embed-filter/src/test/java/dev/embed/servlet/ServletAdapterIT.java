package dev.embed.servlet;

import dev.embed.testing.AdapterContract;
import dev.embed.testing.Deployment;
import dev.embed.testing.JettyServer;
import java.util.Map;

/**
 * The servlet adapter keeps the HTTP contract: a real Jetty 12 deploys a {@code web.xml} made of
 * exactly the README's adoption fragment, under {@code /shop}.
 */
class ServletAdapterIT extends AdapterContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        String probe = "<filter><filter-name>probe</filter-name><filter-class>" + PrincipalProbeFilter.class.getName()
                + "</filter-class><async-supported>true</async-supported></filter>"
                + "<filter-mapping><filter-name>probe</filter-name><url-pattern>/api/v1/embed/*</url-pattern></filter-mapping>";
        return JettyServer.start(JettyServer.webXml(configuration, probe), "/shop");
    }
}
