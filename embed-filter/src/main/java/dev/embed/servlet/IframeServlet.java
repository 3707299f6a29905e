package dev.embed.servlet;

/**
 * The endpoints of flow D (DESIGN §3.3), under {@code /api/v1/iframe/*}:
 *
 * <ul>
 *   <li>{@code POST /api/v1/iframe/create}, server-to-server with {@code Authorization: Bearer
 *       sk_...} (RFC 6750 §2.1; browser preflights get no CORS allowance) → {@code {"iframe_url",
 *       "cache_key", "expires_in"}}
 *   <li>{@code POST /api/v1/iframe/token} with {@code {"cache_key"}}, no API key: the hosted page
 *       trades the key for a token signed then (RFC 7519) → {@code {"token", "session_id",
 *       "expires_at", "expires_in", "settings"}}; unknown, used or expired keys answer the same
 *       404. Like the embed JSON endpoints (§4) it sends {@code X-Frame-Options: DENY} and {@code
 *       Cache-Control: no-store}, and allows CORS from {@code embed.cors.allowedOrigins}, never
 *       with credentials.
 * </ul>
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedIframe</servlet-name>
 *   <servlet-class>dev.embed.servlet.IframeServlet</servlet-class>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedIframe</servlet-name>
 *   <url-pattern>/api/v1/iframe/*</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public final class IframeServlet extends DispatchingServlet {
    private static final long serialVersionUID = 1L;
}
