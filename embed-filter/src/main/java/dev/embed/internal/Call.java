package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.token.EmbedClaims;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request to a row of the endpoint table, as its handler sees it: the path's parameters, the
 * query, the authenticated caller, the body, and where the application is (the base URL rule of
 * {@link PublicBase}).
 */
final class Call {
    private final Exchange exchange;
    private final Map<String, String> params;
    private final Query query;
    private final @Nullable ApiKey apiKey;
    private final @Nullable EmbedClaims claims;
    private final int maxBodyBytes;
    private final PublicBase publicBase;

    Call(
            Exchange exchange,
            Map<String, String> params,
            Query query,
            @Nullable ApiKey apiKey,
            @Nullable EmbedClaims claims,
            int maxBodyBytes,
            PublicBase publicBase) {
        this.exchange = exchange;
        this.params = params;
        this.query = query;
        this.apiKey = apiKey;
        this.claims = claims;
        this.maxBodyBytes = maxBodyBytes;
        this.publicBase = publicBase;
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

    /**
     * The URL browsers reach the application at, without a trailing slash ({@link PublicBase}).
     *
     * @throws dev.embed.error.EmbedException 400 when it would come from a host that is not trusted
     */
    String baseUrl() {
        return publicBase.baseUrl(exchange);
    }

    /** The path of {@link #baseUrl()}: where a hosted page finds the endpoints. */
    String basePath() {
        return publicBase.basePath(exchange);
    }
}
