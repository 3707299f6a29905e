package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.internal.Credentials;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Authenticates the server-to-server mint endpoints with an API key sent as {@code
 * Authorization: Bearer sk_...} (DESIGN §3). The key's {@link ApiKey} is put in the request
 * attribute {@link #API_KEY_ATTRIBUTE}.
 *
 * <p>Browser preflights get no {@code Access-Control-Allow-*} answer: secret keys do not belong in
 * browsers. A key in the query string is refused (URLs are logged).
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>embedApiKey</filter-name>
 *   <filter-class>dev.embed.servlet.ApiKeyFilter</filter-class>
 * </filter>
 * <filter-mapping>
 *   <filter-name>embedApiKey</filter-name>
 *   <url-pattern>/api/v1/spaces/*</url-pattern>
 * </filter-mapping>
 * }</pre>
 */
public class ApiKeyFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    /** Request attribute holding the authenticated {@link ApiKey}. */
    public static final String API_KEY_ATTRIBUTE = ApiKey.class.getName();

    private transient Embed embed;

    @Override
    public void init(FilterConfig config) throws ServletException {
        super.init(config);
        embed = ServletSupport.runtime(config);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("Cache-Control", "no-store");
        ServletSupport.guard(embed, response, "ApiKeyFilter", () -> {
            if ("OPTIONS".equals(request.getMethod())) {
                throw EmbedError.insufficientScope(
                                "mint endpoints are server-to-server and allow no cross-origin browser"
                                        + " calls: call them from your backend, which holds the API key")
                        .toException();
            }
            String credential = Credentials.bearer(
                    ServletSupport.authorizationHeaders(request), ServletSupport.credentialInQuery(request));
            request.setAttribute(
                    API_KEY_ATTRIBUTE, embed.core().credentialReader().apiKey(credential));
            chain.doFilter(request, response);
        });
    }
}
