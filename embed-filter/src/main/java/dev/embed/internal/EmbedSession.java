package dev.embed.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A chat session as the registry records it: who owns it (tenant, space, agent, external user),
 * how it was minted, and until when a token for it can live.
 *
 * @param attributes flow-specific, session-scoped data (flow D's sources and knowledge entries);
 *     lives exactly as long as the session and is never persisted by the default registry
 */
public record EmbedSession(
        String id,
        String tenant,
        @Nullable String spaceId,
        @Nullable String agentId,
        String externalUserId,
        @Nullable String displayName,
        @Nullable String mode,
        String kind,
        Instant createdAt,
        Instant expiresAt,
        Map<String, Object> attributes) {

    public EmbedSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(externalUserId, "externalUserId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
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
                        attributes)
                : this;
    }
}
