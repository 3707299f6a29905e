package dev.embed.servlet;

/**
 * The public verification keys as a JWK Set (RFC 7517 §5) at {@code /.well-known/jwks.json}, so
 * that other services can verify ES256/RS256 embed tokens (RFC 7515). Empty ({@code {"keys": []}})
 * when only HS256 is configured: shared secrets are never published. Any origin may read it.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedJwks</servlet-name>
 *   <servlet-class>dev.embed.servlet.JwksServlet</servlet-class>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedJwks</servlet-name>
 *   <url-pattern>/.well-known/jwks.json</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public final class JwksServlet extends DispatchingServlet {
    private static final long serialVersionUID = 1L;
}
