package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.internal.Core;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.util.Objects;

/**
 * Adopts the library in a JAX-RS 3.1 application with one registration: every endpoint of the
 * library's endpoint table (the mint endpoints of DESIGN §3.1, visitor tokens §3.2, cached iframe
 * links §3.3, ending sessions §3.4, the embed JSON endpoints §4, the hosted pages and widget under
 * {@code embed/} §6, the JWKS document of RFC 7517, and the OpenAPI document when enabled), the
 * browser preflights of its prefixes, the checks behind {@link EmbedTokenRequired} and {@link
 * ApiKeyRequired} (name-bound, at {@code Priorities.AUTHENTICATION}) and the mapper of the
 * library's errors. The library writes its own answers (bytes), so the application's JSON provider
 * (Jackson, JSON-B) is never involved. Everything runs over the same {@link Embed} core as the
 * servlet adapter, with the same routes, CORS and cache rules and the same error answers.
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
        Core core = embed.core();
        context.register(new PreflightFilter(core));
        context.register(new EmbedExceptionMapper(core));
        context.register(new StreamHeadersFilter());
        context.register(new ApiKeyRequestFilter(core), Priorities.AUTHENTICATION);
        context.register(new EmbedTokenRequestFilter(core), Priorities.AUTHENTICATION);
        for (Object resource : LibraryResources.all(core)) {
            context.register(resource);
        }
        return true;
    }
}
