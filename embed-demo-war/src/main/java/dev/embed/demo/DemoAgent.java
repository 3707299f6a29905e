package dev.embed.demo;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.EmbedAgent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The demo's agent (DESIGN §7): it answers every message after {@value #DELAY_MILLIS} ms,
 * deterministically, and its reply quotes the user's message, so anyone can script against the
 * demo. The same message to the same agent always gets the same reply.
 */
public final class DemoAgent implements EmbedAgent {
    /** How long the agent "thinks" before answering: long enough to see, well under a second. */
    static final long DELAY_MILLIS = 400;

    /** Longest part of the user's message the reply quotes. */
    static final int MAX_QUOTE = 280;

    private static final Executor LATER = CompletableFuture.delayedExecutor(DELAY_MILLIS, TimeUnit.MILLISECONDS);

    @Override
    public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
        String message = "";
        for (int i = conversation.size() - 1; i >= 0; i--) {
            if (ChatMessage.USER.equals(conversation.get(i).role())) {
                message = conversation.get(i).content();
                break;
            }
        }
        String answer = answer(context.agentId(), message);
        return CompletableFuture.supplyAsync(() -> answer, LATER);
    }

    /** The reply to {@code message}: a quote of it, then a line that depends only on the agent. */
    static String answer(@Nullable String agentId, String message) {
        String quote = message.strip();
        if (quote.codePointCount(0, quote.length()) > MAX_QUOTE) {
            quote = quote.substring(0, quote.offsetByCodePoints(0, MAX_QUOTE)) + "…";
        }
        String about = "sales".equals(agentId)
                ? "I'm the demo sales agent. A real one would now tell you about plans and prices;"
                        + " I quote every message, so you can script against me."
                : "I'm the demo support agent. A real one would now look into this for you;"
                        + " I quote every message, so you can script against me.";
        return "You said: \u201c" + quote + "\u201d\n\n" + about;
    }
}
