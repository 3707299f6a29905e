package dev.embed.langchain4j;

import static dev.embed.langchain4j.Fixtures.API_KEY;
import static dev.embed.langchain4j.Fixtures.config;
import static dev.embed.langchain4j.Fixtures.context;
import static dev.embed.langchain4j.Fixtures.conversation;
import static dev.embed.langchain4j.Fixtures.json;
import static dev.embed.langchain4j.Fixtures.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent against a local server speaking Anthropic's Messages stream (named SSE events). */
class AnthropicAgentTest {
    private FakeProvider provider;
    private LangChain4jAgent agent;

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
        agent = new LangChain4jAgent(config("anthropic", provider.baseUrl("/v1")));
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    static final String START = "event: message_start\n"
            + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"content\":[],\"model\":\"test-model-1\",\"stop_reason\":null,\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
            + "event: content_block_start\n"
            + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "event: ping\n"
            + "data: {\"type\": \"ping\"}\n\n";

    static String delta(String text) {
        return "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
                + quote(text) + "}}\n\n";
    }

    static final String STOP = "event: content_block_stop\n"
            + "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: message_delta\n"
            + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
            + "\"usage\":{\"output_tokens\":15}}\n\n"
            + "event: message_stop\n"
            + "data: {\"type\":\"message_stop\"}\n\n";

    @Test
    void streamWhenProviderStreamsThenEachTextDeltaIsADelta() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream")
                .write(START)
                .write(delta("Refunds "))
                .pause(30)
                .write(delta("take 14 "))
                .pause(30)
                .write(delta("days."))
                .write(STOP));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        sink.awaitComplete();

        assertEquals(List.of("Refunds ", "take 14 ", "days."), sink.deltas());
        assertEquals("Refunds take 14 days.", sink.text());
        assertEquals(List.of(), sink.callsAfterTheEnd());
    }

    @Test
    void streamWhenCalledThenPostsToMessagesWithXApiKeyVersionSystemAndHistory() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream").write(START + delta("Hi") + STOP));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        FakeProvider.Request request = provider.request();
        sink.awaitComplete();

        assertEquals("POST", request.method());
        assertEquals("/v1/messages", request.path());
        assertEquals(API_KEY, request.header("x-api-key"));
        assertEquals("2023-06-01", request.header("anthropic-version"));
        assertNull(request.header("Authorization"));
        JsonNode body = json(request.body());
        assertEquals("test-model-1", body.get("model").asText());
        assertTrue(body.get("stream").asBoolean());
        SystemPromptAssertions.assertComposed(text(body.get("system")));
        JsonNode messages = body.get("messages");
        List<String> roles = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        messages.forEach(m -> {
            roles.add(m.get("role").asText());
            texts.add(text(m.get("content")));
        });
        assertEquals(List.of("user", "assistant", "user"), roles);
        assertEquals(List.of("Hi there", "Hello! How can I help?", "How long do refunds take?"), texts);
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 500, 529})
    void streamWhenProviderAnswersAnErrorStatusThenFailsWithTheStatusOnly(int status) throws Exception {
        provider.answer(answer -> answer.status(status, "application/json")
                .write("{\"type\":\"error\",\"error\":"
                        + "{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key " + API_KEY + "\"}}"));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertEquals("embed-langchain4j: anthropic could not answer: HTTP " + status, failure.getMessage());
        assertEquals(List.of(), sink.deltas());
        LeakAssertions.assertNoProviderTextOrKey(failure, "authentication_error");
    }

    @Test
    void streamWhenAnErrorEventArrivesMidStreamThenFails() throws Exception {
        provider.answer(
                answer -> answer.status(200, "text/event-stream")
                        .write(START)
                        .write(delta("Refunds "))
                        .write(
                                "event: error\n"
                                        + "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertEquals(List.of("Refunds "), sink.deltas());
        LeakAssertions.assertNoProviderTextOrKey(failure, "Overloaded");
    }

    @Test
    void streamWhenAnEventIsNotJsonThenFails() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream")
                .write(START)
                .write(delta("Refunds "))
                .write(
                        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\n\n")
                .write(delta("take 14 days."))
                .write(STOP));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        sink.awaitFailure(Duration.ofSeconds(10));

        Thread.sleep(200);
        assertEquals(List.of("Refunds "), sink.deltas(), "a malformed event ends the reply; it is not skipped");
        assertEquals(List.of(), sink.callsAfterTheEnd());
    }

    @Test
    void streamWhenTheStreamEndsBeforeMessageStopThenFails() throws Exception {
        provider.answer(
                answer -> answer.status(200, "text/event-stream").write(START).write(delta("Refunds take")));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertEquals(
                "embed-langchain4j: anthropic could not answer: the stream ended before the reply was finished",
                failure.getMessage());
        assertEquals(List.of("Refunds take"), sink.deltas());
    }

    @Test
    void streamWhenCancelledMidStreamThenNoMoreDeltasAndTheConnectionCloses() throws Exception {
        provider.answer(answer -> {
            answer.status(200, "text/event-stream").write(START).write(delta("Refunds"));
            for (int i = 0; i < 100; i++) {
                answer.pause(50).write(delta(" more"));
            }
            answer.write(STOP);
        });
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        assertEquals("Refunds", sink.awaitFirstDelta());
        sink.cancel();

        assertTrue(provider.clientGone.await(3, TimeUnit.SECONDS), "the provider's stream was not closed");
        assertEquals(List.of("Refunds"), sink.deltas());
        assertEquals(List.of(), sink.callsAfterTheEnd());
        assertFalse(sink.ended());
    }

    /** A string, or the text blocks of a content array, joined. */
    private static String text(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        StringBuilder text = new StringBuilder();
        node.forEach(block -> text.append(block.get("text").asText()));
        return text.toString();
    }
}
