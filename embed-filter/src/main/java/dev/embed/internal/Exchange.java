package dev.embed.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request and its answer, as an adapter hands them to the library's endpoint table
 * ({@link Core#handle}): the servlet and JAX-RS adapters each implement it over their own request
 * and response types, and hold no route, CORS, cache-header or base-URL rule of their own. Not an
 * API: {@code dev.embed.internal} changes without notice.
 *
 * <p>An exchange is answered exactly once: at once with {@link #respond}; later, from any thread,
 * after {@link #defer} (a long poll); or as a stream of events after {@link #events}, which holds
 * no thread while the stream is open.
 */
public interface Exchange {

    /** The request method, e.g. {@code GET}. */
    String method();

    /** The path below the application (without its context path), as sent: not decoded, without the query. */
    String rawPath();

    /**
     * The path below the application as the container routed it (decoded and normalised, e.g. a
     * servlet's {@code servletPath + pathInfo}); the library checks a token against the session
     * named in both.
     */
    String dispatchedPath();

    /** The query string as sent, or null. */
    @Nullable
    String rawQuery();

    /** Every value of the named request header, in the order received; empty when absent. */
    List<String> headers(String name);

    /** The first value of the named request header, or null. */
    default @Nullable String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** The request body; read at most once. */
    InputStream body() throws IOException;

    /** The announced {@code Content-Length}, or -1. */
    long contentLength();

    /** Scheme, host and port the request was addressed to (the {@code Host} header). */
    String scheme();

    String host();

    int port();

    /** The path of the application, without a trailing slash ({@code ""} at the root). */
    String contextPath();

    /**
     * Answers the request: status, headers, and a body when {@code contentType} is not null (none
     * for {@code HEAD}). Called once, on any thread.
     */
    void respond(int status, Map<String, String> headers, @Nullable String contentType, byte @Nullable [] body)
            throws IOException;

    /**
     * Answers as {@link #respond} does, the body written by {@code body} straight to the response
     * as it is produced (a large JSON answer is never held whole in memory, issue 13 finding 3).
     * An adapter that cannot stream gets the bytes collected first (this default).
     */
    default void respondStreaming(int status, Map<String, String> headers, String contentType, BodyWriter body)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        body.writeTo(bytes);
        respond(status, headers, contentType, bytes.toByteArray());
    }

    /** Writes a response body to the stream it is given (without closing it). */
    @FunctionalInterface
    interface BodyWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Holds the request open without holding a thread: {@link #respond} is then called later, from
     * any thread. The container may give up after {@code timeoutMillis}; {@code ended} is told when
     * it does and when the client goes away.
     */
    void defer(long timeoutMillis, Deferred ended);

    /**
     * Answers with a stream of Server-Sent Events (status 200, {@code text/event-stream}, these
     * headers), held open without a thread until {@link EventStream#close} or until the client goes
     * away ({@code ended} is told then).
     */
    EventStream events(Map<String, String> headers, Deferred ended) throws IOException;

    /** What a held request is told by its container. */
    interface Deferred {
        /** The container's own time for the request ran out: answer now, or it answers itself. */
        void timedOut();

        /** The client went away, or the request ended: nothing more can be sent. */
        void gone();
    }

    /**
     * An open stream of Server-Sent Events (WHATWG HTML §9.2): each event's {@code event:}, {@code
     * id:} and {@code data:} lines, and comment lines that keep proxies from closing it. Sending
     * never blocks the caller: frames are queued and written as the connection takes them.
     */
    interface EventStream {
        /**
         * Queues an event. {@code data} may span lines (each becomes a {@code data:} line).
         *
         * @return false when the stream is closed (the event is dropped)
         */
        boolean send(@Nullable String event, @Nullable String id, String data);

        /** Queues a comment line ({@code : text}), e.g. a keep-alive; false when closed. */
        boolean comment(String text);

        /** Bytes queued and not yet taken by the connection (a slow client's backlog). */
        long queuedBytes();

        /**
         * Runs {@code task} once, when the queue is next empty (at once, on the calling thread, if
         * it is empty now; never if the stream closes first): how a sender waits for a slow client
         * without a thread.
         */
        void whenDrained(Runnable task);

        /** Ends the stream after what is queued has been written. */
        void close();

        /**
         * An event as the text of the stream: {@code event:} and {@code id:} lines when given, a
         * {@code data:} line per line of {@code data}, then a blank line. Line breaks in {@code
         * event} and {@code id} are removed (they would end the field).
         */
        static String frame(@Nullable String event, @Nullable String id, String data) {
            StringBuilder frame = new StringBuilder(data.length() + 32);
            if (event != null) {
                frame.append("event: ").append(oneLine(event)).append('\n');
            }
            if (id != null) {
                frame.append("id: ").append(oneLine(id)).append('\n');
            }
            for (String line : data.split("\r\n|\r|\n", -1)) {
                frame.append("data: ").append(line).append('\n');
            }
            return frame.append('\n').toString();
        }

        /** A comment line ({@code : text}), which clients ignore: a keep-alive. */
        static String commentLine(String text) {
            return ": " + oneLine(text) + "\n";
        }

        private static String oneLine(String text) {
            return text.replace("\r", "").replace("\n", "");
        }
    }
}
