package dev.embed.internal;

import dev.embed.error.EmbedError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request body that must be one JSON object, the same way for every adapter: 415 unless
 * the content type is {@code application/json}, 413 over the limit (before reading when the length
 * is announced, and while reading otherwise), 400 unless it is valid UTF-8 JSON.
 *
 * <p>Before a 413, the rest of a body of up to {@value #MAX_SWALLOW_BYTES} bytes is read and
 * dropped (for at most {@value #MAX_SWALLOW_MILLIS} ms), as Tomcat's {@code maxSwallowSize} and
 * nginx's lingering close do, so the container need not close the connection under a client still
 * sending: a client that sends its whole body before reading the answer (as {@code
 * java.net.http.HttpClient} does) would otherwise lose the 413 to a reset, as it did for bodies of
 * 10 MB when this was 1 MiB (issue 8). Larger bodies, announced or found, are left unread: the
 * container closes the connection. Dropping costs a read of bytes the client sends anyway, never
 * memory.
 */
final class JsonBodies {
    /** Largest refused body still read to its end before the 413. */
    public static final long MAX_SWALLOW_BYTES = 16 * 1024 * 1024;

    /** Longest time spent dropping a refused body: a client trickling it is not waited for. */
    public static final long MAX_SWALLOW_MILLIS = 5_000;

    private JsonBodies() {}

    /**
     * Reads a request body that must be a JSON object.
     *
     * @param contentType the request's {@code Content-Type}, or null
     * @param announcedLength the {@code Content-Length}, or -1
     */
    public static Map<String, Object> readObject(
            @Nullable String contentType, long announcedLength, InputStream in, int maxBytes) throws IOException {
        if (!isJson(contentType)) {
            throw EmbedError.unsupportedMediaType().toException();
        }
        if (announcedLength > maxBytes) {
            if (announcedLength <= MAX_SWALLOW_BYTES) {
                swallow(in, MAX_SWALLOW_BYTES);
            }
            throw EmbedError.payloadTooLarge(maxBytes).toException();
        }
        return Json.parseObject(decodeUtf8(readAtMost(in, announcedLength, maxBytes)));
    }

    /** Reads and drops at most {@code limit} more bytes; a client gone away is not an error here. */
    static void swallow(InputStream in, long limit) {
        byte[] buffer = new byte[8192];
        long left = limit;
        long deadline = System.nanoTime() + MAX_SWALLOW_MILLIS * 1_000_000L;
        try {
            int n;
            while (left > 0
                    && System.nanoTime() - deadline < 0
                    && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
            }
        } catch (IOException e) {
            // nothing to answer to
        }
    }

    /** {@code application/json}, with any parameters. */
    public static boolean isJson(@Nullable String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().equals("application/json");
    }

    private static byte[] readAtMost(InputStream in, long announcedLength, int maxBytes) throws IOException {
        if (announcedLength >= 0 && announcedLength <= maxBytes) {
            // The usual case: an array of the announced size, no 8 KB buffer and no copies (issue 12).
            byte[] body = new byte[(int) announcedLength];
            int read = 0;
            int n;
            while (read < body.length && (n = in.read(body, read, body.length - read)) >= 0) {
                read += n;
            }
            int next = read < body.length ? -1 : in.read();
            if (next < 0) {
                return read == body.length ? body : Arrays.copyOf(body, read);
            }
            // More than announced (a container that does not stop at Content-Length): read on.
            ByteArrayOutputStream more = new ByteArrayOutputStream(body.length + 1);
            more.write(body);
            more.write(next);
            return readRest(in, more, maxBytes);
        }
        return readRest(in, new ByteArrayOutputStream(), maxBytes);
    }

    private static byte[] readRest(InputStream in, ByteArrayOutputStream out, int maxBytes) throws IOException {
        if (out.size() > maxBytes) {
            swallow(in, MAX_SWALLOW_BYTES - out.size());
            throw EmbedError.payloadTooLarge(maxBytes).toException();
        }
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            if (out.size() > maxBytes) {
                swallow(in, MAX_SWALLOW_BYTES - out.size());
                throw EmbedError.payloadTooLarge(maxBytes).toException();
            }
        }
        return out.toByteArray();
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw EmbedError.invalidRequest("request body is not valid UTF-8").toException();
        }
    }
}
