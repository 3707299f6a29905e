package dev.embed.jaxrs;

import dev.embed.testing.Deployment;
import dev.embed.testing.HostedPageContract;
import java.util.Map;

/**
 * The JAX-RS adapter serves the same hosted pages with the same headers: Jersey on a real Jetty 12,
 * the application registering nothing of the library but {@link EmbedFeature}.
 */
class HostedPageResourceIT extends HostedPageContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        return JerseyDeployment.start(configuration);
    }
}
