package dev.embed.jaxrs;

import dev.embed.internal.Core;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import java.util.Optional;

/**
 * The API key check of the host's own resources marked {@link ApiKeyRequired}: the core reads
 * {@code Authorization: Bearer sk_...} (a key in the query string is refused) and looks it up by
 * its digest; a refusal is the core's answer. An admitted request gets the {@code ApiKey} as the
 * property {@link ApiKeyRequired#API_KEY_PROPERTY}, and its answer the headers of the library
 * prefix it is under ({@code no-store} under the server-to-server prefixes).
 */
@ApiKeyRequired
@Priority(Priorities.AUTHENTICATION)
final class ApiKeyRequestFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final String HEADERS_PROPERTY = ApiKeyRequestFilter.class.getName() + ".headers";

    private final Core core;

    ApiKeyRequestFilter(Core core) {
        this.core = core;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        JaxrsExchange exchange = JaxrsExchange.kept(request);
        Optional<Core.Admission> admitted = core.admitApiKey(exchange);
        if (admitted.isEmpty()) {
            EmbedTokenRequestFilter.abort(request, exchange);
            return;
        }
        request.setProperty(ApiKeyRequired.API_KEY_PROPERTY, admitted.get().caller());
        request.setProperty(HEADERS_PROPERTY, admitted.get().headers());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        EmbedTokenRequestFilter.addHeaders(request, response, HEADERS_PROPERTY);
    }
}
