package dev.embed.jaxrs;

import dev.embed.testing.Deployment;
import dev.embed.testing.SecurityContract;
import java.util.Map;

/**
 * The JAX-RS adapter withstands the same attacks: Jersey on a real Jetty 12, the application
 * registering nothing of the library but {@link EmbedFeature}.
 */
class JaxrsSecurityIT extends SecurityContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration, int requestHeaderBytes) throws Exception {
        return JerseyDeployment.start(configuration, requestHeaderBytes, WhoAmIResource.class);
    }
}
