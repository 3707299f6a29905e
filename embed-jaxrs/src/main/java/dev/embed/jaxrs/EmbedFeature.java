package dev.embed.jaxrs;

import dev.embed.Embed;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.util.Objects;

/**
 * Adopts the library in a JAX-RS application with one registration: the mint endpoints (§3.1),
 * visitor tokens (§3.2), cached iframe links (§3.3), the embed JSON endpoints (§4), the hosted
 * chat pages and widget script under {@code embed/} (§6), the JWKS document, the name-bound authentication filters, the
 * mapper of the library's errors and the JSON entity provider (so the application needs no JSON
 * provider). Everything runs over the same {@link Embed} core as the servlet adapter.
 *
 * <pre>{@code
 * // Jersey, in a WAR that also has dev.embed.servlet.EmbedListener in web.xml:
 * public class App extends ResourceConfig {
 *     public App(@Context ServletContext servletContext) {
 *         register(new EmbedFeature(EmbedListener.runtime(servletContext)));
 *     }
 * }
 *
 * // Any JAX-RS runtime, configured from system properties and EMBED_* variables:
 * Embed embed = Embed.fromConfig(EmbedConfig.builder()
 *         .systemProperties(System.getProperties()).environment(System.getenv()).build());
 * register(new EmbedFeature(embed));
 * }</pre>
 */
public final class EmbedFeature implements Feature {
    private final Embed embed;

    public EmbedFeature(Embed embed) {
        this.embed = Objects.requireNonNull(embed, "embed");
    }

    @Override
    public boolean configure(FeatureContext context) {
        context.register(new JsonEntityProvider(embed.core().maxBodyBytes()));
        context.register(new EmbedExceptionMapper(embed));
        context.register(new ApiKeyRequestFilter(embed), Priorities.AUTHENTICATION);
        context.register(new EmbedTokenRequestFilter(embed), Priorities.AUTHENTICATION);
        context.register(new EmbedCorsFilter(embed));
        context.register(new MintResource(embed));
        context.register(new ChatResource(embed));
        context.register(new JwksResource(embed));
        context.register(new HostedPageResource(embed));
        context.register(new VisitorTokenResource(embed));
        context.register(new IframeResource(embed));
        return true;
    }
}
