package dev.embed.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.sse.DefaultServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The non-blocking SSE reader: framing as the SSE specification and LangChain4j's own parser have it. */
class StreamingHttpClientTest {
    private FakeProvider provider;
    private StreamingHttpClient client;

    @BeforeEach
    void start() throws IOException {
        provider = new FakeProvider();
        client = StreamingHttpClient.builder(provider.baseUrl(""), stream -> {})
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .build();
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    @Test
    void executeWhenEventsUseCrLfCrCommentsAndMultiLineDataThenEachEventIsWhole() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream")
                .write(": a comment\r\nevent: one\r\ndata: first\r\ndata:  second line\r\n\r\n")
                .write("event: two\rdata: 2\r\r")
                .write("id: 7\nretry: 100\ndata: {\"split\":")
                .pause(20)
                .write(" \"across writes\"}\n\n")
                .write("data: héllo wörld ✓\n\n")
                .write("data: last, without a blank line"));
        Listener listener = new Listener();

        client.execute(request(), new DefaultServerSentEventParser(), listener);
        listener.closed.get(5, TimeUnit.SECONDS);

        assertEquals(
                List.of(
                        "one|first\n second line",
                        "two|2",
                        "null|{\"split\": \"across writes\"}",
                        "null|héllo wörld ✓",
                        "null|last, without a blank line"),
                listener.events);
    }

    @Test
    void executeWhenALineExceedsTheLimitThenFailsTheStream() throws Exception {
        String big = "x".repeat(StreamingHttpClient.MAX_LINE_BYTES + 1);
        provider.answer(answer -> answer.status(200, "text/event-stream").write("data: " + big + "\n\n"));
        Listener listener = new Listener();

        client.execute(request(), new DefaultServerSentEventParser(), listener);

        Throwable error = listener.error.get(5, TimeUnit.SECONDS);
        assertInstanceOf(IOException.class, error);
        Thread.sleep(100);
        assertEquals(0, listener.events.size(), "the oversized event was passed on");
        assertTrue(!listener.closed.isDone(), "no onClose after onError");
    }

    @Test
    void executeWhenStatusIsAnErrorThenOnErrorHasTheStatusAndNotTheBody() throws Exception {
        provider.answer(answer -> answer.status(502, "text/plain").write("upstream secret details"));
        Listener listener = new Listener();

        client.execute(request(), new DefaultServerSentEventParser(), listener);

        HttpException error = assertInstanceOf(HttpException.class, listener.error.get(5, TimeUnit.SECONDS));
        assertEquals(502, error.statusCode());
        assertEquals("HTTP 502", error.getMessage());
    }

    @Test
    void executeWhenTheListenerThrowsThenTheStreamEndsWithOnError() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream").write("data: a\n\ndata: b\n\n"));
        Listener listener = new Listener() {
            @Override
            public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
                super.onEvent(event, context);
                throw new IllegalStateException("cannot parse");
            }
        };

        client.execute(request(), new DefaultServerSentEventParser(), listener);

        assertInstanceOf(IllegalStateException.class, listener.error.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("null|a"), listener.events);
        assertTrue(!listener.closed.isDone(), "no onClose after onError");
    }

    @Test
    void executeWhenTheParserIsUnknownThenRefusesRatherThanBlockAThread() {
        assertThrows(IllegalArgumentException.class, () -> client.execute(request(), (in, l) -> {}, new Listener()));
    }

    private HttpRequest request() {
        return HttpRequest.builder()
                .method(HttpMethod.POST)
                .url(provider.baseUrl("/stream"))
                .body("{}")
                .build();
    }

    private static class Listener implements ServerSentEventListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();

        @Override
        public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
            events.add(event.event() + "|" + event.data());
        }

        @Override
        public void onError(Throwable throwable) {
            error.complete(throwable);
        }

        @Override
        public void onClose() {
            closed.complete(null);
        }
    }
}
