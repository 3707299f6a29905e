package dev.embed.servlet;

/**
 * The hosted chat pages (DESIGN §6) and the scripts a customer's page loads, under {@code /embed/*}:
 *
 * <ul>
 *   <li>{@code /embed/chat/{sessionId}} — flow A's {@code embedUrl}; the page reads {@code
 *       #token=} and removes it from the address
 *   <li>{@code /embed/agents/{agentId}?token=...} — flow C; the page removes {@code token} from the
 *       address
 *   <li>{@code /embed/iframe/{cacheKey}} — flow D; the page redeems the key with {@code POST
 *       /api/v1/iframe/token}
 *   <li>{@code /embed/widget.js}, {@code /embed/sdk.js} (and {@code sdk.d.ts}) — the scripts that
 *       put the chat on a customer's page; {@code /embed/assets/...} — the pages' own files
 * </ul>
 *
 * Pages are frameable only by the origins of the API key that minted the session (CSP Level 3
 * {@code frame-ancestors}), else those of {@code embed.frameAncestors}, and take a fresh credential
 * over {@code postMessage} only from those origins. Other paths answer 404 and methods other than
 * {@code GET} and {@code HEAD} 405, as DESIGN §5 JSON. The files come from the library jar; nothing
 * is built.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedPages</servlet-name>
 *   <servlet-class>dev.embed.servlet.HostedPageServlet</servlet-class>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedPages</servlet-name>
 *   <url-pattern>/embed/*</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public final class HostedPageServlet extends DispatchingServlet {
    private static final long serialVersionUID = 1L;
}
