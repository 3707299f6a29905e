package dev.embed.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Raw HTTP for integration tests: what a customer's backend or a browser would send. */
public final class Http {
    public static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Http() {}

    /**
     * Sends the request. Every credential it carries and every token, cache key or fingerprint in
     * it or its answer goes to {@link Secrets}; an error answer (4xx, 5xx) that shows any secret
     * fails the test at once (DESIGN §5: errors never echo a secret). The exchange is recorded for
     * the OpenAPI check ({@link OpenApiRecorder}).
     */
    public static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        SecretsObserver.request(request);
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        OpenApiRecorder.record(request, response);
        SecretsObserver.response(response.statusCode(), response.body());
        return response;
    }

    /**
     * As {@link #send}, on a connection of its own (a new client), for a request that may be
     * answered before the server reads its body: the server may then close the connection after
     * the answer without saying so, and a pooled client's next non-idempotent request on it would
     * fail.
     */
    public static HttpResponse<String> sendAlone(HttpRequest request) throws IOException, InterruptedException {
        SecretsObserver.request(request);
        HttpClient alone = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpResponse<String> response = alone.send(request, HttpResponse.BodyHandlers.ofString());
        OpenApiRecorder.record(request, response);
        SecretsObserver.response(response.statusCode(), response.body());
        return response;
    }

    /** POST of a JSON body with {@code Authorization: Bearer <credential>} (credential may be null). */
    public static HttpResponse<String> postJson(URI uri, String credential, String json)
            throws IOException, InterruptedException {
        return send(postJsonRequest(uri, credential, json));
    }

    /** The request {@link #postJson} sends. */
    public static HttpRequest postJsonRequest(URI uri, String credential, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        return b.build();
    }

    public static HttpResponse<String> get(URI uri, String credential) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(45)).GET();
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        return send(b.build());
    }

    public static HttpResponse<String> delete(URI uri, String credential) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).DELETE();
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        return send(b.build());
    }

    /** The body as a JSON object. */
    public static Map<String, Object> json(HttpResponse<String> response) {
        return Json.parseObject(response.body());
    }
}
