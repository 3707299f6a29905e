package dev.embed.langchain4j;

import dev.embed.chat.StreamingAgent.ReplySink;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One reply: passes the model's partial responses on to the sink as deltas, then exactly one of
 * {@code complete} or {@code fail}; nothing after the end or after the library cancelled it. On
 * cancellation or failure it closes the provider's stream, through the HTTP client's handle (from
 * the request's start) or LangChain4j's {@link StreamingHandle} (from the first partial response,
 * for a host's own model).
 */
final class Reply implements StreamingChatResponseHandler {
    private static final System.Logger LOG = System.getLogger("dev.embed.langchain4j");

    private final ReplySink sink;
    private final String provider;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile StreamingHttpClient.@Nullable Stream stream;
    private volatile @Nullable StreamingHandle handle;

    Reply(ReplySink sink, String provider) {
        this.sink = sink;
        this.provider = provider;
    }

    boolean isDone() {
        return done.get();
    }

    /** The HTTP stream of this reply, as the request starts (on the thread calling the model). */
    void attach(StreamingHttpClient.Stream started) {
        stream = started;
        started.onEnd(this::streamEnded);
        if (done.get()) {
            started.cancel();
        }
    }

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        if (handle == null) {
            handle = context.streamingHandle();
        }
        if (done.get() || sink.isCancelled()) {
            cancel();
            return;
        }
        String text = partial.text();
        if (text != null && !text.isEmpty()) {
            sink.delta(text);
        }
    }

    @Override
    public void onPartialResponse(String partialResponse) {
        // Only the two-argument form is called: the one that carries the cancellation handle.
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
        if (done.compareAndSet(false, true)) {
            sink.complete();
        }
    }

    @Override
    public void onError(Throwable error) {
        fail(ProviderException.of(provider, error));
    }

    /** The stream is over: a reply that has not finished by then never will. */
    private void streamEnded() {
        if (!done.get()) {
            fail(new ProviderException(provider, "the stream ended before the reply was finished"));
        }
    }

    void fail(ProviderException failure) {
        if (done.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, failure.getMessage());
            closeStream();
            sink.fail(failure);
        }
    }

    /** The library cancelled the reply (session ended, timed out): stop the provider's work. */
    void cancel() {
        done.set(true);
        closeStream();
    }

    private void closeStream() {
        StreamingHttpClient.Stream s = stream;
        if (s != null) {
            s.cancel();
        }
        StreamingHandle h = handle;
        if (h != null && !h.isCancelled()) {
            try {
                h.cancel();
            } catch (RuntimeException unsupported) {
                // a model whose HTTP client cannot cancel: the deltas stop here all the same
            }
        }
    }
}
