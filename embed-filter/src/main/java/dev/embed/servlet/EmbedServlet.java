package dev.embed.servlet;

/**
 * The library's other endpoints, which no older servlet name covers:
 *
 * <ul>
 *   <li>{@code DELETE /api/v1/embed-sessions/{sessionId}} (DESIGN §3.4), server-to-server with
 *       {@code Authorization: Bearer sk_...} (RFC 6750 §2.1): ends a session of any flow that a key
 *       of the same tenant minted → 204; another tenant's → 403; unknown → 404
 *   <li>{@code GET /api/v1/openapi.yaml}: the OpenAPI 3.1 document of the HTTP API, when {@code
 *       embed.openapi.enabled=true} (else 404)
 * </ul>
 *
 * Every servlet of the library serves the same endpoint table for the paths it is mapped to: this
 * one may as well be mapped to every library path, in place of the others.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedApi</servlet-name>
 *   <servlet-class>dev.embed.servlet.EmbedServlet</servlet-class>
 *   <async-supported>true</async-supported>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedApi</servlet-name>
 *   <url-pattern>/api/v1/embed-sessions/*</url-pattern>
 *   <url-pattern>/api/v1/openapi.yaml</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public final class EmbedServlet extends DispatchingServlet {
    private static final long serialVersionUID = 1L;
}
