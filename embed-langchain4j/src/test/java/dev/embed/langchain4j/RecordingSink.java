package dev.embed.langchain4j;

import dev.embed.chat.StreamingAgent.ReplySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link ReplySink} that records what the agent wrote, and that a test can cancel. */
final class RecordingSink implements ReplySink {
    private final List<String> deltas = new CopyOnWriteArrayList<>();
    private final List<Runnable> onCancel = new ArrayList<>();
    /** Completes with null on complete(), exceptionally with the failure on fail(). */
    private final CompletableFuture<Void> end = new CompletableFuture<>();
    /** Every call after the end: the contract says there must be none that matter. */
    private final List<String> late = new CopyOnWriteArrayList<>();

    private final CompletableFuture<String> firstDelta = new CompletableFuture<>();
    private volatile boolean cancelled;

    @Override
    public void delta(String text) {
        if (end.isDone() || cancelled) {
            late.add("delta");
            return;
        }
        deltas.add(text);
        firstDelta.complete(text);
    }

    @Override
    public void complete() {
        if (!end.complete(null)) {
            late.add("complete");
        }
    }

    @Override
    public void fail(Throwable error) {
        if (!end.completeExceptionally(error)) {
            late.add("fail");
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable callback) {
        boolean now;
        synchronized (onCancel) {
            now = cancelled;
            if (!now) {
                onCancel.add(callback);
            }
        }
        if (now) {
            callback.run();
        }
    }

    /** What the library does when the session ends or the agent times out. */
    void cancel() {
        List<Runnable> callbacks;
        synchronized (onCancel) {
            cancelled = true;
            callbacks = List.copyOf(onCancel);
        }
        callbacks.forEach(Runnable::run);
    }

    List<String> deltas() {
        return List.copyOf(deltas);
    }

    String text() {
        return String.join("", deltas);
    }

    List<String> callsAfterTheEnd() {
        return List.copyOf(late);
    }

    /** Waits for complete() (returns) or fail() (throws AssertionError). */
    void awaitComplete() throws InterruptedException, TimeoutException {
        try {
            end.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the reply failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits for fail() and returns its error; complete() is an AssertionError. */
    Throwable awaitFailure(Duration within) throws InterruptedException, TimeoutException {
        try {
            end.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the reply completed instead of failing: " + text());
    }

    String awaitFirstDelta() throws Exception {
        return firstDelta.get(10, TimeUnit.SECONDS);
    }

    boolean ended() {
        return end.isDone();
    }
}
