package dev.embed.internal;

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
    /** The parameter's name of each {@code {name}} segment, null for a literal one. */
    private final @Nullable String[] names;

    private PathTemplate(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a path template starts with /: " + text);
        }
        this.text = text;
        this.segments = List.of(text.substring(1).split("/", -1));
        this.names = new String[segments.size()];
        for (int i = 0; i < names.length; i++) {
            String segment = segments.get(i);
            names[i] = isParameter(segment) ? segment.substring(1, segment.length() - 1) : null;
        }
    }

    static PathTemplate of(String text) {
        return new PathTemplate(text);
    }

    /**
     * The values of the {@code {name}} segments, or null when the path does not match. The path is
     * walked segment by segment in place: a path that does not match allocates nothing (every
     * request is matched against several templates).
     */
    @Nullable
    Map<String, String> match(String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        Map<String, String> params = null;
        int start = 1;
        for (int i = 0; i < names.length; i++) {
            int slash = path.indexOf('/', start);
            boolean last = i == names.length - 1;
            if (last ? slash >= 0 : slash < 0) {
                return null; // more or fewer segments than the template
            }
            int end = last ? path.length() : slash;
            String name = names[i];
            if (name != null) {
                if (end == start) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>(4);
                }
                params.put(name, path.substring(start, end));
            } else {
                String segment = segments.get(i);
                if (segment.length() != end - start || !path.startsWith(segment, start)) {
                    return null;
                }
            }
            start = end + 1;
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
}
