package dev.embed.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An adapter-neutral HTTP answer: status, headers and a UTF-8 body. The servlet and JAX-RS
 * adapters each copy it onto their own response type, so what goes on the wire is decided once.
 *
 * <p>A JSON answer of an endpoint ({@link #json(int, Map)}) keeps its value, not its text: it is
 * written to the response as it is produced ({@link #writeBody}), so a large page of messages is
 * never held whole as a {@code String} or {@code byte[]} (issue 13 finding 3).
 *
 * @param body the text of the body, or null (none, or {@code json})
 * @param json a JSON object written to the response as it is produced, or null
 */
record Reply(
        int status,
        Map<String, String> headers,
        @Nullable String contentType,
        @Nullable String body,
        @Nullable Map<String, ?> json) {

    public static final String JSON_UTF8 = "application/json; charset=utf-8";

    public Reply {
        headers = Map.copyOf(new LinkedHashMap<>(headers));
    }

    Reply(int status, Map<String, String> headers, @Nullable String contentType, @Nullable String body) {
        this(status, headers, contentType, body, null);
    }

    public static Reply json(int status, String body) {
        return new Reply(status, Map.of("Cache-Control", "no-store"), JSON_UTF8, body);
    }

    /** A JSON answer written to the response as it is produced. */
    public static Reply json(int status, Map<String, ?> json) {
        return new Reply(status, Map.of("Cache-Control", "no-store"), JSON_UTF8, null, json);
    }

    public static Reply noContent() {
        return new Reply(204, Map.of("Cache-Control", "no-store"), null, null);
    }

    /** Whether the body is written as it is produced ({@link #writeBody}) rather than held. */
    public boolean streamed() {
        return json != null;
    }

    /** Writes the body, as UTF-8. */
    public void writeBody(OutputStream out) throws IOException {
        Map<String, ?> value = json;
        if (value != null) {
            Json.write(value, out);
        } else if (body != null) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The body's bytes, held whole: for small answers and tests. */
    public byte[] bodyBytes() {
        if (json == null) {
            return body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeBody(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
