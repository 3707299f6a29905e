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
import dev.embed.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent against a local server speaking OpenAI's chat-completions stream (SSE chunks, then [DONE]). */
class OpenAiAgentTest {
    private FakeProvider provider;
    private LangChain4jAgent agent;

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
        agent = new LangChain4jAgent(config("openai", provider.baseUrl("/v1")));
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    /** One chunk of the stream, as api.openai.com writes it. */
    static String chunk(String content) {
        return "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1741570283,\"model\":\"test-model-1\",\"service_tier\":\"default\","
                + "\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + quote(content) + "},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    }

    static final String FIRST =
            "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                    + "\"created\":1741570283,\"model\":\"test-model-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                    + "\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}\n\n";

    static final String LAST =
            "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                    + "\"created\":1741570283,\"model\":\"test-model-1\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
                    + "\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                    + "\"created\":1741570283,\"model\":\"test-model-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":52,"
                    + "\"completion_tokens\":7,\"total_tokens\":59}}\n\n"
                    + "data: [DONE]\n\n";

    @Test
    void streamWhenProviderStreamsThenEachChunkIsADeltaAndTheyAddUpToTheText() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream")
                .write(FIRST)
                .write(chunk("Refunds take "))
                .pause(30)
                .write(chunk("14 days"))
                .pause(30)
                .write(chunk(", counted from delivery."))
                .write(LAST));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        sink.awaitComplete();

        assertEquals(List.of("Refunds take ", "14 days", ", counted from delivery."), sink.deltas());
        assertEquals("Refunds take 14 days, counted from delivery.", sink.text());
        assertEquals(List.of(), sink.callsAfterTheEnd());
    }

    @Test
    void streamWhenCalledThenPostsTheModelHistoryAndBearerKeyToChatCompletions() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream").write(FIRST + chunk("Hi") + LAST));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        FakeProvider.Request request = provider.request();
        sink.awaitComplete();

        assertEquals("POST", request.method());
        assertEquals("/v1/chat/completions", request.path());
        assertEquals("Bearer " + API_KEY, request.header("Authorization"));
        assertNull(
                request.header("Upgrade"), "no h2c upgrade over plain http (vLLM, LiteLLM and Ollama drop the body)");
        JsonNode body = json(request.body());
        assertEquals("test-model-1", body.get("model").asText());
        assertTrue(body.get("stream").asBoolean());
        JsonNode messages = body.get("messages");
        assertEquals(4, messages.size(), messages::toString);
        assertEquals("system", messages.get(0).get("role").asText());
        SystemPromptAssertions.assertComposed(messages.get(0).get("content").asText());
        assertEquals(
                List.of("user", "assistant", "user"),
                List.of(
                        messages.get(1).get("role").asText(),
                        messages.get(2).get("role").asText(),
                        messages.get(3).get("role").asText()));
        assertEquals("Hi there", messages.get(1).get("content").asText());
        assertEquals("Hello! How can I help?", messages.get(2).get("content").asText());
        assertEquals("How long do refunds take?", messages.get(3).get("content").asText());
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 429, 500, 503})
    void streamWhenProviderAnswersAnErrorStatusThenFailsWithTheStatusOnly(int status) throws Exception {
        // OpenAI's 401 echoes (part of) the key: this one echoes all of it.
        provider.answer(answer -> answer.status(status, "application/json")
                .write("{\"error\":{\"message\":"
                        + "\"Incorrect API key provided: " + API_KEY + ". You can find your API key at"
                        + " https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"param\":null,"
                        + "\"code\":\"invalid_api_key\"}}"));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertEquals("embed-langchain4j: openai could not answer: HTTP " + status, failure.getMessage());
        assertNull(failure.getCause());
        assertEquals(List.of(), sink.deltas());
        LeakAssertions.assertNoProviderTextOrKey(failure, "Incorrect API key");
    }

    @Test
    void streamWhenAChunkIsNotJsonThenFailsAndCompletesNothing() throws Exception {
        provider.answer(answer -> answer.status(200, "text/event-stream")
                .write(FIRST)
                .write(chunk("Hel"))
                .write("data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":{\"content\":" + API_KEY + "\n\n")
                .write(chunk("lo"))
                .write(LAST));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(10));

        assertTrue(
                failure.getMessage().startsWith("embed-langchain4j: openai could not answer: "), failure::getMessage);
        assertEquals(List.of("Hel"), sink.deltas());
        Thread.sleep(200);
        assertEquals(List.of(), sink.callsAfterTheEnd(), "nothing after the failure, not even complete()");
        LeakAssertions.assertNoProviderTextOrKey(failure, "chatcmpl");
    }

    @Test
    void streamWhenProviderIsSlowerThanTheTimeoutThenFails() throws Exception {
        agent = new LangChain4jAgent(
                config("openai", provider.baseUrl("/v1"), "embed.langchain4j.timeoutSeconds", "1"));
        provider.answer(
                answer -> answer.pause(4_000).status(200, "text/event-stream").write(FIRST + chunk("late") + LAST));
        RecordingSink sink = new RecordingSink();
        long started = System.nanoTime();

        agent.stream(context(), conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(3));

        assertEquals("embed-langchain4j: openai could not answer: timed out", failure.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofMillis(2_500)) < 0);
        assertEquals(List.of(), sink.deltas());
    }

    @Test
    void streamWhenAnAnswerTakesLongerThanTheTimeoutButStartedInTimeThenCompletes() throws Exception {
        agent = new LangChain4jAgent(
                config("openai", provider.baseUrl("/v1"), "embed.langchain4j.timeoutSeconds", "1"));
        provider.answer(answer -> {
            answer.status(200, "text/event-stream").write(FIRST);
            for (int i = 0; i < 8; i++) {
                answer.pause(300).write(chunk(i + " "));
            }
            answer.write(LAST);
        });
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        sink.awaitComplete();

        assertEquals("0 1 2 3 4 5 6 7 ", sink.text(), "the timeout bounds the start of the answer, not its length");
    }

    @Test
    void streamWhenCancelledMidStreamThenNoMoreDeltasAndTheConnectionCloses() throws Exception {
        provider.answer(answer -> {
            answer.status(200, "text/event-stream").write(FIRST).write(chunk("Hel"));
            for (int i = 0; i < 100; i++) {
                answer.pause(50).write(chunk("lo"));
            }
            answer.write(LAST);
        });
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        assertEquals("Hel", sink.awaitFirstDelta());
        sink.cancel();

        assertTrue(
                provider.clientGone.await(3, java.util.concurrent.TimeUnit.SECONDS),
                "the provider's stream was not closed");
        assertEquals(List.of("Hel"), sink.deltas());
        assertEquals(List.of(), sink.callsAfterTheEnd());
        assertFalse(sink.ended(), "a cancelled reply neither completes nor fails: the library writes its own message");
    }

    @Test
    void streamWhenCancelledBeforeTheProviderAnswersThenTheConnectionCloses() throws Exception {
        provider.answer(answer -> {
            answer.pause(500).status(200, "text/event-stream").write(FIRST);
            for (int i = 0; i < 100; i++) {
                answer.pause(50).write(chunk("x"));
            }
        });
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        provider.request();
        sink.cancel();

        assertTrue(
                provider.clientGone.await(4, java.util.concurrent.TimeUnit.SECONDS),
                "the provider's stream was not closed");
        assertEquals(List.of(), sink.deltas());
        assertEquals(List.of(), sink.callsAfterTheEnd());
    }

    @Test
    void streamWhenAlreadyCancelledThenSendsNothing() throws Exception {
        RecordingSink sink = new RecordingSink();
        sink.cancel();

        agent.stream(context(), conversation(), sink);

        assertFalse(provider.receivedWithin(Duration.ofMillis(300)));
        assertFalse(sink.ended());
    }

    @Test
    void streamWhenProviderFailsThenTheLogNamesTheStatusButNeverTheKey() throws Exception {
        int before = LogCapture.records().size();
        provider.answer(answer -> answer.status(401, "application/json")
                .write("{\"error\":{\"message\":\"Incorrect API key provided: " + API_KEY + "\"}}"));
        RecordingSink sink = new RecordingSink();

        agent.stream(context(), conversation(), sink);
        sink.awaitFailure(Duration.ofSeconds(10));

        List<String> records =
                LogCapture.records().subList(before, LogCapture.records().size());
        assertTrue(records.stream().anyMatch(r -> r.contains("openai could not answer: HTTP 401")), records::toString);
        assertEquals(List.of(), LogCapture.leaks(LogCapture.records()));
    }
}
