package dev.embed.testing;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A deterministic agent for HTTP tests of flows C and D: answers "You said: <last user message>",
 * then what it received in {@link AgentContext#attributes()}: " | knowledge: a; b", " | queries:
 * title, title", " | model: m", " | sources: s, s" when present.
 */
public final class ContextEchoTestAgent implements EmbedAgent {
    @Override
    public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
        String last = "";
        for (ChatMessage message : conversation) {
            if ("user".equals(message.role())) {
                last = message.content();
            }
        }
        StringBuilder answer = new StringBuilder("You said: ").append(last);
        Map<String, Object> attributes = context.attributes();
        if (attributes.get("knowledgeBaseEntries") instanceof List<?> entries) {
            answer.append(" | knowledge: ").append(join(entries, "; "));
        }
        if (attributes.get("referenceQueries") instanceof List<?> queries) {
            List<Object> titles = new ArrayList<>();
            for (Object query : queries) {
                titles.add(((Map<?, ?>) query).get("title"));
            }
            answer.append(" | queries: ").append(join(titles, ", "));
        }
        if (attributes.get("model") != null) {
            answer.append(" | model: ").append(attributes.get("model"));
        }
        if (attributes.get("sources") instanceof List<?> sources) {
            answer.append(" | sources: ").append(join(sources, ", "));
        }
        return CompletableFuture.completedFuture(answer.toString());
    }

    private static String join(List<?> items, String separator) {
        StringBuilder out = new StringBuilder();
        for (Object item : items) {
            out.append(out.length() == 0 ? "" : separator).append(item);
        }
        return out.toString();
    }
}
