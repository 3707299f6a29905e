package dev.embed.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link EmbedAgent} knows about the conversation it answers, besides the messages: whose
 * session it is and what it was minted for. Everything here comes from the session the customer's
 * backend minted with its API key, never from the browser, except {@code mode}, which the end user
 * may choose per message among the modes of DESIGN §3.1.
 *
 * @param sessionId the chat session
 * @param tenant the tenant of the API key that minted the session
 * @param spaceId the space, or null (flow D has none)
 * @param agentId the agent the session talks to, or null (flow D has none)
 * @param mode {@code chat}, {@code agent}, {@code thinking} or {@code build-app}: the message's
 *     {@code mode}, else the session's
 * @param externalUserId the customer's id for the end user ({@code externalUserId}, {@code uid} or
 *     the visitor)
 * @param displayName the end user's display name, or null
 * @param sources flow D: the source ids the link is scoped to ({@code srcs}); else empty
 * @param knowledgeEntries flow D: {@code knowledge_base_entries}, session-scoped: they live and die
 *     with this session and never join a persistent knowledge base; else empty
 * @param referenceQueries flow D: {@code reference_queries}; else empty
 * @param model flow D: the {@code model} the link asked for, or null
 */
public record AgentContext(
        String sessionId,
        String tenant,
        @Nullable String spaceId,
        @Nullable String agentId,
        String mode,
        String externalUserId,
        @Nullable String displayName,
        List<String> sources,
        List<KnowledgeEntry> knowledgeEntries,
        List<ReferenceQuery> referenceQueries,
        @Nullable String model) {

    public AgentContext {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(externalUserId, "externalUserId");
        sources = List.copyOf(sources);
        knowledgeEntries = List.copyOf(knowledgeEntries);
        referenceQueries = List.copyOf(referenceQueries);
    }

    /**
     * The first version's constructor, with flow D's data as an untyped map ({@code sources},
     * {@code knowledgeBaseEntries}, {@code referenceQueries} and the model entry).
     *
     * @deprecated use the canonical constructor
     */
    @Deprecated
    public AgentContext(
            String sessionId,
            String tenant,
            @Nullable String spaceId,
            @Nullable String agentId,
            String mode,
            String externalUserId,
            @Nullable String displayName,
            @Nullable Map<String, Object> attributes) {
        this(
                sessionId,
                tenant,
                spaceId,
                agentId,
                mode,
                externalUserId,
                displayName,
                strings(attributes == null ? null : attributes.get("sources")),
                strings(attributes == null ? null : attributes.get("knowledgeBaseEntries")).stream()
                        .map(text -> new KnowledgeEntry(null, text))
                        .toList(),
                queries(attributes == null ? null : attributes.get("referenceQueries")),
                attributes != null && attributes.get("model") instanceof String model ? model : null);
    }

    /**
     * The flow D data as the first version's untyped map ({@code sources}, {@code
     * knowledgeBaseEntries} as strings, {@code referenceQueries} as maps, {@code model}); empty for
     * flows A–C.
     *
     * @deprecated read {@link #sources()}, {@link #knowledgeEntries()}, {@link #referenceQueries()}
     *     and {@link #model()} instead
     */
    @Deprecated
    public Map<String, Object> attributes() {
        Map<String, Object> map = new LinkedHashMap<>();
        if (!sources.isEmpty()) {
            map.put("sources", sources);
        }
        if (!knowledgeEntries.isEmpty()) {
            map.put(
                    "knowledgeBaseEntries",
                    knowledgeEntries.stream().map(KnowledgeEntry::text).toList());
        }
        if (!referenceQueries.isEmpty()) {
            map.put(
                    "referenceQueries",
                    referenceQueries.stream()
                            .map(q -> Map.of("title", q.title(), "query", q.query()))
                            .toList());
        }
        if (model != null) {
            map.put("model", model);
        }
        return Map.copyOf(map);
    }

    private static List<String> strings(@Nullable Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream()
                .filter(String.class::isInstance)
                .map(String.class::cast)
                .toList();
    }

    private static List<ReferenceQuery> queries(@Nullable Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<ReferenceQuery> queries = new ArrayList<>();
        for (Object item : list) {
            if (item instanceof Map<?, ?> map
                    && map.get("title") instanceof String title
                    && map.get("query") instanceof String query) {
                queries.add(new ReferenceQuery(title, query));
            }
        }
        return queries;
    }

    /**
     * One of flow D's {@code knowledge_base_entries}: sent as a string (no title) or as an object
     * such as {@code {"title", "content"}} or {@code {"text"}}.
     *
     * @param title the entry's title, or null
     * @param content its text
     */
    public record KnowledgeEntry(@Nullable String title, String content) {
        public KnowledgeEntry {
            Objects.requireNonNull(content, "content");
        }

        /** The entry as one text: {@code title: content}, or the content alone. */
        public String text() {
            return title == null ? content : title + ": " + content;
        }
    }

    /**
     * One of flow D's {@code reference_queries}: a suggested question the page may offer.
     *
     * @param title what the page shows
     * @param query what is asked when it is chosen
     */
    public record ReferenceQuery(String title, String query) {
        public ReferenceQuery {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(query, "query");
        }
    }
}
