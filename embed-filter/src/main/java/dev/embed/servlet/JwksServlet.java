package dev.embed.servlet;

import dev.embed.Embed;
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
 * Serves the public verification keys as a JWK Set (RFC 7517 §5) so that other services can
 * verify ES256/RS256 embed tokens. Empty ({@code {"keys": []}}) when only HS256 is configured:
 * shared secrets are never published.
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
public class JwksServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient Embed embed;
    private transient String document;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
        document = Json.write(embed.core().tokens().keys().jwks());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Reply reply = new Reply(
                200,
                Map.of("Cache-Control", "public, max-age=300", "Access-Control-Allow-Origin", "*"),
                "application/jwk-set+json; charset=utf-8",
                document);
        ServletSupport.write(response, reply);
    }
}
