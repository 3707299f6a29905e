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

    /** Polling alone (H2, or no notifications). */
    static Wakeup sleeping() {
        return new Wakeup() {
            @Override
            public boolean await(long millis) throws InterruptedException {
                Thread.sleep(millis);
                return false;
            }

            @Override
            public boolean listening() {
                return false;
            }

            @Override
            public void close() {}
        };
    }
}
