package dev.embed.internal;

import dev.embed.error.EmbedError;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.json.internal.json_simple.parser.ParseException;

/**
 * The library's JSON codec, over jose4j's {@link JsonUtil} so that the library never depends on,
 * or fights with, the host application's Jackson or JSON-B. Objects are {@code Map<String,
 * Object>}, arrays {@code List<Object>}, numbers {@code Long} or {@code Double}.
 *
 * <p>Parsing refuses duplicate keys (jose4j's own rule), anything that is not a JSON object, and
 * nesting deeper than {@value #MAX_DEPTH} levels; its errors never echo the input.
 */
final class Json {
    /**
     * Deepest nesting of objects and arrays a body may have (flow D's deepest member is 3 levels
     * down). jose4j's parser itself nests without recursion, but what it returns does not: a body
     * of 10,000 {@code [} in a member that no flow reads would otherwise be accepted, and the
     * first {@code hashCode()} or {@code toString()} of it would overflow the stack.
     */
    public static final int MAX_DEPTH = 32;

    private Json() {}

    /**
     * Parses a request body that must be a JSON object.
     *
     * @throws dev.embed.error.EmbedException 400 {@code invalid_request} for anything else
     */
    public static Map<String, Object> parseObject(String text) {
        if (text == null || text.isBlank()) {
            throw EmbedError.invalidRequest("request body must be a JSON object")
                    .toException();
        }
        String trimmed = text.strip();
        if (trimmed.charAt(0) != '{') {
            throw EmbedError.invalidRequest("request body must be a JSON object")
                    .toException();
        }
        if (depth(trimmed) > MAX_DEPTH) {
            throw EmbedError.invalidRequest(
                            "request body nests objects and arrays deeper than " + MAX_DEPTH + " levels")
                    .toException();
        }
        Object parsed;
        String failure;
        try {
            // JsonUtil.parseJson's parser, pooled (JsonParsers); failures described as it wraps them.
            parsed = JsonParsers.parse(trimmed);
            failure = parsed == null ? "Parsing returned null" : null;
        } catch (ParseException | IllegalArgumentException | ClassCastException e) {
            parsed = null;
            failure = "Parsing error: " + e;
        } catch (RuntimeException | StackOverflowError e) {
            parsed = null;
            failure = String.valueOf(e.getMessage());
        }
        if (parsed instanceof Map<?, ?> map && failure == null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) map;
            return object;
        }
        // jose4j's message may quote the input: never pass it on.
        String why = failure != null && failure.contains("uplicate")
                ? "request body is not valid JSON: duplicate member name"
                : "request body is not valid JSON";
        throw EmbedError.invalidRequest(why).toException();
    }

    /**
     * The deepest nesting of objects and arrays, counting their opening brackets outside strings up
     * to one past {@link #MAX_DEPTH}: one pass, before the parser builds anything.
     */
    static int depth(String text) {
        int depth = 0;
        int deepest = 0;
        boolean inString = false;
        for (int i = 0; i < text.length() && deepest <= MAX_DEPTH; i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return deepest;
    }

    /** Writes a JSON object; values may be maps, lists, strings, numbers, booleans or null. */
    public static String write(Map<String, ?> object) {
        return JsonUtil.toJson(object);
    }

    /**
     * Writes a JSON object to {@code out} as UTF-8 as it goes, member by member (jose4j's own
     * writer, the same text as {@link #write(Map)}): only one value's text at a time is held, never
     * the whole document. Hands {@code out} every byte but neither flushes nor closes it: the
     * container then sends a small answer whole, with its {@code Content-Length}, and a large one
     * chunked as its buffer fills.
     */
    public static void write(Map<String, ?> object, OutputStream out) throws IOException {
        Writer writer =
                new BufferedWriter(new OutputStreamWriter(new Unflushed(out), StandardCharsets.UTF_8), BUFFER_CHARS);
        JsonUtil.writeJson(object, writer);
        writer.flush();
    }

    /** Passes bytes on; a flush or close stops here (the writer's flush must not commit the answer). */
    private static final class Unflushed extends FilterOutputStream {
        Unflushed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /**
     * Characters buffered before they go to the encoder (which holds its own 8 KB of bytes): enough
     * to keep the encoder's calls few, small enough that a short answer does not allocate a 16 KB
     * array it never fills.
     */
    private static final int BUFFER_CHARS = 1024;
}
