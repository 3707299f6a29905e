package dev.embed.demo.containers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A strict RFC 8259 JSON reader for the container suite, independent of the library's own codec so
 * that a lenient reader cannot hide a malformed answer: objects become {@code Map}, arrays {@code
 * List}, integers {@code Long}, other numbers {@code Double}. Duplicate member names and trailing
 * content are errors.
 *
 * <p>{@link #shape(Object)} reduces a value to its shape: member names and value types, never the
 * values, e.g. {@code {"id":"integer","tags":["string"]}} becomes {@code {id:string,tags:[string]}}.
 * Two containers answer "the same bytes" when their shapes are equal.
 */
final class StrictJson {
    private final String text;
    private int pos;

    private StrictJson(String text) {
        this.text = text;
    }

    /** Parses a whole JSON text; throws {@link IllegalArgumentException} naming the offset of an error. */
    static Object parse(String text) {
        StrictJson reader = new StrictJson(text);
        reader.skipWhitespace();
        Object value = reader.value();
        reader.skipWhitespace();
        if (reader.pos != text.length()) {
            throw reader.error("trailing content");
        }
        return value;
    }

    /** Parses a JSON text that must be an object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        return (Map<String, Object>) value;
    }

    /**
     * The shape of a parsed value: {@code string}, {@code integer}, {@code number}, {@code boolean},
     * {@code null}; {@code {a:…,b:…}} with member names sorted; {@code [shape]} for an array whose
     * elements share one shape, {@code [s1|s2]} otherwise, {@code []} when empty.
     */
    static String shape(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Long) {
            return "integer";
        }
        if (value instanceof Double) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Map<?, ?> object) {
            StringBuilder out = new StringBuilder("{");
            new java.util.TreeMap<>(object).forEach((name, member) -> {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append(name).append(':').append(shape(member));
            });
            return out.append('}').toString();
        }
        TreeSet<String> elements = new TreeSet<>();
        for (Object element : (List<?>) value) {
            elements.add(shape(element));
        }
        return "[" + String.join("|", elements) + "]";
    }

    private Object value() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{' -> {
                return object();
            }
            case '[' -> {
                return array();
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                return literal("true", true);
            }
            case 'f' -> {
                return literal("false", false);
            }
            case 'n' -> {
                return literal("null", null);
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
            }
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> members = new LinkedHashMap<>();
        pos++;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object member = value();
            if (members.containsKey(name)) {
                throw error("duplicate member '" + name + "'");
            }
            members.put(name, member);
            skipWhitespace();
            char next = next();
            if (next == '}') {
                return members;
            }
            if (next != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() {
        List<Object> elements = new ArrayList<>();
        pos++;
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(elements);
        }
        while (true) {
            skipWhitespace();
            elements.add(value());
            skipWhitespace();
            char next = next();
            if (next == ']') {
                return Collections.unmodifiableList(elements);
            }
            if (next != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        StringBuilder out = new StringBuilder();
        pos++;
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escaped = next();
            switch (escaped) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException e) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + escaped);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            throw error("bad number");
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            pos++;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits();
        }
        String literal = text.substring(start, pos);
        return integer ? (Object) Long.valueOf(literal) : (Object) Double.valueOf(literal);
    }

    private void digits() {
        if (!(peek() >= '0' && peek() <= '9')) {
            throw error("expected a digit");
        }
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("bad literal");
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos++);
    }

    private void skipWhitespace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
    }
}
