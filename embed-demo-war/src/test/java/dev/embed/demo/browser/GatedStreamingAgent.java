package dev.embed.demo.browser;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.StreamingAgent;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A streaming agent the test paces: it writes "Part one of: <message>" at once, then waits for
 * {@link #finishAll()} to write " - and the end." and complete. So a test sees a reply on the page
 * while it is being written, without timing anything. The library loads it by name ({@code
 * embed.agent}); it lives in the test JVM with the server, so the static gate is the test's.
 */
public final class GatedStreamingAgent implements StreamingAgent {
    private static final LinkedBlockingQueue<ReplySink> WAITING = new LinkedBlockingQueue<>();

    /** The finished reply to {@code message}. */
    static String replyTo(String message) {
        return "Part one of: " + message + " - and the end.";
    }

    @Override
    public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
        String last = conversation.get(conversation.size() - 1).content();
        sink.delta("Part one of: " + last);
        WAITING.add(sink);
    }

    /** Finishes every reply written so far. */
    static void finishAll() {
        ReplySink sink;
        while ((sink = WAITING.poll()) != null) {
            sink.delta(" - and the end.");
            sink.complete();
        }
    }

    /** Replies waiting for {@link #finishAll()}. */
    static int waiting() {
        return WAITING.size();
    }
}
