package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Matching a path in place (issue 12) gives what splitting it did. */
class PathTemplateTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/a/b/c",
                "/a/b/c/",
                "/a/b",
                "/a//c",
                "/a/x/c",
                "//b/c",
                "/",
                "",
                "a/b/c",
                "/a/b/c/d",
                "/api/v1/spaces/demo/agents/support/embed-sessions",
                "/api/v1/spaces//agents/support/embed-sessions",
                "/api/v1/spaces/demo/agents/support/embed-sessions/",
                "/api/v1/spaces/demo/agents/support/embed-urls"
            })
    void matchWhenAnyPathThenWhatSplittingTheSegmentsGives(String path) {
        for (String template : List.of(
                "/a/b/c",
                "/a/{x}/c",
                "/{x}/{y}/{z}",
                "/{x}",
                "/",
                "/api/v1/spaces/{spaceId}/agents/{agentId}/embed-sessions")) {
            assertEquals(bySplitting(template, path), PathTemplate.of(template).match(path), template + " " + path);
        }
    }

    /** The matching rule as it was written before issue 12: split both, compare segment by segment. */
    private static @Nullable Map<String, String> bySplitting(String template, String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        String[] segments = template.substring(1).split("/", -1);
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length != segments.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            String segment = segments[i];
            if (segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(segment.substring(1, segment.length() - 1), parts[i]);
            } else if (!segment.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    @Test
    void matchWhenNoParameterThenEmptyMap() {
        assertEquals(Map.of(), PathTemplate.of("/a/b").match("/a/b"));
        assertNull(PathTemplate.of("/a/b").match("/a/c"));
    }
}
