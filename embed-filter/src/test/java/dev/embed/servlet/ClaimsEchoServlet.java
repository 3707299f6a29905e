package dev.embed.servlet;

import dev.embed.json.Json;
import dev.embed.token.EmbedClaims;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A stand-in endpoint behind {@link EmbedTokenFilter}: answers what the filter exposed. */
public class ClaimsEchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        EmbedClaims claims = (EmbedClaims) request.getAttribute(EmbedTokenFilter.CLAIMS_ATTRIBUTE);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("principal", request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName());
        body.put("sid", claims == null ? null : claims.sessionId());
        body.put("kind", claims == null ? null : claims.kind().claim());
        response.setContentType("application/json");
        response.getWriter().write(Json.write(body));
    }
}
