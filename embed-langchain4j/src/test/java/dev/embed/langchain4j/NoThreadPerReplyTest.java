package dev.embed.langchain4j;

import static dev.embed.langchain4j.Fixtures.config;
import static dev.embed.langchain4j.Fixtures.context;
import static dev.embed.langchain4j.Fixtures.conversation;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Replies in flight hold no client thread: the JDK client's callbacks deliver each chunk. */
class NoThreadPerReplyTest {
    private static final int REPLIES = 50;

    @Test
    void streamWhenFiftyRepliesAreOpenThenNoClientThreadWaitsForThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (FakeProvider provider = new FakeProvider()) {
            provider.answer(answer -> {
                answer.status(200, "text/event-stream")
                        .write(OpenAiAgentTest.FIRST)
                        .write(OpenAiAgentTest.chunk("Hel"));
                release.await(20, TimeUnit.SECONDS);
                answer.write(OpenAiAgentTest.chunk("lo")).write(OpenAiAgentTest.LAST);
            });
            LangChain4jAgent agent = new LangChain4jAgent(config("openai", provider.baseUrl("/v1")));
            List<RecordingSink> sinks = new ArrayList<>();
            for (int i = 0; i < REPLIES; i++) {
                RecordingSink sink = new RecordingSink();
                sinks.add(sink);
                agent.stream(context(), conversation(), sink);
            }
            for (RecordingSink sink : sinks) {
                sink.awaitFirstDelta();
            }
            Thread.sleep(300); // let the client's pool go idle

            List<String> busy = busyClientThreads();

            release.countDown();
            for (RecordingSink sink : sinks) {
                sink.awaitComplete();
                assertEquals("Hello", sink.text());
            }
            assertEquals(List.of(), busy, "client threads busy while " + REPLIES + " replies were open");
        }
    }

    /**
     * Threads in the HTTP client's or LangChain4j's code, other than the client's selector (one
     * event loop per client): a thread that reads a stream by blocking would be one of them.
     * Matched by stack frames, as worker names differ between JDK builds.
     */
    private static List<String> busyClientThreads() {
        List<String> busy = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e :
                Thread.getAllStackTraces().entrySet()) {
            List<String> classes = Arrays.stream(e.getValue())
                    .map(StackTraceElement::getClassName)
                    .toList();
            boolean client = classes.stream()
                    .anyMatch(c -> c.startsWith("jdk.internal.net.http.")
                            || c.startsWith("dev.langchain4j.")
                            || c.startsWith("dev.embed.langchain4j."));
            boolean selector = classes.stream()
                    .anyMatch(c -> c.startsWith("jdk.internal.net.http.HttpClientImpl$SelectorManager"));
            boolean fakeProvider = classes.stream().anyMatch(c -> c.startsWith("sun.net.httpserver."));
            if (client && !selector && !fakeProvider && e.getKey() != Thread.currentThread()) {
                busy.add(e.getKey().getName() + " " + classes.subList(0, Math.min(8, classes.size())));
            }
        }
        return busy;
    }
}
