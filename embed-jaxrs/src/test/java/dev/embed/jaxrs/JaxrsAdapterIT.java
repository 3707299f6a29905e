package dev.embed.jaxrs;

import dev.embed.testing.AdapterContract;
import dev.embed.testing.Deployment;
import java.util.Map;

/**
 * The JAX-RS adapter keeps the same HTTP contract: Jersey on a real Jetty 12, with the
 * application registering nothing of the library but {@link EmbedFeature} (and no JSON provider).
 */
class JaxrsAdapterIT extends AdapterContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration) throws Exception {
        return JerseyDeployment.start(configuration, WhoAmIResource.class);
    }
}
