package dev.embed.internal;

import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import org.jose4j.json.internal.json_simple.parser.ContainerFactory;
import org.jose4j.json.internal.json_simple.parser.JSONParser;
import org.jose4j.json.internal.json_simple.parser.ParseException;
import org.jspecify.annotations.Nullable;

/**
 * jose4j's JSON parser, as {@link org.jose4j.json.JsonUtil#parseJson} runs it (same parser, same
 * containers, same duplicate-member rule, so the same answers for every input), but with a small
 * pool of parsers instead of a new one per call: each parser's lexer allocates and zeroes a
 * 16,384-character (32 KB) buffer when it is made, more than everything else of a mint request
 * together (issue 12). A parser taken from the pool is reset by the parse itself.
 *
 * <p>Bounded: at most {@link #POOLED} parsers are kept (about 32 KB each), and only texts of up to
 * {@link #MAX_POOLED_CHARS} characters go through a pooled one, so its buffer never grows. A parser
 * goes back to the pool only after a parse that succeeded and after its buffer and last string
 * were overwritten with blanks, so the pool never holds a request's text.
 */
final class JsonParsers {
    /** Parsers kept: enough for every core to parse at once. */
    static final int POOLED = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    /** Longest text parsed with a pooled parser: well inside its lexer's first buffer. */
    static final int MAX_POOLED_CHARS = 8_192;

    private static final ArrayBlockingQueue<JSONParser> POOL = new ArrayBlockingQueue<>(POOLED);

    /** What JsonUtil's own factory makes: objects refuse duplicate member names. */
    private static final ContainerFactory CONTAINERS = new ContainerFactory() {
        @Override
        public Map<String, Object> createObjectContainer() {
            return new UniqueKeys();
        }

        @Override
        public List<Object> creatArrayContainer() {
            return new ArrayList<>();
        }
    };

    private JsonParsers() {}

    /**
     * Parses JSON text as {@code JsonUtil.parseJson} does, without its wrapping of the failures.
     *
     * @return the parsed value: a map for an object, null for the text {@code null}
     * @throws ParseException for text that is not JSON
     * @throws IllegalArgumentException for a duplicate member name or a number beyond a long
     */
    static @Nullable Object parse(String text) throws ParseException {
        if (text.length() > MAX_POOLED_CHARS) {
            return new JSONParser().parse(text, CONTAINERS);
        }
        JSONParser parser = POOL.poll();
        if (parser == null) {
            parser = new JSONParser();
        }
        Object value = parser.parse(text, CONTAINERS);
        // Only now, after a parse that succeeded (a failed one's parser is left to the GC, as before).
        if (blank(parser, text.length())) {
            POOL.offer(parser);
        }
        return value;
    }

    /**
     * Overwrites what the parser's lexer holds of the last text (its buffer, up to that text's
     * length, and its last string) by parsing blanks of the same length; false if that failed.
     */
    private static boolean blank(JSONParser parser, int length) {
        try {
            parser.parse(new Blanks(length), CONTAINERS);
            return true;
        } catch (ParseException | java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code length} spaces, then {@code {"":0}} (its empty string replaces the lexer's last string). */
    private static final class Blanks extends Reader {
        private static final String END = "{\"\":0}";
        private int left;
        private int end;

        Blanks(int length) {
            this.left = Math.max(0, length - END.length());
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            int n = 0;
            while (n < length && left > 0) {
                buffer[offset + n++] = ' ';
                left--;
            }
            while (n < length && end < END.length()) {
                buffer[offset + n++] = END.charAt(end++);
            }
            return n == 0 && length > 0 ? -1 : n;
        }

        @Override
        public void close() {}
    }

    /** jose4j's rule (RFC 8259 §4 leaves duplicates undefined): a repeated member name is an error. */
    private static final class UniqueKeys extends LinkedHashMap<String, Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public @Nullable Object put(String key, @Nullable Object value) {
            if (containsKey(key)) {
                throw new IllegalArgumentException("An entry for '" + key + "' already exists. Names must be unique.");
            }
            return super.put(key, value);
        }
    }
}
