package dev.embed.servlet;

/**
 * The embed JSON endpoints of DESIGN §4, under {@code /api/v1/embed/*}, for browsers and devices
 * holding an embed token ({@code Authorization: Bearer}, RFC 6750 §2.1, for the path's session):
 *
 * <ul>
 *   <li>{@code POST /api/v1/embed/chat-sessions/{sessionId}/messages} with {@code {"message",
 *       "mode"?}} → {@code 202 {"messageId", "sessionId", "createdAt", "status": "accepted"}}; the
 *       agent answers asynchronously
 *   <li>{@code GET /api/v1/embed/chat-sessions/{sessionId}?after=&before=&limit=&wait=} → {@code
 *       200 {"sessionId", "status", "messages": [...], "hasMore"}}; with {@code wait} (at most 30)
 *       it long-polls with Servlet async, holding no thread
 * </ul>
 *
 * It checks the token itself; {@link EmbedTokenFilter} in front of it is for the host's own
 * endpoints under the prefix. Both need {@code <async-supported>true</async-supported>}: without it
 * a long poll answers 500 and the log says why.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>embedChat</servlet-name>
 *   <servlet-class>dev.embed.servlet.ChatServlet</servlet-class>
 *   <async-supported>true</async-supported>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>embedChat</servlet-name>
 *   <url-pattern>/api/v1/embed/*</url-pattern>
 * </servlet-mapping>
 * }</pre>
 */
public final class ChatServlet extends DispatchingServlet {
    private static final long serialVersionUID = 1L;
}
