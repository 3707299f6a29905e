package dev.embed.internal;

import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Requests held until something happens in their session (DESIGN §4's {@code wait}), without a
 * thread each: a waiting request is a future in a map by session. The store's {@link
 * EmbedStore.Listener} wakes the session's waiters when a message is stored there, on this node or
 * another; each reads again and completes if it now has something to answer. A timer on the shared
 * scheduler ends each wait with what there is then. Futures are completed on the delivery
 * executor, never on the thread that stored the message (a request thread) or the timer.
 *
 * <p>Thread-safe.
 */
final class LongPolls implements EmbedStore.Listener {
    private static final System.Logger LOG = System.getLogger("dev.embed.chat");

    private final ScheduledExecutorService scheduler;
    private final Executor delivery;
    private final Map<String, Set<Waiter<?>>> waiters = new ConcurrentHashMap<>();
    private volatile boolean closed;

    LongPolls(ScheduledExecutorService scheduler, Executor delivery) {
        this.scheduler = scheduler;
        this.delivery = delivery;
    }

    /**
     * Waits up to {@code waitMillis} for an answer of the session that {@code ready} accepts.
     *
     * @param read reads the answer as it is now; may throw {@link EmbedException}
     * @return completes with the first ready answer, or with the answer as it is when the wait is
     *     over; exceptionally with 404 when the session ends meanwhile, 503 when the library closes.
     *     Cancelling it ends the wait.
     */
    <T> CompletableFuture<T> await(String sessionId, Supplier<T> read, Predicate<T> ready, long waitMillis) {
        if (closed) {
            throw closing();
        }
        Waiter<T> waiter = new Waiter<>(sessionId, read, ready);
        // Added inside compute(): forget() may drop an emptied set at the same moment.
        waiters.compute(sessionId, (k, set) -> {
            Set<Waiter<?>> live = set != null ? set : ConcurrentHashMap.newKeySet();
            live.add(waiter);
            return live;
        });
        // The callback's own future is not needed: forget() cannot fail.
        var unused = waiter.future.whenComplete((answer, error) -> forget(waiter));
        // Something stored between the caller's read and the registration found no waiter to wake.
        waiter.poll();
        if (!waiter.future.isDone()) {
            waiter.expiry = scheduler.schedule(() -> deliver(waiter::finish), waitMillis, TimeUnit.MILLISECONDS);
            if (waiter.future.isDone()) {
                cancel(waiter.expiry);
            }
        }
        return waiter.future;
    }

    @Override
    public void messageStored(String sessionId) {
        Set<Waiter<?>> set = waiters.get(sessionId);
        if (set != null) {
            for (Waiter<?> waiter : set) {
                deliver(waiter::poll);
            }
        }
    }

    @Override
    public void sessionEnded(String sessionId) {
        Set<Waiter<?>> set = waiters.get(sessionId);
        if (set != null) {
            for (Waiter<?> waiter : set) {
                waiter.future.completeExceptionally(
                        EmbedError.notFound("this chat session has ended; mint a new token for a new session")
                                .toException());
            }
        }
    }

    /** Requests waiting right now, across sessions (for metrics and tests). */
    int waiting() {
        int count = 0;
        for (Set<Waiter<?>> set : waiters.values()) {
            count += set.size();
        }
        return count;
    }

    /** Ends every wait with 503: the library is shutting down. */
    void close() {
        closed = true;
        for (Set<Waiter<?>> set : waiters.values()) {
            for (Waiter<?> waiter : set) {
                waiter.future.completeExceptionally(closing());
            }
        }
    }

    private void deliver(Runnable task) {
        try {
            delivery.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void forget(Waiter<?> waiter) {
        cancel(waiter.expiry);
        waiters.computeIfPresent(waiter.sessionId, (sid, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    private static void cancel(@Nullable ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    static EmbedException closing() {
        return EmbedError.serviceUnavailable("the server is shutting down; retry in a moment")
                .toException();
    }

    /** One waiting request. */
    private static final class Waiter<T> {
        final String sessionId;
        final Supplier<T> read;
        final Predicate<T> ready;
        final CompletableFuture<T> future = new CompletableFuture<>();
        volatile @Nullable ScheduledFuture<?> expiry;

        Waiter(String sessionId, Supplier<T> read, Predicate<T> ready) {
            this.sessionId = sessionId;
            this.read = read;
            this.ready = ready;
        }

        /** Completes with the answer if it is ready now. */
        void poll() {
            if (future.isDone()) {
                return;
            }
            try {
                T answer = read.get();
                if (ready.test(answer)) {
                    future.complete(answer);
                }
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        /** The wait is over: completes with the answer as it is. */
        void finish() {
            if (future.isDone()) {
                return;
            }
            try {
                future.complete(read.get());
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        private void fail(RuntimeException e) {
            if (!(e instanceof EmbedException)) {
                LOG.log(
                        System.Logger.Level.ERROR,
                        "embed: could not read the messages of session " + sessionId + ": "
                                + e.getClass().getName(),
                        e);
            }
            future.completeExceptionally(e);
        }
    }
}
