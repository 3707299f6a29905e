package dev.embed.demo;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.StreamingAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The demo's agent (DESIGN §7): it answers every message deterministically, quoting the user's
 * message, so anyone can script against the demo, and it streams: the reply comes in {@value
 * #PIECES} deltas spread evenly over {@code EMBED_DEMO_AGENT_DELAY_MS} (default {@value
 * #DEFAULT_DELAY_MILLIS} ms). Every reply runs on one shared scheduler (the library's, handed to
 * {@code Embed.builder(...).scheduler(...)} as well): a reply is a few timer tasks, never a thread.
 * The same message to the same agent always gets the same reply.
 */
public final class DemoAgent implements StreamingAgent {
    /** How long the agent "thinks" by default: long enough to see, well under a second. */
    static final long DEFAULT_DELAY_MILLIS = 400;

    /** The longest delay {@code EMBED_DEMO_AGENT_DELAY_MS} may ask for. */
    static final long MAX_DELAY_MILLIS = 60_000;

    /** How many deltas a reply comes in (fewer for a reply of fewer words). */
    static final int PIECES = 5;

    /** Longest part of the user's message the reply quotes. */
    static final int MAX_QUOTE = 280;

    private final ScheduledExecutorService scheduler;
    private final long delayMillis;

    /**
     * @param scheduler the shared scheduler every reply's deltas are timed on
     * @param delayMillis the time from the message to the end of the reply (0–{@value #MAX_DELAY_MILLIS})
     */
    public DemoAgent(ScheduledExecutorService scheduler, long delayMillis) {
        if (delayMillis < 0 || delayMillis > MAX_DELAY_MILLIS) {
            throw new IllegalArgumentException(
                    "EMBED_DEMO_AGENT_DELAY_MS must be 0-" + MAX_DELAY_MILLIS + ": " + delayMillis);
        }
        this.scheduler = scheduler;
        this.delayMillis = delayMillis;
    }

    /** {@code EMBED_DEMO_AGENT_DELAY_MS} (or {@code -Dembed.demo.agentDelayMs}), else the default. */
    static long configuredDelay(@Nullable String property, @Nullable String environment) {
        String value = property != null && !property.isBlank() ? property : environment;
        if (value == null || value.isBlank()) {
            return DEFAULT_DELAY_MILLIS;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EMBED_DEMO_AGENT_DELAY_MS must be a whole number of milliseconds");
        }
    }

    @Override
    public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
        String message = "";
        for (int i = conversation.size() - 1; i >= 0; i--) {
            if (ChatMessage.USER.equals(conversation.get(i).role())) {
                message = conversation.get(i).content();
                break;
            }
        }
        List<String> pieces = pieces(answer(context.agentId(), message), PIECES);
        long step = delayMillis / pieces.size();
        // The task's future is not needed: write() ends the reply either way.
        var unused = scheduler.schedule(
                () -> write(pieces, 0, step, sink), step + delayMillis % pieces.size(), TimeUnit.MILLISECONDS);
    }

    /** Writes piece {@code index}, then times the next one: one pending task per reply at a time. */
    private void write(List<String> pieces, int index, long step, ReplySink sink) {
        if (sink.isCancelled()) {
            return; // the session ended or the library gave up: stop here
        }
        sink.delta(pieces.get(index));
        if (index + 1 == pieces.size()) {
            sink.complete();
        } else {
            try {
                var unused =
                        scheduler.schedule(() -> write(pieces, index + 1, step, sink), step, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                sink.fail(e); // shutting down
            }
        }
    }

    /** {@code text} cut after whole words into at most {@code count} pieces of about equal length. */
    static List<String> pieces(String text, int count) {
        List<String> pieces = new ArrayList<>(count);
        int target = Math.max(1, text.length() / count);
        int start = 0;
        while (start < text.length() && pieces.size() < count - 1) {
            int end = text.indexOf(' ', Math.min(text.length(), start + target));
            if (end < 0) {
                break;
            }
            pieces.add(text.substring(start, end + 1));
            start = end + 1;
        }
        if (start < text.length() || pieces.isEmpty()) {
            pieces.add(text.substring(start));
        }
        return pieces;
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
