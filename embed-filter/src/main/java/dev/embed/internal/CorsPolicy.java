package dev.embed.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * CORS for the token-authenticated embed JSON endpoints (DESIGN §4): browsers of the allowed
 * origins may send the {@code Authorization} header; credentials (cookies) are never allowed, so
 * {@code Access-Control-Allow-Credentials} is never sent.
 */
final class CorsPolicy {
    /** Headers every embed JSON answer carries: it is an API, not a page. */
    public static final Map<String, String> API_HEADERS = Map.of(
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Cache-Control", "no-store");

    private final List<String> origins;
    private final boolean any;

    public CorsPolicy(List<String> origins) {
        this.origins = List.copyOf(origins);
        this.any = origins.contains("*");
    }

    public static boolean isPreflight(String method, @Nullable String origin, @Nullable String requestedMethod) {
        return "OPTIONS".equals(method) && origin != null && requestedMethod != null;
    }

    public boolean allows(@Nullable String origin) {
        return origin == null || any || origins.contains(origin);
    }

    /** The CORS headers to add for this origin (none when it is absent or not allowed). */
    public Map<String, String> headers(@Nullable String origin, boolean preflight) {
        if (origin == null || !allows(origin)) {
            return Map.of(); // most calls carry no Origin: nothing to allocate
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Access-Control-Allow-Origin", any ? "*" : origin);
        if (!any) {
            headers.put("Vary", "Origin");
        }
        if (preflight) {
            headers.put("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            headers.put("Access-Control-Allow-Headers", "Authorization, Content-Type");
            headers.put("Access-Control-Max-Age", "600");
        } else {
            headers.put("Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After");
        }
        return headers;
    }
}
