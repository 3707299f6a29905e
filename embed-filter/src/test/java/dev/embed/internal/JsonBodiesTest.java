package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.error.EmbedException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shared body rules of issue 8: nesting depth, and reading a refused body to its end. */
class JsonBodiesTest {
    private static final int LIMIT = 64 * 1024;

    static String nested(int depth) {
        return "{\"a\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }

    @Test
    void parseObjectWhenNestedToTheLimitThenParsed() {
        assertEquals(Json.MAX_DEPTH, Json.depth(nested(Json.MAX_DEPTH)));
        assertTrue(Json.parseObject(nested(Json.MAX_DEPTH)).containsKey("a"));
    }

    @ParameterizedTest
    @ValueSource(ints = {Json.MAX_DEPTH + 1, 10_000, 60_000})
    void parseObjectWhenNestedBeyondTheLimitThenBadRequest(int depth) {
        EmbedException e = assertThrows(EmbedException.class, () -> Json.parseObject(nested(depth)));
        assertEquals(400, e.error().status());
        assertTrue(
                e.error().description().contains("deeper than " + Json.MAX_DEPTH),
                e.error().description());
    }

    @Test
    void parseObjectWhenBracketsInsideStringsThenTheyDoNotCount() {
        String body = "{\"a\": \"" + "[{".repeat(100) + "\\\"" + "[{".repeat(100) + "\", \"b\": [[1]]}";
        assertEquals(3, Json.depth(body));
        Map<String, Object> parsed = Json.parseObject(body);
        assertEquals(2, parsed.size());
    }

    @Test
    void readObjectWhenChunkedBodyOfTenMegabytesThenReadToItsEndAndPayloadTooLarge() {
        CountingStream in = new CountingStream(10 * 1024 * 1024);

        EmbedException e =
                assertThrows(EmbedException.class, () -> JsonBodies.readObject("application/json", -1, in, LIMIT));

        assertEquals(413, e.error().status());
        assertTrue(
                in.exhausted(), "a refused body within " + JsonBodies.MAX_SWALLOW_BYTES + " bytes is read to its end");
    }

    @Test
    void readObjectWhenAnnouncedBodyBeyondTheSwallowLimitThenPayloadTooLargeWithoutReading() {
        CountingStream in = new CountingStream(JsonBodies.MAX_SWALLOW_BYTES + 1);

        EmbedException e = assertThrows(
                EmbedException.class,
                () -> JsonBodies.readObject("application/json", JsonBodies.MAX_SWALLOW_BYTES + 1, in, LIMIT));

        assertEquals(413, e.error().status());
        assertEquals(0, in.read, "a body announced beyond the swallow limit is left to the container");
    }

    @Test
    void readObjectWhenNotUtf8ThenBadRequest() {
        byte[] latin1 = "{\"a\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        EmbedException e = assertThrows(
                EmbedException.class,
                () -> JsonBodies.readObject(
                        "application/json", latin1.length, new ByteArrayInputStream(latin1), LIMIT));
        assertEquals(400, e.error().status());
    }

    /** {@code size} bytes of 'x', counting what was read. */
    private static final class CountingStream extends InputStream {
        private final long size;
        private long read;

        CountingStream(long size) {
            this.size = size;
        }

        boolean exhausted() {
            return read == size;
        }

        @Override
        public int read() {
            if (read >= size) {
                return -1;
            }
            read++;
            return 'x';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (read >= size) {
                return -1;
            }
            int n = (int) Math.min(length, size - read);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 'x');
            read += n;
            return n;
        }
    }
}
