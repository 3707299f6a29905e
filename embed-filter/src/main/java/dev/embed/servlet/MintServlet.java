package dev.embed.servlet;

/**
 * The mint endpoints of flows A and B (DESIGN §3.1), server-to-server with {@code Authorization:
 * Bearer sk_...} (RFC 6750 §2.1), under {@code /api/v1/spaces/*}:
 *
 * <ul>
 *   <li>{@code POST /api/v1/spaces/{spaceId}/agents/{agentId}/embed-urls} → {@code {"embedUrl",
 *       "sessionId", "expiresAt"}}
 *   <li>{@code POST /api/v1/spaces/{spaceId}/agents/{agentId}/embed-sessions} → {@code {"token",
 *       "sessionId", "expiresAt", "embedApi"}}
 *   <li>{@code DELETE /api/v1/spaces/{spaceId}/agents/{agentId}/embed-sessions/{sessionId}} → 204;
 *       every token of the session answers 401 from then on
 * </ul>
 *
 * It checks the API key itself; {@link ApiKeyFilter} in front of it is for the host's own
 * endpoints under the prefix. Errors are DESIGN §5 JSON; a browser preflight is refused.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedMint</servlet-name>
 *   <servlet-class>dev.embed.servlet.MintServlet</servlet-class>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedMint</servlet-name>
 *   <url-pattern>/api/v1/spaces/*</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public final class MintServlet extends DispatchingServlet {
    private static final long serialVersionUID = 1L;
}
