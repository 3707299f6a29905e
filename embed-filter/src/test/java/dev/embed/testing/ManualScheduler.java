package dev.embed.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ScheduledExecutorService} that tests drive: {@link #execute} runs a task at once, on the
 * calling thread, and scheduled tasks run only when the test {@linkplain #advance advances} the
 * {@link MutableClock} past their time (each with the clock set to its own time), so that code
 * with timers is tested without sleeping and without other threads. Thread-safe; tasks run on the
 * thread that advances.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final MutableClock clock;
    private final PriorityQueue<Task<?>> tasks = new PriorityQueue<>(
            Comparator.<Task<?>>comparingLong(t -> t.dueMillis).thenComparingLong(t -> t.order));
    private final AtomicLong order = new AtomicLong();
    private volatile boolean shutdown;

    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    /** Moves the clock forward by {@code by}, running every task that falls due on the way, in time order. */
    public void advance(Duration by) {
        long target = clock.millis() + by.toMillis();
        while (true) {
            Task<?> next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.dueMillis > target) {
                    break;
                }
                tasks.poll();
            }
            if (next.dueMillis > clock.millis()) {
                clock.set(java.time.Instant.ofEpochMilli(next.dueMillis));
            }
            next.run();
        }
        clock.set(java.time.Instant.ofEpochMilli(Math.max(clock.millis(), target)));
    }

    /** Scheduled tasks not yet run nor cancelled. */
    public synchronized int pending() {
        return (int) tasks.stream().filter(t -> !t.isCancelled()).count();
    }

    @Override
    public void execute(Runnable command) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        command.run();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(new Task<>(java.util.concurrent.Executors.callable(command), dueIn(delay, unit), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return add(new Task<>(callable, dueIn(delay, unit), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(new Task<>(
                java.util.concurrent.Executors.callable(command), dueIn(initialDelay, unit), unit.toMillis(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return add(new Task<>(
                java.util.concurrent.Executors.callable(command), dueIn(initialDelay, unit), unit.toMillis(delay)));
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        synchronized (this) {
            tasks.clear();
        }
        return new ArrayList<>();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    private long dueIn(long delay, TimeUnit unit) {
        return clock.millis() + Math.max(0, unit.toMillis(delay));
    }

    private synchronized <V> Task<V> add(Task<V> task) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        tasks.add(task);
        return task;
    }

    /** A scheduled task; periodic ones put themselves back after each run. */
    private final class Task<V> implements ScheduledFuture<V> {
        final Callable<V> callable;
        final long periodMillis;
        final long order = ManualScheduler.this.order.incrementAndGet();
        final CompletableFuture<V> result = new CompletableFuture<>();
        volatile long dueMillis;

        Task(Callable<V> callable, long dueMillis, long periodMillis) {
            this.callable = callable;
            this.dueMillis = dueMillis;
            this.periodMillis = periodMillis;
        }

        void run() {
            if (result.isDone()) {
                return;
            }
            try {
                V value = callable.call();
                if (periodMillis > 0) {
                    dueMillis = clock.millis() + periodMillis;
                    synchronized (ManualScheduler.this) {
                        if (!shutdown) {
                            tasks.add(this);
                        }
                    }
                } else {
                    result.complete(value);
                }
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueMillis - clock.millis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = result.cancel(false);
            synchronized (ManualScheduler.this) {
                tasks.remove(this);
            }
            return cancelled;
        }

        @Override
        public boolean isCancelled() {
            return result.isCancelled();
        }

        @Override
        public boolean isDone() {
            return result.isDone();
        }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            return result.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return result.get(timeout, unit);
        }
    }
}
