package dev.embed.internal;

import dev.embed.error.EmbedError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders an {@link EmbedError} as the answer of DESIGN §5: a JSON body {@code {"error",
 * "error_description"}}, {@code Cache-Control: no-store}, {@code WWW-Authenticate} on 401 and 403
 * (RFC 6750 §3: {@code realm}, {@code error}, {@code error_description}, {@code scope} in that
 * order; no {@code error} when no credential was sent) and {@code Retry-After} on 429 and 503.
 *
 * <p>The one writer of error answers: both adapters call it.
 */
final class ErrorWriter {
    private final String realm;

    public ErrorWriter(String realm) {
        this.realm = realm;
    }

    /** The §5 answer. */
    public Reply render(EmbedError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.code());
        body.put("error_description", error.description());
        return new Reply(error.status(), headers(error), Reply.JSON_UTF8, Json.write(body));
    }

    /** The flow C envelope of §3.2: {@code {"success": false, "error": {"code", "message"}}}. */
    public Reply renderVisitor(EmbedError error) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("code", error.code());
        inner.put("message", error.description());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", inner);
        return new Reply(error.status(), headers(error), Reply.JSON_UTF8, Json.write(body));
    }

    private Map<String, String> headers(EmbedError error) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", "no-store");
        if (error.status() == 401 || (error.status() == 403 && "insufficient_scope".equals(error.code()))) {
            headers.put("WWW-Authenticate", wwwAuthenticate(error));
        }
        if (error.status() == 429 || (error.status() == 503 && error.retryAfterSeconds() > 0)) {
            headers.put("Retry-After", Long.toString(error.retryAfterSeconds()));
        }
        return headers;
    }

    String wwwAuthenticate(EmbedError error) {
        StringBuilder value =
                new StringBuilder("Bearer realm=\"").append(quote(realm)).append('"');
        if (error.tokenPresented()) {
            value.append(", error=\"").append(error.code()).append('"');
            value.append(", error_description=\"")
                    .append(quote(error.description()))
                    .append('"');
        }
        return value.toString();
    }

    /**
     * RFC 6750 restricts these values to %x20-21 / %x23-5B / %x5D-7E: drop anything else, so a
     * description can never split a header or break the quoting.
     */
    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\\') {
                out.append(c);
            } else if (c == '"') {
                out.append('\'');
            }
        }
        return out.toString();
    }
}
