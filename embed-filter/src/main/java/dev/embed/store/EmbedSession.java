package dev.embed.store;

import dev.embed.chat.AgentContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A chat session as the library records it (DESIGN §8): who owns it, what it was minted for, how
 * it may be framed, and until when a token for it can live.
 *
 * @param id {@code ses_} followed by 128 random bits
 * @param tenant the tenant of the API key that minted it
 * @param spaceId the space (flows A, B, C), or null
 * @param agentId the agent (flows A, B, C), or null
 * @param externalUserId {@code externalUserId}, {@code uid}, or {@code v_<fingerprint hash>}
 * @param displayName the end user's display name, or null
 * @param mode {@code chat}, {@code agent}, {@code thinking} or {@code build-app}
 * @param kind the {@code kty} of the flow that minted it: {@code url}, {@code session}, {@code
 *     visitor}, {@code iframe}
 * @param createdAt when it was minted
 * @param expiresAt the latest {@code exp} a token of it can have; the session is gone after it
 * @param frameAncestors origins the minting key allows to frame the hosted page; empty means the
 *     configured default
 * @param link flow D's session-scoped data, or null for the other flows
 */
public record EmbedSession(
        String id,
        String tenant,
        @Nullable String spaceId,
        @Nullable String agentId,
        String externalUserId,
        @Nullable String displayName,
        String mode,
        String kind,
        Instant createdAt,
        Instant expiresAt,
        List<String> frameAncestors,
        @Nullable LinkData link) {

    public EmbedSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(externalUserId, "externalUserId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        frameAncestors = List.copyOf(frameAncestors);
    }

    /** The same session, living at least until {@code until}. */
    public EmbedSession extendedTo(Instant until) {
        return until.isAfter(expiresAt)
                ? new EmbedSession(
                        id,
                        tenant,
                        spaceId,
                        agentId,
                        externalUserId,
                        displayName,
                        mode,
                        kind,
                        createdAt,
                        until,
                        frameAncestors,
                        link)
                : this;
    }

    /**
     * What a flow D link (DESIGN §3.3) gives its session: it lives and dies with the session and
     * never joins a persistent knowledge base.
     *
     * @param sources the {@code srcs} the link is scoped to
     * @param knowledgeEntries {@code knowledge_base_entries}
     * @param referenceQueries {@code reference_queries}
     * @param model {@code model}, or null
     * @param settings what the hosted page shows ({@code theme_mode}, {@code custom_css_vars},
     *     {@code start_message} or {@code theme_id}, {@code response_mode}, {@code show_sidebar},
     *     {@code show_dashboards}): JSON values (strings, booleans, longs, maps of them)
     * @param limits per-uid message limits: window ({@code hourly}, {@code daily}, {@code weekly},
     *     {@code monthly}) to the most messages in it
     */
    public record LinkData(
            List<String> sources,
            List<AgentContext.KnowledgeEntry> knowledgeEntries,
            List<AgentContext.ReferenceQuery> referenceQueries,
            @Nullable String model,
            Map<String, Object> settings,
            Map<String, Long> limits) {

        public LinkData {
            sources = List.copyOf(sources);
            knowledgeEntries = List.copyOf(knowledgeEntries);
            referenceQueries = List.copyOf(referenceQueries);
            settings = Map.copyOf(settings);
            limits = Map.copyOf(limits);
        }
    }
}
