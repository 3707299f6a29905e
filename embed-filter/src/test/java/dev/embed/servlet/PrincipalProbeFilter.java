package dev.embed.servlet;

import dev.embed.testing.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** Mapped after {@link EmbedTokenFilter} in tests: {@code .../whoami} answers the request's principal. */
public class PrincipalProbeFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!request.getRequestURI().endsWith("/whoami")) {
            chain.doFilter(request, response);
            return;
        }
        response.setContentType("application/json");
        response.getWriter()
                .write(Json.write(Map.of("principal", request.getUserPrincipal().getName())));
    }
}
