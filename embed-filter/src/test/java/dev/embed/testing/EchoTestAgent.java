package dev.embed.testing;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A deterministic agent for HTTP tests: after 150 ms it answers "You said: <last user message>". */
public final class EchoTestAgent implements EmbedAgent {
    @Override
    public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
        String last = "";
        for (ChatMessage message : conversation) {
            if ("user".equals(message.role())) {
                last = message.content();
            }
        }
        String answer = "You said: " + last;
        return CompletableFuture.supplyAsync(
                () -> answer, CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS));
    }
}
