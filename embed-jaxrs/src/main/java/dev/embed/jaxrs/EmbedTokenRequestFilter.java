package dev.embed.jaxrs;

import dev.embed.internal.Core;
import dev.embed.token.EmbedClaims;
import dev.embed.token.EmbedPrincipal;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The token check of the host's own resources marked {@link EmbedTokenRequired}: the core verifies
 * the bearer embed token (RFC 6750 §2.1) and binds it to the {@code {sessionId}} path parameter
 * (and, under {@code api/v1/embed/chat-sessions/}, to the session the path names); a refusal is the
 * core's answer. An admitted request gets a {@link SecurityContext} whose principal is an {@link
 * EmbedPrincipal}, the claims as the property {@link EmbedTokenRequired#CLAIMS_PROPERTY}, and its
 * answer the headers of the library prefix it is under (CORS, {@code no-store}).
 */
@EmbedTokenRequired
@Priority(Priorities.AUTHENTICATION)
final class EmbedTokenRequestFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final String HEADERS_PROPERTY = EmbedTokenRequestFilter.class.getName() + ".headers";

    private final Core core;

    EmbedTokenRequestFilter(Core core) {
        this.core = core;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        JaxrsExchange exchange = JaxrsExchange.kept(request);
        Optional<Core.Admission> admitted = core.admitEmbedToken(
                exchange, request.getUriInfo().getPathParameters().getFirst("sessionId"));
        if (admitted.isEmpty()) {
            abort(request, exchange);
            return;
        }
        EmbedClaims claims = (EmbedClaims) Objects.requireNonNull(admitted.get().caller());
        request.setProperty(EmbedTokenRequired.CLAIMS_PROPERTY, claims);
        request.setProperty(HEADERS_PROPERTY, admitted.get().headers());
        SecurityContext before = request.getSecurityContext();
        request.setSecurityContext(
                new TokenSecurityContext(new EmbedPrincipal(claims), before != null && before.isSecure()));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        addHeaders(request, response, HEADERS_PROPERTY);
    }

    /** Adds the admission's headers, kept under {@code property}, to the answer. */
    @SuppressWarnings("unchecked")
    static void addHeaders(ContainerRequestContext request, ContainerResponseContext response, String property) {
        if (request.getProperty(property) instanceof Map<?, ?> headers) {
            ((Map<String, String>) headers)
                    .forEach((name, value) -> response.getHeaders().putSingle(name, value));
        }
    }

    /** Stops the request with the answer the core gave through {@code exchange}. */
    static void abort(ContainerRequestContext request, JaxrsExchange exchange) {
        jakarta.ws.rs.core.Response answer = exchange.response();
        if (answer == null) {
            throw new IllegalStateException("the library refused the request without an answer");
        }
        request.abortWith(answer);
    }

    private static final class TokenSecurityContext implements SecurityContext {
        private final EmbedPrincipal principal;
        private final boolean secure;

        TokenSecurityContext(EmbedPrincipal principal, boolean secure) {
            this.principal = principal;
            this.secure = secure;
        }

        @Override
        public Principal getUserPrincipal() {
            return principal;
        }

        @Override
        public boolean isUserInRole(String role) {
            return false;
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return "Bearer";
        }
    }
}
