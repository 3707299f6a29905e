package dev.embed.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A path of the endpoint table, such as {@code /api/v1/spaces/{spaceId}/agents/{agentId}/embed-urls}:
 * literal segments and {@code {name}} segments, each matching one non-empty segment of a path as
 * sent (not decoded: an id that needs decoding is no id, and its rule answers 400).
 */
final class PathTemplate {
    private final String text;
    private final List<String> segments;

    private PathTemplate(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a path template starts with /: " + text);
        }
        this.text = text;
        this.segments = List.of(text.substring(1).split("/", -1));
    }

    static PathTemplate of(String text) {
        return new PathTemplate(text);
    }

    /** The values of the {@code {name}} segments, or null when the path does not match. */
    @Nullable
    Map<String, String> match(String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        List<String> parts = split(path.substring(1));
        if (parts.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < parts.size(); i++) {
            String segment = segments.get(i);
            String part = parts.get(i);
            if (isParameter(segment)) {
                if (part.isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>(4);
                }
                params.put(segment.substring(1, segment.length() - 1), part);
            } else if (!segment.equals(part)) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    @Override
    public String toString() {
        return text;
    }

    private static boolean isParameter(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    /** {@code String.split("/", -1)} without the regex. */
    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>(8);
        int start = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                parts.add(path.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(path.substring(start));
        return parts;
    }
}
