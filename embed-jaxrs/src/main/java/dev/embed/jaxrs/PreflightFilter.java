package dev.embed.jaxrs;

import dev.embed.internal.Core;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * Browser preflights ({@code OPTIONS}) under the library's prefixes, the host's own resources there
 * included, answered before matching by the core's CORS rule (DESIGN §3, §4): allowed origins of
 * the embed JSON endpoints get their allowance, server-to-server prefixes a 403. Every other
 * request passes untouched.
 */
@PreMatching
final class PreflightFilter implements ContainerRequestFilter {
    private final Core core;

    PreflightFilter(Core core) {
        this.core = core;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!"OPTIONS".equals(request.getMethod())) {
            return;
        }
        JaxrsExchange exchange = JaxrsExchange.kept(request);
        if (core.preflight(exchange)) {
            EmbedTokenRequestFilter.abort(request, exchange);
        }
    }
}
