package dev.embed.apikey;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an API key may do, as its store knows it (never the key itself).
 *
 * @param id the key's name in configuration (safe to log)
 * @param tenant the customer the key belongs to; sessions remember it
 * @param agents {@code space/agent} patterns the key may mint for: {@code demo/support}, {@code
 *     demo/*} (a whole space) or {@code *}
 * @param sources source ids the key may scope flow D links to ({@code *} for any)
 * @param frameAncestors origins allowed to frame the hosted page for its credentials; empty means
 *     the configured default
 */
public record ApiKey(String id, String tenant, Set<String> agents, Set<String> sources, List<String> frameAncestors) {

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        agents = Set.copyOf(agents);
        sources = Set.copyOf(sources);
        frameAncestors = List.copyOf(frameAncestors);
    }

    /** Whether this key may mint credentials for the agent of the space. */
    public boolean mayMintFor(String spaceId, String agentId) {
        return agents.contains("*") || agents.contains(spaceId + "/*") || agents.contains(spaceId + "/" + agentId);
    }

    /** Whether every one of these source ids is among the key's. */
    public boolean mayUseSources(Collection<String> requested) {
        return sources.contains("*") || sources.containsAll(requested);
    }
}
