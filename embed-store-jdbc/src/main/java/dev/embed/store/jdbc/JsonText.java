package dev.embed.store.jdbc;

import dev.embed.chat.AgentContext;
import dev.embed.store.EmbedSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;
import org.jspecify.annotations.Nullable;

/** The JSON text of the store's {@code data} and {@code state} columns, written with jose4j. */
final class JsonText {
    private JsonText() {}

    /** A session's frame ancestors and flow D link data, as its {@code data} column. */
    static String sessionData(List<String> frameAncestors, EmbedSession.@Nullable LinkData link) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("frameAncestors", frameAncestors);
        if (link != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("sources", link.sources());
            List<Map<String, Object>> entries = new ArrayList<>();
            for (AgentContext.KnowledgeEntry entry : link.knowledgeEntries()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("title", entry.title());
                item.put("content", entry.content());
                entries.add(item);
            }
            json.put("knowledgeEntries", entries);
            List<Map<String, Object>> queries = new ArrayList<>();
            for (AgentContext.ReferenceQuery query : link.referenceQueries()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("title", query.title());
                item.put("query", query.query());
                queries.add(item);
            }
            json.put("referenceQueries", queries);
            json.put("model", link.model());
            json.put("settings", link.settings());
            json.put("limits", link.limits());
            data.put("link", json);
        }
        return JsonUtil.toJson(data);
    }

    /** The frame ancestors of a session's {@code data} column. */
    static List<String> frameAncestors(Map<String, Object> data) {
        return strings(data.get("frameAncestors"));
    }

    /** The flow D link data of a session's {@code data} column, or null. */
    static EmbedSession.@Nullable LinkData link(Map<String, Object> data) {
        if (!(data.get("link") instanceof Map<?, ?> json)) {
            return null;
        }
        List<AgentContext.KnowledgeEntry> entries = new ArrayList<>();
        for (Map<?, ?> item : maps(json.get("knowledgeEntries"))) {
            entries.add(new AgentContext.KnowledgeEntry(
                    item.get("title") instanceof String title ? title : null, string(item, "content")));
        }
        List<AgentContext.ReferenceQuery> queries = new ArrayList<>();
        for (Map<?, ?> item : maps(json.get("referenceQueries"))) {
            queries.add(new AgentContext.ReferenceQuery(string(item, "title"), string(item, "query")));
        }
        Map<String, Long> limits = new LinkedHashMap<>();
        if (json.get("limits") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> limits.put((String) k, ((Number) v).longValue()));
        }
        return new EmbedSession.LinkData(
                strings(json.get("sources")),
                entries,
                queries,
                json.get("model") instanceof String model ? model : null,
                object(json.get("settings")),
                limits);
    }

    /** {@code {"sources": [...]}}: a link's {@code data} column. */
    static String sources(List<String> sources) {
        return JsonUtil.toJson(Map.of("sources", sources));
    }

    static List<String> sources(String text) {
        return strings(parse(text).get("sources"));
    }

    static Map<String, Object> parse(String text) {
        try {
            return JsonUtil.parseJson(text);
        } catch (JoseException e) {
            throw new IllegalStateException("embed jdbc store: a data column does not hold JSON", e);
        }
    }

    static String write(Map<String, ?> json) {
        return JsonUtil.toJson(json);
    }

    /** A member that {@link #sessionData} always writes as a string. */
    private static String string(Map<?, ?> item, String name) {
        if (item.get(name) instanceof String value) {
            return value;
        }
        throw new IllegalStateException("embed jdbc store: a session's data column has no string " + name);
    }

    private static List<String> strings(@Nullable Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                out.add((String) item);
            }
        }
        return out;
    }

    private static List<Map<?, ?>> maps(@Nullable Object value) {
        List<Map<?, ?>> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                out.add((Map<?, ?>) item);
            }
        }
        return out;
    }

    /** A JSON object as an immutable map (nested objects and arrays too). */
    private static Map<String, Object> object(@Nullable Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (v != null) {
                    out.put((String) k, immutable(v));
                }
            });
        }
        return out;
    }

    private static Object immutable(Object value) {
        if (value instanceof Map<?, ?>) {
            return Map.copyOf(object(value));
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                if (item != null) {
                    out.add(immutable(item));
                }
            }
            return List.copyOf(out);
        }
        return value;
    }
}
