package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.internal.Credentials;
import dev.embed.internal.Json;
import dev.embed.internal.Reply;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * The mint endpoints of flows A and B (DESIGN §3.1), under {@code /api/v1/spaces/*}:
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
 * Put {@link ApiKeyFilter} in front of it (it authenticates by itself if the filter is missing).
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
public class MintServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "/api/v1/spaces/";

    private transient Embed embed;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        ServletSupport.guard(embed, response, "MintServlet", () -> {
            // {spaceId}/agents/{agentId}/{collection}[/{sessionId}]
            String path = ServletSupport.path(request);
            String[] parts =
                    path.startsWith(PREFIX) ? path.substring(PREFIX.length()).split("/", -1) : new String[0];
            if ((parts.length != 4 && parts.length != 5) || !"agents".equals(parts[1])) {
                throw EmbedError.notFound("no mint endpoint at this path").toException();
            }
            String spaceId = parts[0];
            String agentId = parts[2];
            String collection = parts[3];
            String method = request.getMethod();
            if (parts.length == 4 && ("embed-urls".equals(collection) || "embed-sessions".equals(collection))) {
                requireMethod(method, "POST", response);
                ApiKey key = apiKey(request);
                Map<String, Object> body =
                        ServletSupport.readJsonObject(request, embed.core().maxBodyBytes());
                String base = ServletSupport.baseUrl(embed, request);
                Map<String, Object> answer = "embed-urls".equals(collection)
                        ? embed.core().mint().mintEmbedUrl(key, spaceId, agentId, body, base)
                        : embed.core().mint().mintEmbedSession(key, spaceId, agentId, body, base);
                ServletSupport.write(response, Reply.json(200, Json.write(answer)));
            } else if (parts.length == 5 && "embed-sessions".equals(collection)) {
                requireMethod(method, "DELETE", response);
                embed.core().mint().endSession(apiKey(request), spaceId, agentId, parts[4]);
                ServletSupport.write(response, Reply.noContent());
            } else {
                throw EmbedError.notFound("no mint endpoint at this path").toException();
            }
        });
    }

    private ApiKey apiKey(HttpServletRequest request) {
        Object key = request.getAttribute(ApiKeyFilter.API_KEY_ATTRIBUTE);
        if (key instanceof ApiKey apiKey) {
            return apiKey;
        }
        String credential = Credentials.bearer(
                ServletSupport.authorizationHeaders(request), ServletSupport.credentialInQuery(request));
        return embed.core().credentialReader().apiKey(credential);
    }

    private static void requireMethod(String method, String allowed, HttpServletResponse response) {
        if (!allowed.equals(method)) {
            response.setHeader("Allow", allowed);
            throw EmbedError.methodNotAllowed("use " + allowed + " on this endpoint")
                    .toException();
        }
    }
}
