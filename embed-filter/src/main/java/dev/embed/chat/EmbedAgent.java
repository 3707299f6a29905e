package dev.embed.chat;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The agent behind the embed endpoints: the one interface the host app implements to answer its
 * customers' end users. The library stores each message the end user sends, answers the request
 * with {@code 202}, then asks the agent for a reply and appends it to the session, where the
 * browser or device fetches (or long-polls) it.
 *
 * <p>Name the class in {@code embed.agent} (it needs a public no-arg or {@code (EmbedConfig)}
 * constructor) or pass an instance to {@code Embed.builder(config).agent(...)}:
 *
 * <pre>{@code
 * public final class SupportAgent implements EmbedAgent {
 *     private final HelpDeskClient helpDesk = HelpDeskClient.create();   // the host app's own async client
 *
 *     public CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation) {
 *         ChatMessage question = conversation.get(conversation.size() - 1);
 *         if (question.content().equalsIgnoreCase("ping")) {
 *             return CompletableFuture.completedFuture("pong");
 *         }
 *         // e.g. a CompletableFuture<String> from an HTTP client: no thread waits for the answer
 *         return helpDesk.answer(context.agentId(), context.mode(), conversation);
 *     }
 * }
 * }</pre>
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #reply} is called on a library thread from a bounded pool, one call at a time per
 *       session, in the order the user's messages were stored; calls for different sessions run
 *       concurrently. It should return quickly and do its work asynchronously: a call that blocks
 *       holds one of a few shared threads. Time a reply on one shared scheduler (or an HTTP
 *       client's callbacks), never with a thread per reply: {@code
 *       CompletableFuture.delayedExecutor} without an executor, or {@code supplyAsync} with a
 *       sleep, starts or holds a thread for every reply in flight. Implement {@link
 *       StreamingAgent} to show the reply as it is written.
 *   <li>The returned stage's text becomes the assistant's message. If the stage fails, completes
 *       with null or blank text, or does not complete within {@code embed.agent.timeoutSeconds},
 *       the library appends an assistant message saying the agent could not answer (it never shows
 *       the exception) and logs the failure's type; a late result is then ignored.
 *   <li>The library cancels the stage ({@code toCompletableFuture().cancel(true)}, where the stage
 *       allows it) when its time is up or its session ends; stop the work then to spare its cost.
 *   <li>A reply longer than 32,000 characters is cut there; the rest is never stored.
 *   <li>A message is answered once: with several nodes, the node that claims its turn calls the
 *       agent (the store decides); if that node dies, another calls it again.
 *   <li>The library closes an agent that is {@link AutoCloseable} when it stops ({@code
 *       Embed.close()}).
 *   <li>Implementations are thread-safe. They receive end users' text: they must not log it
 *       unless the host app's policy allows it.
 * </ul>
 */
@FunctionalInterface
public interface EmbedAgent {

    /**
     * Answers the last message of {@code conversation}.
     *
     * @param context whose session it is and what it was minted for
     * @param conversation the session's messages, oldest first, ending with the user's message to
     *     answer; user messages sent after it are left out (they get their own call). Unmodifiable;
     *     at most {@code embed.chat.maxMessagesPerSession} long
     * @return the reply's text, when it is ready
     */
    CompletionStage<String> reply(AgentContext context, List<ChatMessage> conversation);
}
