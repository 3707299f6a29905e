package dev.embed.servlet;

import dev.embed.testing.Deployment;
import dev.embed.testing.EventsContract;
import dev.embed.testing.JettyServer;
import java.util.Map;

/** The servlet adapter serves the events stream of DESIGN §4: Jetty 12 with the README's {@code web.xml}. */
class ServletEventsIT extends EventsContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        return JettyServer.start(JettyServer.webXml(configuration, ""), "/shop");
    }
}
