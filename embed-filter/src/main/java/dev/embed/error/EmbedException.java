package dev.embed.error;

/**
 * Carries an {@link EmbedError} out of the core to the adapter that answers the request.
 *
 * <p>It is a control-flow signal for client mistakes, so it records no stack trace.
 */
public final class EmbedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient EmbedError error;

    public EmbedException(EmbedError error) {
        super(error.code() + ": " + error.description(), null, false, false);
        this.error = error;
    }

    public EmbedError error() {
        return error;
    }
}
