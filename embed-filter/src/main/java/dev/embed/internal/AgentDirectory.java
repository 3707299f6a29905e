package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which agents exist ({@code embed.agents}: {@code space/agent} pairs; empty when every agent a key
 * may mint for exists) and which of them a key may mint for: shared by every flow that names an
 * agent (flows A and B by path, flow C by {@code agent_id}). Immutable.
 */
final class AgentDirectory {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final Set<String> known;

    /** @param known {@code space/agent} pairs that exist; empty means every agent a key may mint for exists */
    AgentDirectory(Set<String> known) {
        this.known = Set.copyOf(known);
    }

    /** An agent, and its space when one is known. */
    record Agent(@Nullable String spaceId, String agentId) {}

    /** 403 unless the key may mint for the agent; 404 for an agent that does not exist. */
    void authorize(ApiKey key, String spaceId, String agentId) {
        Fields.pathId(spaceId, "spaceId");
        Fields.pathId(agentId, "agentId");
        if (!key.mayMintFor(spaceId, agentId)) {
            throw EmbedError.insufficientScope(
                            "this API key may not mint for agent " + agentId + " of space " + spaceId)
                    .toException();
        }
        if (!known.isEmpty() && !known.contains(spaceId + "/" + agentId)) {
            throw EmbedError.notFound("no agent " + agentId + " in space " + spaceId)
                    .toException();
        }
    }

    /**
     * The agent {@code ref} names, as {@code agent} or {@code space/agent} (flow C's {@code
     * agent_id}), authorized for {@code key}: a bare agent's space is found among the known agents,
     * else among the key's own {@code space/agent} entries (400 when that is ambiguous, 403 when the
     * key may use none, 404 when no such agent exists).
     */
    Agent resolve(ApiKey key, String ref) {
        int slash = ref.indexOf('/');
        if (slash >= 0) {
            String space = ref.substring(0, slash);
            String agent = ref.substring(slash + 1);
            if (!ID.matcher(space).matches() || !ID.matcher(agent).matches()) {
                throw badAgentId();
            }
            authorize(key, space, agent);
            return new Agent(space, agent);
        }
        if (!ID.matcher(ref).matches()) {
            throw badAgentId();
        }
        Set<String> spaces = new LinkedHashSet<>();
        boolean anySpace = false;
        if (!known.isEmpty()) {
            for (String pair : known) {
                if (pair.endsWith("/" + ref)) {
                    spaces.add(pair.substring(0, pair.length() - ref.length() - 1));
                }
            }
            if (spaces.isEmpty()) {
                throw EmbedError.notFound("no agent " + ref).toException();
            }
            spaces.removeIf(space -> !key.mayMintFor(space, ref));
        } else {
            for (String pattern : key.agents()) {
                int at = pattern.indexOf('/');
                if (at < 0) {
                    anySpace |= "*".equals(pattern);
                } else if (pattern.substring(at + 1).equals(ref)
                        || pattern.substring(at + 1).equals("*")) {
                    spaces.add(pattern.substring(0, at));
                }
            }
        }
        if (spaces.size() > 1) {
            throw EmbedError.invalidRequest("agent_id " + ref + " names an agent of several spaces this key may use ("
                            + String.join(", ", spaces) + "); send it as space/agent")
                    .toException();
        }
        if (spaces.isEmpty() && !anySpace) {
            throw EmbedError.insufficientScope("this API key may not mint for agent " + ref)
                    .toException();
        }
        return new Agent(spaces.isEmpty() ? null : spaces.iterator().next(), ref);
    }

    private static EmbedException badAgentId() {
        return EmbedError.invalidRequest("agent_id must be an agent id, or space/agent, of 1-128 letters, digits, '.',"
                        + " '_' or '-' each")
                .toException();
    }
}
