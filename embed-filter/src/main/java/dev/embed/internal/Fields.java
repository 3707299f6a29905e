package dev.embed.internal;

import dev.embed.error.EmbedError;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Field rules shared by every request body: typed reads from a parsed JSON object that answer 400
 * {@code invalid_request} naming the field, and never echo its value.
 */
final class Fields {
    /** The chat modes of DESIGN §3.1. */
    public static final Set<String> MODES = Set.of("chat", "agent", "thinking", "build-app");

    private Fields() {}

    /** A required string of {@code min..max} code points without control characters. */
    public static String requiredString(Map<String, Object> body, String name, int min, int max) {
        String value = optionalString(body, name, max);
        if (value == null) {
            throw bad(name + " is required");
        }
        if (value.codePointCount(0, value.length()) < min) {
            throw bad(name + " must have at least " + min + " character" + (min == 1 ? "" : "s"));
        }
        return value;
    }

    /** An optional string of at most {@code max} code points without control characters, or null. */
    public static @Nullable String optionalString(Map<String, Object> body, String name, int max) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw bad(name + " must be a string");
        }

        if (text.codePointCount(0, text.length()) > max) {
            throw bad(name + " must have at most " + max + " characters");
        }
        if (hasControlCharacter(text)) {
            throw bad(name + " must not contain control characters (such as CR, LF, tab or NUL)");
        }
        if (hasLoneSurrogate(text)) {
            throw bad(name + " must be valid Unicode text");
        }
        return text;
    }

    /** An optional integer in {@code min..max}, or {@code fallback} when absent. */
    public static long optionalInteger(Map<String, Object> body, String name, long min, long max, long fallback) {
        Object value = body.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Long number)) {
            throw bad(name + " must be an integer between " + min + " and " + max);
        }
        if (number < min || number > max) {
            throw bad(name + " must be between " + min + " and " + max);
        }
        return number;
    }

    /** An optional value of a closed set, or {@code fallback}. */
    public static @Nullable String optionalEnum(
            Map<String, Object> body, String name, Set<String> allowed, @Nullable String fallback) {
        Object value = body.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String choice) || !allowed.contains(choice)) {
            throw bad(name + " must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
        return choice;
    }

    /** Path identifiers: 1-128 letters, digits, '.', '_' or '-'. */
    public static String pathId(String value, String name) {
        if (value == null || value.isEmpty() || value.length() > 128) {
            throw bad(name + " in the path must be 1-128 letters, digits, '.', '_' or '-'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                throw bad(name + " in the path must be 1-128 letters, digits, '.', '_' or '-'");
            }
        }
        return value;
    }

    /** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
    public static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    private static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    static dev.embed.error.EmbedException bad(String description) {
        return EmbedError.invalidRequest(description).toException();
    }
}
