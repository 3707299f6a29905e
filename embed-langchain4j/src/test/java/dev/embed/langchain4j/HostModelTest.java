package dev.embed.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.EmbedConfig;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A host's own StreamingChatModel behind the agent: the same contract, with LangChain4j's handle for cancelling. */
class HostModelTest {

    /** A model that answers with the callbacks the test drives. */
    private static final class ScriptedModel implements StreamingChatModel {
        final AtomicReference<ChatRequest> request = new AtomicReference<>();
        final AtomicReference<StreamingChatResponseHandler> handler = new AtomicReference<>();
        final AtomicBoolean cancelled = new AtomicBoolean();
        final StreamingHandle handle = new StreamingHandle() {
            @Override
            public void cancel() {
                cancelled.set(true);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };

        @Override
        public void doChat(ChatRequest chatRequest, StreamingChatResponseHandler h) {
            request.set(chatRequest);
            handler.set(h);
        }

        void partial(String text) {
            handler.get().onPartialResponse(new PartialResponse(text), new PartialResponseContext(handle));
        }
    }

    @Test
    void streamWhenTheHostsModelAnswersThenDeltasAndCompleteReachTheSink() throws Exception {
        ScriptedModel model = new ScriptedModel();
        LangChain4jAgent agent = new LangChain4jAgent(
                model, EmbedConfig.of(Map.of("embed.langchain4j.systemPrompt.demo/support", "Support prompt.")));
        RecordingSink sink = new RecordingSink();

        agent.stream(Fixtures.context(), Fixtures.conversation(), sink);
        model.partial("Hel");
        model.partial("lo");
        model.handler
                .get()
                .onCompleteResponse(ChatResponse.builder()
                        .aiMessage(AiMessage.from("Hello"))
                        .build());
        sink.awaitComplete();

        assertEquals(List.of("Hel", "lo"), sink.deltas());
        SystemMessage system = (SystemMessage) model.request.get().messages().get(0);
        assertTrue(system.text().startsWith("Support prompt."), system.text());
        assertEquals(4, model.request.get().messages().size());
    }

    @Test
    void streamWhenCancelledThenTheNextPartialCancelsTheModelsStreamAndIsDropped() throws Exception {
        ScriptedModel model = new ScriptedModel();
        LangChain4jAgent agent = new LangChain4jAgent(model);
        RecordingSink sink = new RecordingSink();

        agent.stream(Fixtures.context(), Fixtures.conversation(), sink);
        model.partial("Hel");
        sink.cancel();
        assertTrue(model.cancelled.get(), "the handle seen with the first partial response is cancelled at once");
        model.partial("lo");
        model.handler
                .get()
                .onCompleteResponse(ChatResponse.builder()
                        .aiMessage(AiMessage.from("Hello"))
                        .build());

        assertEquals(List.of("Hel"), sink.deltas());
        assertEquals(List.of(), sink.callsAfterTheEnd());
        assertFalse(sink.ended());
    }

    @Test
    void streamWhenTheModelThrowsAtOnceThenFailsWithItsTypeOnly() throws Exception {
        StreamingChatModel model = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest chatRequest, StreamingChatResponseHandler handler) {
                throw new IllegalStateException("provider said: " + Fixtures.API_KEY);
            }
        };
        RecordingSink sink = new RecordingSink();

        new LangChain4jAgent(model).stream(Fixtures.context(), Fixtures.conversation(), sink);
        Throwable failure = sink.awaitFailure(Duration.ofSeconds(1));

        assertEquals(
                "embed-langchain4j: the model could not answer: java.lang.IllegalStateException", failure.getMessage());
        assertNull(failure.getCause());
        LeakAssertions.assertNoProviderTextOrKey(failure, "provider said");
    }

    @Test
    void streamWhenTheConversationIsEmptyThenFailsWithoutCallingTheModel() throws Exception {
        ScriptedModel model = new ScriptedModel();
        RecordingSink sink = new RecordingSink();

        new LangChain4jAgent(model).stream(Fixtures.context(), List.of(), sink);

        sink.awaitFailure(Duration.ofSeconds(1));
        assertNull(model.request.get());
    }

    @Test
    void replyWhenCalledWithoutStreamingThenReturnsTheWholeText() throws Exception {
        ScriptedModel model = new ScriptedModel();
        var reply = new LangChain4jAgent(model).reply(Fixtures.context(), Fixtures.conversation());
        model.partial("Hel");
        model.partial("lo");
        model.handler
                .get()
                .onCompleteResponse(ChatResponse.builder()
                        .aiMessage(AiMessage.from("Hello"))
                        .build());

        assertEquals("Hello", reply.toCompletableFuture().get());
    }
}
