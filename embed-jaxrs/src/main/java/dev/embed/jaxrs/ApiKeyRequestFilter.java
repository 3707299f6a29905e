package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedException;
import dev.embed.internal.Credentials;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;

/**
 * Authenticates the mint endpoints ({@link ApiKeyRequired}) with {@code Authorization: Bearer
 * sk_...}; the {@link ApiKey} becomes the request property {@link #API_KEY_PROPERTY}. A key in the
 * query string is refused.
 */
@ApiKeyRequired
@Priority(Priorities.AUTHENTICATION)
public final class ApiKeyRequestFilter implements ContainerRequestFilter {
    /** Request property holding the authenticated {@link ApiKey}. */
    public static final String API_KEY_PROPERTY = ApiKey.class.getName();

    private final Embed embed;

    public ApiKeyRequestFilter(Embed embed) {
        this.embed = embed;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        try {
            String credential = Credentials.bearer(
                    EmbedTokenRequestFilter.headers(request, "Authorization"),
                    EmbedTokenRequestFilter.credentialInQuery(request));
            request.setProperty(
                    API_KEY_PROPERTY, embed.core().credentialReader().apiKey(credential));
        } catch (EmbedException e) {
            request.abortWith(Responses.error(embed.core().errors(), e.error()));
        }
    }
}
