package dev.embed.store.jdbc;

/**
 * How the change feed waits between two reads: a plain sleep, or on PostgreSQL a wait that another
 * node's {@code NOTIFY} ends early.
 */
interface Wakeup extends AutoCloseable {
    /**
     * Waits up to {@code millis}, or less when another node signals a change.
     *
     * @return whether a signal ended the wait
     */
    boolean await(long millis) throws InterruptedException;

    /** Opens what it listens on, if anything, before the feed's first wait. */
    default void connect() {}

    /** Whether signals can arrive now (a listening connection is open). */
    boolean listening();

    @Override
    void close();

    /** Polling alone (H2, or no notifications); {@link #close} ends a wait at once. */
    static Wakeup sleeping() {
        return new Sleeping();
    }

    /** A wait that {@link #close} ends without interrupting the thread (which may be in JDBC). */
    final class Sleeping implements Wakeup {
        private boolean closed;

        @Override
        public synchronized boolean await(long millis) throws InterruptedException {
            long until = System.nanoTime() + millis * 1_000_000L;
            long left;
            while (!closed && (left = until - System.nanoTime()) > 0) {
                wait(Math.max(1, left / 1_000_000L));
            }
            return false;
        }

        @Override
        public boolean listening() {
            return false;
        }

        @Override
        public synchronized void close() {
            closed = true;
            notifyAll();
        }
    }
}
