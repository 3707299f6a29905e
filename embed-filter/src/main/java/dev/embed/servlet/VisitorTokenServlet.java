package dev.embed.servlet;

/**
 * The mint endpoint of flow C (DESIGN §3.2), server-to-server: {@code POST
 * /v1/embed-tokens/request} with the API key in the {@code api-secret} header and {@code
 * {"agent_id", "fingerprint"}} answers {@code {"success": true, "data": {"token", "session_id",
 * "expires_in"}}}: a one-hour HS256 visitor token (RFC 7519) for a new session. Every error,
 * including a wrong method or a browser preflight (which gets no CORS allowance), uses the envelope
 * {@code {"success": false, "error": {"code", "message"}}}; mints beyond the per-visitor rate limit
 * answer 429 with {@code Retry-After}.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedVisitorTokens</servlet-name>
 *   <servlet-class>dev.embed.servlet.VisitorTokenServlet</servlet-class>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedVisitorTokens</servlet-name>
 *   <url-pattern>/v1/embed-tokens/request</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public final class VisitorTokenServlet extends DispatchingServlet {
    private static final long serialVersionUID = 1L;
}
