package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.internal.CorsPolicy;
import dev.embed.internal.Credentials;
import dev.embed.token.EmbedClaims;
import dev.embed.token.EmbedPrincipal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * Protects the embed JSON endpoints (DESIGN §4) with embed tokens: the bearer token of the one
 * {@code Authorization} header (RFC 6750 §2.1; never the URL) must verify, and must have been
 * minted for the {@code {sessionId}} of {@code /api/v1/embed/chat-sessions/{sessionId}/...}, both
 * in the path as sent and in the path the container dispatches (else 403 {@code
 * insufficient_scope}). Failures answer per RFC 6750 §3 with {@code WWW-Authenticate}.
 *
 * <p>On success {@code request.getUserPrincipal()} is an {@link EmbedPrincipal} named after the
 * external user, and the request attribute {@link #CLAIMS_ATTRIBUTE} holds the {@link
 * EmbedClaims}. Every answer carries {@code X-Frame-Options: DENY} and {@code Cache-Control:
 * no-store}; CORS allows the {@code Authorization} header from the configured origins and never
 * credentials (cookies).
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
public class EmbedTokenFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    /** Request attribute holding the verified {@link EmbedClaims}. */
    public static final String CLAIMS_ATTRIBUTE = EmbedClaims.class.getName();

    static final String SESSIONS_PATH = "/api/v1/embed/chat-sessions/";

    private transient Embed embed;
    private transient CorsPolicy cors;

    @Override
    public void init(FilterConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
        cors = new CorsPolicy(embed.core().corsAllowedOrigins());
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        CorsPolicy.API_HEADERS.forEach(response::setHeader);
        String origin = request.getHeader("Origin");
        boolean preflight =
                CorsPolicy.isPreflight(request.getMethod(), origin, request.getHeader("Access-Control-Request-Method"));
        cors.headers(origin, preflight).forEach(response::setHeader);
        if (preflight) {
            response.setStatus(cors.allows(origin) ? 204 : 403);
            return;
        }
        ServletSupport.guard(embed, response, "EmbedTokenFilter", () -> {
            String token = Credentials.bearer(
                    ServletSupport.authorizationHeaders(request), ServletSupport.credentialInQuery(request));
            EmbedClaims claims = embed.core().credentialReader().embedToken(token);
            String sessionId = sessionIdOf(ServletSupport.path(request));
            if (sessionId == null) {
                throw EmbedError.notFound("no embed endpoint at this path; see /api/v1/embed/chat-sessions/{sessionId}")
                        .toException();
            }
            Credentials.requireSession(claims, sessionId);
            // The container dispatches the normalised path, which may name another session than the
            // path as sent ("/chat-sessions/A/../B/..."): the token must be for that one too (issue 8).
            String dispatched = sessionIdOf(
                    request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo()));
            Credentials.requireSession(claims, dispatched == null ? "" : dispatched);
            request.setAttribute(CLAIMS_ATTRIBUTE, claims);
            chain.doFilter(new AuthenticatedRequest(request, new EmbedPrincipal(claims)), response);
        });
    }

    /** The {@code {sessionId}} of {@code /api/v1/embed/chat-sessions/{sessionId}[/...]}, or null. */
    static @Nullable String sessionIdOf(String path) {
        if (!path.startsWith(SESSIONS_PATH)) {
            return null;
        }
        int start = SESSIONS_PATH.length();
        int end = path.indexOf('/', start);
        String id = end < 0 ? path.substring(start) : path.substring(start, end);
        return id.isEmpty() ? null : id;
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
