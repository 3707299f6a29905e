package dev.embed.jaxrs;

import dev.embed.testing.Deployment;
import dev.embed.testing.EventsContract;
import java.util.Map;

/** The JAX-RS adapter serves the same events stream (DESIGN §4): Jersey on a real Jetty 12, through {@code SseEventSink}. */
class JaxrsEventsIT extends EventsContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        return JerseyDeployment.start(configuration);
    }
}
