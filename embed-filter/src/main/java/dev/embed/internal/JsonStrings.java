package dev.embed.internal;

/**
 * JSON string literals exactly as the library's JSON writer ({@link Json#write}, jose4j's) spells
 * them: {@code "} {@code \} and the controls {@code \b \f \n \r \t} escaped by name, U+0000–U+001F,
 * U+007F–U+009F and U+2000–U+20FF as {@code \}{@code uXXXX} (upper-case hex), everything else as
 * is. For the few answers and claims the mint path writes straight into one {@link StringBuilder}
 * (issue 12) with the same bytes as before ({@code JsonStringsTest} compares every character).
 */
final class JsonStrings {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonStrings() {}

    /** Appends {@code value} as a JSON string literal, quotes included. */
    static StringBuilder quote(StringBuilder out, String value) {
        out.append('"');
        int from = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x7F || c > 0x9F) && (c < 0x2000 || c > 0x20FF)) {
                continue;
            }
            out.append(value, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                    out.append("\\u")
                            .append(HEX[c >> 12])
                            .append(HEX[(c >> 8) & 0xF])
                            .append(HEX[(c >> 4) & 0xF])
                            .append(HEX[c & 0xF]);
            }
        }
        return out.append(value, from, value.length()).append('"');
    }

    /** Appends {@code ,"name":} (no comma for the first member: {@code first}). */
    static StringBuilder member(StringBuilder out, boolean first, String name) {
        if (!first) {
            out.append(',');
        }
        return quote(out, name).append(':');
    }
}
