package dev.embed.servlet;

import dev.embed.apikey.ApiKey;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The API key check of the server-to-server mint endpoints (DESIGN §3), for the host's own
 * endpoints under {@code /api/v1/spaces/}: {@code Authorization: Bearer sk_...} (RFC 6750 §2.1, one
 * header, never the URL) must name a key of the {@link dev.embed.apikey.ApiKeyStore}; the key's
 * {@link ApiKey} is then the request attribute {@link #API_KEY_ATTRIBUTE}. A browser preflight is
 * refused (403, no {@code Access-Control-Allow-*}): secret keys do not belong in browsers. Refusals
 * are DESIGN §5 JSON with {@code WWW-Authenticate} (RFC 6750 §3).
 *
 * <p>The library's own endpoints under the prefix ({@link MintServlet}'s) pass through it untouched:
 * their servlet checks the key itself, once, so the filter may be left out.
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
public final class ApiKeyFilter extends AdmittingFilter {
    private static final long serialVersionUID = 1L;

    /** Request attribute holding the authenticated {@link ApiKey}. */
    public static final String API_KEY_ATTRIBUTE = ApiKey.class.getName();

    @Override
    HttpServletRequest admitted(HttpServletRequest request, Object caller) {
        request.setAttribute(API_KEY_ATTRIBUTE, caller);
        return request;
    }
}
