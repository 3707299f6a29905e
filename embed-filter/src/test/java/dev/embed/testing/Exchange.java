package dev.embed.testing;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request a contract test sent and the answer it got, as {@link OpenApiRecorder} keeps it for
 * the check against the OpenAPI document ({@link OpenApiConformance}).
 *
 * @param method the request method
 * @param authority the {@code host:port} the request went to
 * @param target the request target as sent: the raw path and query (which may not even be a valid
 *     URI: tests send malformed escapes)
 * @param requestHeaders request header values by lower-case name
 * @param requestBody the request body; empty when there was none or it was too large to keep
 * @param status the answer's status
 * @param responseHeaders answer header values by lower-case name
 * @param responseBody the answer's body ({@code ""} when none)
 * @param malformed whether the request is not valid HTTP/1.1 (an obs-folded header line): the
 *     container answers it, never the library
 */
public record Exchange(
        String method,
        String authority,
        String target,
        Map<String, List<String>> requestHeaders,
        Optional<String> requestBody,
        int status,
        Map<String, List<String>> responseHeaders,
        String responseBody,
        boolean malformed) {

    public Exchange {
        requestHeaders = Map.copyOf(requestHeaders);
        responseHeaders = Map.copyOf(responseHeaders);
    }

    /** The raw path of the target. */
    public String path() {
        int question = target.indexOf('?');
        return question < 0 ? target : target.substring(0, question);
    }

    /** The raw query of the target, or {@code ""}. */
    public String query() {
        int question = target.indexOf('?');
        return question < 0 ? "" : target.substring(question + 1);
    }

    /** Every value of a request header. */
    public List<String> requestHeader(String name) {
        return requestHeaders.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** Every value of an answer header. */
    public List<String> responseHeader(String name) {
        return responseHeaders.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
}
