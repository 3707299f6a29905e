package dev.embed.testing;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.StreamingAgent;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic agent for HTTP tests: it answers "You said: <last user message>" in three deltas
 * ("You said: ", then each half of the message) spread over 150 ms, on one shared timer thread.
 */
public final class EchoTestAgent implements StreamingAgent {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "echo-test-agent");
        thread.setDaemon(true);
        return thread;
    });

    /** The reply to {@code message}: what the deltas add up to. */
    public static String replyTo(String message) {
        return "You said: " + message;
    }

    @Override
    public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
        String last = "";
        for (ChatMessage message : conversation) {
            if ("user".equals(message.role())) {
                last = message.content();
            }
        }
        int half = last.offsetByCodePoints(0, last.codePointCount(0, last.length()) / 2);
        String first = last.substring(0, half);
        String second = last.substring(half);
        TIMER.schedule(() -> sink.delta("You said: "), 50, TimeUnit.MILLISECONDS);
        TIMER.schedule(() -> sink.delta(first), 100, TimeUnit.MILLISECONDS);
        TIMER.schedule(
                () -> {
                    sink.delta(second);
                    sink.complete();
                },
                150,
                TimeUnit.MILLISECONDS);
    }
}
