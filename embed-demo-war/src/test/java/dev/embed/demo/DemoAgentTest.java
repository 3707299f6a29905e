package dev.embed.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.chat.StreamingAgent;
import dev.embed.testing.ManualScheduler;
import dev.embed.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The demo agent of DESIGN §7: deterministic, quoting the user's message, streamed in several
 * deltas spread over its delay on one shared scheduler (here a {@link ManualScheduler}: no
 * sleeping, no thread).
 */
class DemoAgentTest {
    private final MutableClock clock = MutableClock.start();
    private final ManualScheduler scheduler = new ManualScheduler(clock);

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
    void streamWhenAskedThenDeltasSpreadOverTheDelayAddUpToTheQuotingReply() {
        DemoAgent agent = new DemoAgent(scheduler, 400);
        Sink sink = new Sink(clock);

        agent.stream(context("support"), conversation("Where is my order?"), sink);

        assertEquals(List.of(), sink.deltas, "nothing at once");
        scheduler.advance(Duration.ofMillis(399));
        assertFalse(sink.completed);
        assertTrue(sink.deltas.size() >= 3, "several deltas before the end: " + sink.deltas);
        scheduler.advance(Duration.ofMillis(1));
        assertTrue(sink.completed);
        assertEquals(DemoAgent.PIECES, sink.deltas.size());
        assertEquals(List.of(80L, 160L, 240L, 320L, 400L), sink.times);
        String reply = String.join("", sink.deltas);
        assertTrue(reply.startsWith("You said: \u201cWhere is my order?\u201d"), reply);
        assertEquals(DemoAgent.answer("support", "Where is my order?"), reply);
        assertEquals(0, scheduler.pending(), "one pending task per reply at a time, none after it");
    }

    @Test
    void replyWhenSameMessageTwiceThenSameText() {
        DemoAgent agent = new DemoAgent(scheduler, 400);
        CompletableFuture<String> first =
                agent.reply(context("sales"), conversation("Prices?")).toCompletableFuture();
        CompletableFuture<String> second =
                agent.reply(context("sales"), conversation("Prices?")).toCompletableFuture();
        scheduler.advance(Duration.ofMillis(400));

        assertEquals(first.join(), second.join());
        assertTrue(first.join().contains("sales"), first.join());
    }

    @Test
    void streamWhenCancelledThenNoMoreDeltas() {
        DemoAgent agent = new DemoAgent(scheduler, 400);
        Sink sink = new Sink(clock);
        agent.stream(context("support"), conversation("Stop me"), sink);
        scheduler.advance(Duration.ofMillis(100));
        int before = sink.deltas.size();

        sink.cancelled = true;
        scheduler.advance(Duration.ofMillis(400));

        assertEquals(before, sink.deltas.size());
        assertFalse(sink.completed);
    }

    @Test
    void delayWhenConfiguredThenRead() {
        assertEquals(400, DemoAgent.configuredDelay(null, null));
        assertEquals(25, DemoAgent.configuredDelay(null, "25"));
        assertEquals(7, DemoAgent.configuredDelay("7", "25"));
        assertThrows(IllegalArgumentException.class, () -> DemoAgent.configuredDelay(null, "soon"));
        assertThrows(IllegalArgumentException.class, () -> new DemoAgent(scheduler, -1));
    }

    @Test
    void answerWhenMessageIsLongThenQuoteIsShortened() {
        String reply = DemoAgent.answer("support", "x".repeat(1000));
        assertTrue(reply.contains("x".repeat(DemoAgent.MAX_QUOTE) + "\u2026\u201d"), reply);
        assertTrue(reply.length() < 600, "reply length " + reply.length());
    }

    @Test
    void piecesWhenCutThenWholeWordsThatAddUp() {
        String text = DemoAgent.answer("sales", "one two three");
        List<String> pieces = DemoAgent.pieces(text, 5);
        assertEquals(5, pieces.size());
        assertEquals(text, String.join("", pieces));
        assertEquals(List.of("short"), DemoAgent.pieces("short", 5));
        assertEquals(List.of(""), DemoAgent.pieces("", 5));
    }

    /** A sink that records each delta and the clock's time at it. */
    static final class Sink implements StreamingAgent.ReplySink {
        final MutableClock clock;
        final long start;
        final List<String> deltas = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        boolean completed;
        volatile boolean cancelled;

        Sink(MutableClock clock) {
            this.clock = clock;
            this.start = clock.millis();
        }

        @Override
        public void delta(String text) {
            deltas.add(text);
            times.add(clock.millis() - start);
        }

        @Override
        public void complete() {
            completed = true;
        }

        @Override
        public void fail(Throwable error) {
            throw new AssertionError(error);
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void onCancel(Runnable callback) {}
    }
}
