package dev.embed.servlet;

import dev.embed.token.EmbedClaims;
import dev.embed.token.EmbedPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/**
 * The embed token check of the embed JSON endpoints (DESIGN §4), for the host's own endpoints under
 * {@code /api/v1/embed/chat-sessions/{sessionId}/}: the bearer token of the one {@code
 * Authorization} header (RFC 6750 §2.1; never the URL) must verify (RFC 7519, RFC 7515) and must
 * have been minted for the {@code {sessionId}} of the path, both as sent and as the container
 * dispatches it (else 403 {@code insufficient_scope}). Refusals answer per RFC 6750 §3 with {@code
 * WWW-Authenticate}.
 *
 * <p>On success {@code request.getUserPrincipal()} is an {@link EmbedPrincipal} named after the
 * external user, and the request attribute {@link #CLAIMS_ATTRIBUTE} holds the {@link EmbedClaims}.
 * Answers carry {@code X-Frame-Options: DENY} and {@code Cache-Control: no-store}; CORS allows the
 * {@code Authorization} header from {@code embed.cors.allowedOrigins} and never credentials
 * (cookies); preflights are answered here. The library's own endpoints ({@link ChatServlet}'s) pass
 * through untouched: their servlet checks the token itself, once.
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>embedToken</filter-name>
 *   <filter-class>dev.embed.servlet.EmbedTokenFilter</filter-class>
 *   <async-supported>true</async-supported>
 * </filter>
 * <filter-mapping>
 *   <filter-name>embedToken</filter-name>
 *   <url-pattern>/api/v1/embed/*</url-pattern>
 * </filter-mapping>
 * }</pre>
 */
public final class EmbedTokenFilter extends AdmittingFilter {
    private static final long serialVersionUID = 1L;

    /** Request attribute holding the verified {@link EmbedClaims}. */
    public static final String CLAIMS_ATTRIBUTE = EmbedClaims.class.getName();

    @Override
    HttpServletRequest admitted(HttpServletRequest request, Object caller) {
        EmbedClaims claims = (EmbedClaims) caller;
        request.setAttribute(CLAIMS_ATTRIBUTE, claims);
        return new AuthenticatedRequest(request, new EmbedPrincipal(claims));
    }

    private static final class AuthenticatedRequest extends HttpServletRequestWrapper {
        private final EmbedPrincipal principal;

        AuthenticatedRequest(HttpServletRequest request, EmbedPrincipal principal) {
            super(request);
            this.principal = principal;
        }

        @Override
        public Principal getUserPrincipal() {
            return principal;
        }

        @Override
        public String getRemoteUser() {
            return principal.getName();
        }

        @Override
        public String getAuthType() {
            return "Bearer";
        }

        @Override
        public boolean isUserInRole(String role) {
            return false;
        }
    }
}
