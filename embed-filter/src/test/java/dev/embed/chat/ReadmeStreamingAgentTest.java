package dev.embed.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's streaming agent example compiles and works: the class below is the README's text
 * (checked line by line), and it streams its pieces on a shared scheduler.
 */
class ReadmeStreamingAgentTest {
    private static final String MARKER = "<!-- streaming-agent-example: compiled by ReadmeStreamingAgentTest -->";

    // README:begin
    public static final class CountingAgent implements StreamingAgent {
        private final ScheduledExecutorService timer; // shared by every reply, e.g. the one given to Embed.builder

        public CountingAgent(ScheduledExecutorService timer) {
            this.timer = timer;
        }

        @Override
        public void stream(AgentContext context, List<ChatMessage> conversation, ReplySink sink) {
            String question = conversation.get(conversation.size() - 1).content();
            List<String> pieces = List.of("You asked: ", question, ". ", "One, ", "two, ", "three.");
            for (int i = 0; i < pieces.size(); i++) {
                String piece = pieces.get(i);
                timer.schedule(() -> sink.delta(piece), 100L * i, TimeUnit.MILLISECONDS);
            }
            timer.schedule(sink::complete, 100L * pieces.size(), TimeUnit.MILLISECONDS);
            sink.onCancel(() -> {
                /* the session ended or the time ran out: stop the work here */
            });
        }
    }
    // README:end

    @Test
    void readmeWhenReadThenItsStreamingAgentIsThisClass() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int marker = readme.indexOf(MARKER);
        assertTrue(marker >= 0, "the README lost its streaming agent example");
        int start = readme.indexOf("```java\n", marker) + "```java\n".length();
        String example = readme.substring(start, readme.indexOf("```", start));
        String source = Files.readString(
                Path.of("src/test/java/dev/embed/chat/ReadmeStreamingAgentTest.java"), StandardCharsets.UTF_8);
        String ours = source.substring(
                source.indexOf("// README:begin\n") + "// README:begin\n".length(),
                source.indexOf("    // README:end"));
        assertEquals(normalise(example), normalise(ours.replace("public static final class", "public final class")));
    }

    @Test
    void agentWhenStreamingThenItsPiecesAddUpOnTheSharedScheduler() {
        dev.embed.testing.MutableClock clock = dev.embed.testing.MutableClock.start();
        dev.embed.testing.ManualScheduler timer = new dev.embed.testing.ManualScheduler(clock);
        List<String> deltas = new ArrayList<>();
        boolean[] completed = {false};
        new CountingAgent(timer)
                .stream(
                        new AgentContext("ses_1", "acme", "demo", "support", "chat", "u", "Ada", Map.of()),
                        List.of(new ChatMessage("m1", ChatMessage.USER, "how far?", Instant.EPOCH)),
                        new StreamingAgent.ReplySink() {
                            @Override
                            public void delta(String text) {
                                deltas.add(text);
                            }

                            @Override
                            public void complete() {
                                completed[0] = true;
                            }

                            @Override
                            public void fail(Throwable error) {}

                            @Override
                            public boolean isCancelled() {
                                return false;
                            }

                            @Override
                            public void onCancel(Runnable callback) {}
                        });
        timer.advance(java.time.Duration.ofSeconds(1));
        assertEquals("You asked: how far?. One, two, three.", String.join("", deltas));
        assertTrue(completed[0]);
    }

    /** Lines without their indentation or blanks, and the formatter's line breaks in a lambda's comment. */
    private static List<String> normalise(String code) {
        List<String> lines = new ArrayList<>();
        for (String line :
                code.replace("{ /*", "{\n/*").replace("*/ });", "*/\n});").split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }
}
