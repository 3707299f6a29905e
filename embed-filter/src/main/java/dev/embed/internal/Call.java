package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.token.EmbedClaims;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request to a row of the endpoint table, as its handler sees it: the path's parameters, the
 * query, the authenticated caller, the body, and where the application is (the base URL rule:
 * {@code embed.publicBaseUrl}, else the request's own scheme, host, port and context path).
 */
final class Call {
    private final Exchange exchange;
    private final Map<String, String> params;
    private final Query query;
    private final @Nullable ApiKey apiKey;
    private final @Nullable EmbedClaims claims;
    private final int maxBodyBytes;
    private final String publicBaseUrl;

    Call(
            Exchange exchange,
            Map<String, String> params,
            Query query,
            @Nullable ApiKey apiKey,
            @Nullable EmbedClaims claims,
            int maxBodyBytes,
            String publicBaseUrl) {
        this.exchange = exchange;
        this.params = params;
        this.query = query;
        this.apiKey = apiKey;
        this.claims = claims;
        this.maxBodyBytes = maxBodyBytes;
        this.publicBaseUrl = publicBaseUrl;
    }

    Exchange exchange() {
        return exchange;
    }

    /** A {@code {name}} of the row's path, as sent. */
    String param(String name) {
        return Objects.requireNonNull(params.get(name), name);
    }

    /** The first value of a query parameter, decoded, or null. */
    @Nullable
    String query(String name) {
        return query.first(name);
    }

    /** The API key of a row authenticated by one. */
    ApiKey apiKey() {
        return Objects.requireNonNull(apiKey, "a row authenticated by an API key");
    }

    /** The verified claims of a row authenticated by an embed token. */
    EmbedClaims claims() {
        return Objects.requireNonNull(claims, "a row authenticated by an embed token");
    }

    /** The body: one JSON object ({@link JsonBodies}: 415, 413 and 400 as DESIGN §5 says). */
    Map<String, Object> jsonBody() throws IOException {
        return JsonBodies.readObject(
                exchange.header("Content-Type"), exchange.contentLength(), exchange.body(), maxBodyBytes);
    }

    /** The URL browsers reach the application at, without a trailing slash. */
    String baseUrl() {
        return baseUrl(publicBaseUrl, exchange);
    }

    /** The path of {@link #baseUrl()}: where a hosted page finds the endpoints. */
    String basePath() {
        return publicBaseUrl.isEmpty()
                ? exchange.contextPath()
                : java.net.URI.create(publicBaseUrl).getRawPath();
    }

    /** {@code embed.publicBaseUrl} when set, else scheme://host[:port]/context of the request. */
    static String baseUrl(String publicBaseUrl, Exchange exchange) {
        if (!publicBaseUrl.isEmpty()) {
            return publicBaseUrl;
        }
        String scheme = exchange.scheme();
        int port = exchange.port();
        boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        String host = exchange.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return scheme + "://" + host + (defaultPort || port < 0 ? "" : ":" + port) + exchange.contextPath();
    }
}
