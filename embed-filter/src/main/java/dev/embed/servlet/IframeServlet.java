package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.internal.CorsPolicy;
import dev.embed.internal.Credentials;
import dev.embed.internal.IframeLinkService;
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
 * The endpoints of flow D (DESIGN §3.3), under {@code /api/v1/iframe/*}:
 *
 * <ul>
 *   <li>{@code POST /api/v1/iframe/create}, server-to-server with {@code Authorization: Bearer
 *       sk_...} (it authenticates the key itself; browser preflights get no CORS allowance) →
 *       {@code {"iframe_url", "cache_key", "expires_in"}}
 *   <li>{@code POST /api/v1/iframe/token} with {@code {"cache_key"}}, no API key: the hosted page
 *       trades the key for its JWT → {@code {"token", "session_id", "expires_at", "expires_in",
 *       "settings"}}; unknown, used or expired keys answer the same 404. Like the embed JSON
 *       endpoints (§4) it sends {@code X-Frame-Options: DENY} and {@code Cache-Control:
 *       no-store}, and allows CORS from {@code embed.cors.allowedOrigins}, never with credentials.
 * </ul>
 *
 * The rules live in {@link IframeLinkService}; the JAX-RS adapter serves the same through it.
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
public class IframeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String CREATE_PATH = "/api/v1/iframe/create";
    static final String TOKEN_PATH = "/api/v1/iframe/token";

    private transient Embed embed;
    private transient CorsPolicy cors;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
        cors = new CorsPolicy(embed.core().corsAllowedOrigins());
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String path = ServletSupport.path(request);
        if (CREATE_PATH.equals(path)) {
            create(request, response);
        } else if (TOKEN_PATH.equals(path)) {
            redeem(request, response);
        } else {
            response.setHeader("Cache-Control", "no-store");
            ServletSupport.fail(
                    embed,
                    response,
                    EmbedError.notFound("no iframe endpoint at this path; see " + CREATE_PATH + " and " + TOKEN_PATH));
        }
    }

    private void create(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        response.setHeader("Cache-Control", "no-store");
        ServletSupport.guard(embed, response, "IframeServlet", () -> {
            if ("OPTIONS".equals(request.getMethod())) {
                throw EmbedError.insufficientScope(
                                "this endpoint is server-to-server and allows no cross-origin browser"
                                        + " calls: call it from your backend, which holds the API key")
                        .toException();
            }
            ServletSupport.requireMethod(request, response, "POST");
            String credential = Credentials.bearer(
                    ServletSupport.authorizationHeaders(request), ServletSupport.credentialInQuery(request));
            ApiKey key = embed.core().credentialReader().apiKey(credential);
            Map<String, Object> body =
                    ServletSupport.readJsonObject(request, embed.core().maxBodyBytes());
            Map<String, Object> answer =
                    embed.core().iframeLinks().create(key, body, ServletSupport.baseUrl(embed, request));
            ServletSupport.write(response, Reply.json(200, Json.write(answer)));
        });
    }

    private void redeem(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        CorsPolicy.API_HEADERS.forEach(response::setHeader);
        String origin = request.getHeader("Origin");
        boolean preflight =
                CorsPolicy.isPreflight(request.getMethod(), origin, request.getHeader("Access-Control-Request-Method"));
        cors.headers(origin, preflight).forEach(response::setHeader);
        if (preflight) {
            response.setStatus(cors.allows(origin) ? 204 : 403);
            return;
        }
        ServletSupport.guard(embed, response, "IframeServlet", () -> {
            ServletSupport.requireMethod(request, response, "POST");
            Map<String, Object> body =
                    ServletSupport.readJsonObject(request, embed.core().maxBodyBytes());
            ServletSupport.write(
                    response,
                    Reply.json(200, Json.write(embed.core().iframeLinks().redeem(body))));
        });
    }
}
