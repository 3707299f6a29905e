package dev.embed.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An adapter-neutral HTTP answer: status, headers and a UTF-8 body. The servlet and JAX-RS
 * adapters each copy it onto their own response type, so what goes on the wire is decided once.
 */
record Reply(
        int status,
        Map<String, String> headers,
        @Nullable String contentType,
        @Nullable String body) {

    public static final String JSON_UTF8 = "application/json; charset=utf-8";

    public Reply {
        headers = Map.copyOf(new LinkedHashMap<>(headers));
    }

    public static Reply json(int status, String body) {
        return new Reply(status, Map.of("Cache-Control", "no-store"), JSON_UTF8, body);
    }

    public static Reply noContent() {
        return new Reply(204, Map.of("Cache-Control", "no-store"), null, null);
    }

    public byte[] bodyBytes() {
        return body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    }
}
