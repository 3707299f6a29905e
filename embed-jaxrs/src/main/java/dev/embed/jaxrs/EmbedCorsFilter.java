package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.internal.CorsPolicy;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;

/**
 * The browser-facing rules of DESIGN §3 and §4 for the library's paths only: embed JSON endpoints
 * and flow D's redemption ({@code /api/v1/iframe/token}, called by the hosted page) answer
 * preflights from allowed origins (the {@code Authorization} header, never credentials) and carry
 * {@code X-Frame-Options: DENY}; mint endpoints (flows A–D) give preflights no allowance, flow C's
 * in its {@code {"success": false}} envelope. Paths of the host application are left alone.
 */
@PreMatching
final class EmbedCorsFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final String EMBED_PREFIX = "api/v1/embed/";
    private static final String MINT_PREFIX = "api/v1/spaces/";
    private static final String IFRAME_TOKEN = "api/v1/iframe/token";
    private static final String IFRAME_PREFIX = "api/v1/iframe/";
    private static final String VISITOR_PREFIX = "v1/embed-tokens/";
    private static final String SERVER_TO_SERVER = "mint endpoints are server-to-server and allow no cross-origin"
            + " browser calls: call them from your backend, which holds the API key";

    private final Embed embed;
    private final CorsPolicy cors;

    EmbedCorsFilter(Embed embed) {
        this.embed = embed;
        this.cors = new CorsPolicy(embed.core().corsAllowedOrigins());
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if (!CorsPolicy.isPreflight(
                request.getMethod(), origin, request.getHeaderString("Access-Control-Request-Method"))) {
            return;
        }
        String path = path(request);
        if (path.startsWith(EMBED_PREFIX) || path.equals(IFRAME_TOKEN)) {
            Response.ResponseBuilder answer = Response.status(cors.allows(origin) ? 204 : 403);
            CorsPolicy.API_HEADERS.forEach(answer::header);
            cors.headers(origin, true).forEach(answer::header);
            request.abortWith(answer.build());
        } else if (path.startsWith(MINT_PREFIX) || path.startsWith(IFRAME_PREFIX)) {
            request.abortWith(Responses.error(embed.core().errors(), EmbedError.insufficientScope(SERVER_TO_SERVER)));
        } else if (path.startsWith(VISITOR_PREFIX)) {
            request.abortWith(
                    Responses.of(embed.core().visitorTokens().refuse(EmbedError.insufficientScope(SERVER_TO_SERVER))));
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String path = path(request);
        if (path.startsWith(EMBED_PREFIX) || path.equals(IFRAME_TOKEN)) {
            CorsPolicy.API_HEADERS.forEach(
                    (name, value) -> response.getHeaders().putSingle(name, value));
            cors.headers(request.getHeaderString("Origin"), false)
                    .forEach((name, value) -> response.getHeaders().putSingle(name, value));
        } else if (path.startsWith(MINT_PREFIX) || path.startsWith(IFRAME_PREFIX) || path.startsWith(VISITOR_PREFIX)) {
            response.getHeaders().putSingle("Cache-Control", "no-store");
        }
    }

    private static String path(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return path.startsWith("/") ? path.substring(1) : path;
    }
}
