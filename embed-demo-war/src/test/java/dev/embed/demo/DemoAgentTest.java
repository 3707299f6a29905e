package dev.embed.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo agent of DESIGN §7: within a second, deterministic, quoting the user's message. */
class DemoAgentTest {
    private static AgentContext context(String agent) {
        return new AgentContext("ses_1", "demo", "demo", agent, "chat", "customer-1", "Kelly", Map.of());
    }

    private static List<ChatMessage> conversation(String last) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return List.of(
                new ChatMessage("m1", ChatMessage.USER, "earlier", now),
                new ChatMessage("m2", ChatMessage.ASSISTANT, "an answer", now),
                new ChatMessage("m3", ChatMessage.USER, last, now));
    }

    @Test
    void replyWhenAskedThenQuotesTheLastUserMessageWithinASecond() throws Exception {
        long start = System.nanoTime();
        String reply = new DemoAgent()
                .reply(context("support"), conversation("Where is my order?"))
                .toCompletableFuture()
                .get(1, TimeUnit.SECONDS);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(1)) < 0);
        assertTrue(reply.startsWith("You said: \u201cWhere is my order?\u201d"), reply);
    }

    @Test
    void replyWhenSameMessageTwiceThenSameText() throws Exception {
        DemoAgent agent = new DemoAgent();
        String first = agent.reply(context("sales"), conversation("Prices?"))
                .toCompletableFuture()
                .get(1, TimeUnit.SECONDS);
        String second = agent.reply(context("sales"), conversation("Prices?"))
                .toCompletableFuture()
                .get(1, TimeUnit.SECONDS);
        assertEquals(first, second);
        assertTrue(first.contains("sales"), first);
    }

    @Test
    void answerWhenMessageIsLongThenQuoteIsShortened() {
        String reply = DemoAgent.answer("support", "x".repeat(1000));
        assertTrue(reply.contains("x".repeat(DemoAgent.MAX_QUOTE) + "\u2026\u201d"), reply);
        assertTrue(reply.length() < 600, "reply length " + reply.length());
    }
}
