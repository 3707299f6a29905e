package dev.embed.jaxrs;

import dev.embed.testing.Deployment;
import dev.embed.testing.FlowsContract;
import java.util.Map;

/**
 * The JAX-RS adapter keeps the same contract of flows C and D: Jersey on a real Jetty 12, with the
 * application registering nothing of the library but {@link EmbedFeature}.
 */
class JaxrsFlowsIT extends FlowsContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        return JerseyDeployment.start(configuration);
    }
}
