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
import dev.embed.config.EmbedConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent against a local server speaking Ollama's /api/chat stream (one JSON object per line). */
class OllamaAgentTest {
    private FakeProvider provider;
    private LangChain4jAgent agent;

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
        agent = new LangChain4jAgent(EmbedConfig.of(Map.of(
                "embed.langchain4j.provider", "ollama",
                "embed.langchain4j.baseUrl", provider.baseUrl(""),
                "embed.langchain4j.model", "llama3.2",
                "embed.langchain4j.systemPrompt", "You are the ACME support assistant.",
                "embed.langchain4j.timeoutSeconds", "2")));
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    static String line(String content) {
        return "{\"model\":\"llama3.2\",\"created_at\":\"2025-01-22T11:22:42.180546Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":" + quote(content) + "},\"done\":false}\n";
    }

    static final String DONE =
            "{\"model\":\"llama3.2\",\"created_at\":\"2025-01-22T11:22:42.223184Z\",\"message\":{\"role\":"
                    + "\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,\"total_duration\":181553584,"
                    + "\"load_duration\":27906292,\"prompt_eval_count\":36,\"prompt_eval_duration\":109000000,\"eval_count\":8,"
                    + "\"eval_duration\":42000000}\n";

    @Test
    void streamWhenProviderStreamsThenEachLineIsADelta() throws Exception {
        provider.answer(answer -> answer.status(200, "application/x-ndjson")
                .write(line("Refunds"))
                .pause(30)
                .write(line(" take 14"))
                .pause(30)
                .write(line(" days."))
                .write(DONE));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        sink.awaitComplete();

        assertEquals(List.of("Refunds", " take 14", " days."), sink.deltas());
        assertEquals(List.of(), sink.callsAfterTheEnd());
    }

    @Test
    void streamWhenCalledThenPostsToApiChatWithModelSystemAndHistoryAndNoKey() throws Exception {
        provider.answer(answer -> answer.status(200, "application/x-ndjson").write(line("Hi") + DONE));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        FakeProvider.Request request = provider.request();
        sink.awaitComplete();

        assertEquals("POST", request.method());
        assertEquals("/api/chat", request.path());
        assertNull(request.header("Authorization"));
        assertNull(request.header("Upgrade"));
        JsonNode body = json(request.body());
        assertEquals("llama3.2", body.get("model").asText());
        assertTrue(body.get("stream").asBoolean());
        JsonNode messages = body.get("messages");
        assertEquals(4, messages.size(), messages::toString);
        assertEquals("system", messages.get(0).get("role").asText());
        SystemPromptAssertions.assertComposed(messages.get(0).get("content").asText());
        assertEquals("user", messages.get(1).get("role").asText());
        assertEquals("Hi there", messages.get(1).get("content").asText());
        assertEquals("assistant", messages.get(2).get("role").asText());
        assertEquals("Hello! How can I help?", messages.get(2).get("content").asText());
        assertEquals("user", messages.get(3).get("role").asText());
        assertEquals("How long do refunds take?", messages.get(3).get("content").asText());
    }

    @Test
    void streamWhenAnApiKeyIsSetThenItIsSentAsBearerForAProxy() throws Exception {
        agent = new LangChain4jAgent(config("ollama", provider.baseUrl("")));
        provider.answer(answer -> answer.status(200, "application/x-ndjson").write(line("Hi") + DONE));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        FakeProvider.Request request = provider.request();
        sink.awaitComplete();

        assertEquals("Bearer " + API_KEY, request.header("Authorization"));
    }

    @Test
    void streamWhenProviderAnswers404ThenFailsWithTheStatusOnly() throws Exception {
        provider.answer(
                answer -> answer.status(404, "application/json").write("{\"error\":\"model 'llama3.2' not found\"}"));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertEquals("embed-langchain4j: ollama could not answer: HTTP 404", failure.getMessage());
        LeakAssertions.assertNoProviderTextOrKey(failure, "not found");
    }

    @Test
    void streamWhenALineCarriesAnErrorThenFails() throws Exception {
        provider.answer(answer -> answer.status(200, "application/x-ndjson")
                .write(line("Refunds"))
                .write("{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n"));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertEquals(List.of("Refunds"), sink.deltas());
        LeakAssertions.assertNoProviderTextOrKey(failure, "unexpected EOF");
    }

    @Test
    void streamWhenALineIsNotJsonThenFails() throws Exception {
        provider.answer(answer -> answer.status(200, "application/x-ndjson")
                .write(line("Refunds"))
                .write("{\"model\":\"llama3.2\",\"message\":{\n")
                .write(line(" take 14 days."))
                .write(DONE));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        sink.awaitFailure(Duration.ofSeconds(10));

        Thread.sleep(200);
        assertEquals(List.of("Refunds"), sink.deltas());
        assertEquals(List.of(), sink.callsAfterTheEnd());
    }

    @Test
    void streamWhenTheStreamEndsBeforeDoneThenFails() throws Exception {
        provider.answer(answer -> answer.status(200, "application/x-ndjson").write(line("Refunds take")));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertEquals(
                "embed-langchain4j: ollama could not answer: the stream ended before the reply was finished",
                failure.getMessage());
    }

    @Test
    void streamWhenProviderIsSlowerThanTheTimeoutThenFails() throws Exception {
        provider.answer(answer ->
                answer.pause(5_000).status(200, "application/x-ndjson").write(line("late") + DONE));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(4));

        assertEquals("embed-langchain4j: ollama could not answer: timed out", failure.getMessage());
    }

    @Test
    void streamWhenCancelledMidStreamThenNoMoreDeltasAndTheConnectionCloses() throws Exception {
        provider.answer(answer -> {
            answer.status(200, "application/x-ndjson").write(line("Refunds"));
            for (int i = 0; i < 100; i++) {
                answer.pause(50).write(line(" more"));
            }
            answer.write(DONE);
        });
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        assertEquals("Refunds", sink.awaitFirstDelta());
        sink.cancel();

        assertTrue(provider.clientGone.await(3, TimeUnit.SECONDS), "the provider's stream was not closed");
        assertEquals(List.of("Refunds"), sink.deltas());
        assertFalse(sink.ended());
    }
}
