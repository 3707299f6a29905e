package dev.embed.chat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link EmbedAgent} that writes its reply as it goes (DESIGN §9): each piece of text it emits
 * reaches the {@code /events} streams and the hosted page at once, and the finished text is stored
 * as the assistant's message.
 *
 * <pre>{@code
 * public final class EchoAgent implements StreamingAgent {
 *     private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
 *
 *     public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
 *         String text = conversation.get(conversation.size() - 1).content();
 *         // one shared timer for every reply: never a thread per reply
 *         for (int i = 0; i < 3; i++) {
 *             int part = i;
 *             timer.schedule(() -> sink.delta(part == 0 ? "You said: " : part == 1 ? text : "."),
 *                     100L * i, TimeUnit.MILLISECONDS);
 *         }
 *         timer.schedule(sink::complete, 300, TimeUnit.MILLISECONDS);
 *     }
 * }
 * }</pre>
 *
 * <p>Contract, besides that of {@link EmbedAgent}:
 *
 * <ul>
 *   <li>{@link #stream} is called on a library thread and must return quickly: do the work
 *       asynchronously (an HTTP client's callbacks, a shared scheduler), never with a thread per
 *       reply that sleeps or blocks.
 *   <li>Call {@link ReplySink#delta} any number of times, then exactly one of {@link
 *       ReplySink#complete} or {@link ReplySink#fail}; calls after that, or after the library
 *       cancelled the reply, are ignored. The stored message is the deltas concatenated; blank,
 *       failed or late replies become the "could not answer" message, as for {@link EmbedAgent}.
 *   <li>The library calls {@link #stream} (not {@link #reply}) for a streaming agent, and cancels a
 *       reply when its session ends, when it runs past {@code embed.agent.timeoutSeconds}, or when
 *       it reaches 32,000 characters (the text up to there is kept as the reply): {@link
 *       ReplySink#onCancel} callbacks run then and {@link ReplySink#isCancelled()} turns true; stop
 *       the work (close the provider's stream) to spare its cost.
 * </ul>
 */
public interface StreamingAgent extends EmbedAgent {

    /**
     * Answers the last message of {@code conversation}, writing the reply to {@code sink}.
     *
     * @param context whose session it is and what it was minted for
     * @param conversation the session's messages, oldest first, ending with the user's message to
     *     answer (as for {@link EmbedAgent#reply})
     * @param sink where the reply goes; thread-safe
     */
    void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink);

    /** The whole reply at once, for callers that do not stream: the deltas concatenated. */
    @Override
    default CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
        CompletableFuture<String> result = new CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        stream(context, conversation, new ReplySink() {
            @Override
            public void delta(String piece) {
                synchronized (text) {
                    text.append(piece);
                }
            }

            @Override
            public void complete() {
                synchronized (text) {
                    result.complete(text.toString());
                }
            }

            @Override
            public void fail(Throwable error) {
                result.completeExceptionally(error);
            }

            @Override
            public boolean isCancelled() {
                return result.isCancelled();
            }

            @Override
            public void onCancel(Runnable callback) {
                // The dependent stage only runs the callback; nothing reads its outcome.
                var unused = result.whenComplete((value, error) -> {
                    if (result.isCancelled()) {
                        callback.run();
                    }
                });
            }
        });
        return result;
    }

    /** Where a {@link StreamingAgent} writes one reply. Thread-safe; calls after the end are ignored. */
    interface ReplySink {
        /** Appends a piece of the reply (not blank-checked; may be a single character). */
        void delta(String text);

        /** The reply is finished: the deltas so far are the whole text. */
        void complete();

        /** The reply failed: the session gets the "could not answer" message; {@code error} is logged by type only. */
        void fail(Throwable error);

        /** Whether the library no longer wants this reply (session ended, timed out, shutting down). */
        boolean isCancelled();

        /** Runs {@code callback} once when the library cancels the reply (at once if it already has). */
        void onCancel(Runnable callback);
    }
}
