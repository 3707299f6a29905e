package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.internal.Credentials;
import dev.embed.token.EmbedClaims;
import dev.embed.token.EmbedPrincipal;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.List;

/**
 * The JAX-RS twin of the servlet {@code EmbedTokenFilter}, name-bound by {@link
 * EmbedTokenRequired}: verifies the bearer embed token of the one {@code Authorization} header
 * (RFC 6750 §2.1), requires it to belong to the {@code {sessionId}} path parameter (403 {@code
 * insufficient_scope} otherwise), and sets a {@link SecurityContext} whose principal is an {@link
 * EmbedPrincipal}. The verified claims are also the request property {@link #CLAIMS_PROPERTY}.
 */
@EmbedTokenRequired
@Priority(Priorities.AUTHENTICATION)
public final class EmbedTokenRequestFilter implements ContainerRequestFilter {
    /** Request property holding the verified {@link EmbedClaims}. */
    public static final String CLAIMS_PROPERTY = EmbedClaims.class.getName();

    private final Embed embed;

    public EmbedTokenRequestFilter(Embed embed) {
        this.embed = embed;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        try {
            String token = Credentials.bearer(headers(request, "Authorization"), credentialInQuery(request));
            EmbedClaims claims = embed.core().credentialReader().embedToken(token);
            String sessionId = request.getUriInfo().getPathParameters().getFirst("sessionId");
            if (sessionId == null) {
                throw EmbedError.notFound("no session in this path").toException();
            }
            Credentials.requireSession(claims, sessionId);
            request.setProperty(CLAIMS_PROPERTY, claims);
            request.setSecurityContext(new TokenSecurityContext(
                    new EmbedPrincipal(claims),
                    request.getSecurityContext() != null
                            && request.getSecurityContext().isSecure()));
        } catch (EmbedException e) {
            request.abortWith(Responses.error(embed.core().errors(), e.error()));
        }
    }

    static List<String> headers(ContainerRequestContext request, String name) {
        List<String> values = request.getHeaders().get(name);
        return values == null ? List.of() : values;
    }

    static boolean credentialInQuery(ContainerRequestContext request) {
        return request.getUriInfo().getQueryParameters().keySet().stream().anyMatch(Credentials::isCredentialParameter);
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
