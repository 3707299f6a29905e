package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.internal.Reply;
import dev.embed.internal.VisitorTokenService;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The mint endpoint of flow C (DESIGN §3.2), server-to-server: {@code POST
 * /v1/embed-tokens/request} with the API key in the {@code api-secret} header and {@code
 * {"agent_id", "fingerprint"}} answers {@code {"success": true, "data": {"token", "session_id",
 * "expires_in"}}}: a one-hour HS256 visitor token for a new session. Every error, including a
 * wrong method or a browser preflight (which gets no CORS allowance), uses the envelope {@code
 * {"success": false, "error": {"code", "message"}}}; mints beyond the per-visitor rate limit answer
 * 429 with {@code Retry-After}. The rules live in {@link VisitorTokenService}; the JAX-RS adapter
 * serves the same through it.
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
public class VisitorTokenServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient Embed embed;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        VisitorTokenService visitors = embed.core().visitorTokens();
        Reply reply;
        if ("POST".equals(request.getMethod())) {
            reply = visitors.request(
                    ServletSupport.headers(request, VisitorTokenService.API_SECRET_HEADER),
                    ServletSupport.credentialInQuery(request),
                    request.getContentType(),
                    request.getContentLengthLong(),
                    request.getInputStream());
        } else if ("OPTIONS".equals(request.getMethod())) {
            reply = visitors.refuse(EmbedError.insufficientScope("this endpoint is server-to-server and allows no"
                    + " cross-origin browser calls: call it from your backend, which holds the API key"));
        } else {
            response.setHeader("Allow", "POST");
            reply = visitors.refuse(EmbedError.methodNotAllowed("use POST on this endpoint"));
        }
        ServletSupport.write(response, reply);
    }
}
