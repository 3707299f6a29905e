package dev.embed.internal;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One row of the endpoint table ({@link Endpoints}): a method and a path template, how the caller
 * authenticates, how browsers may call it, how the answer may be cached, and the handler. Both
 * adapters serve every row the same way through {@link Dispatcher}.
 */
record Endpoint(String method, PathTemplate path, Auth auth, Cors cors, Cache cache, Handler handler) {

    /** How the caller of a row authenticates. */
    enum Auth {
        /** No credential (pages, JWKS, flow D's redemption: the cache key is its credential). */
        NONE,
        /** {@code Authorization: Bearer sk_...}: the customer's API key, server-to-server (DESIGN §3.1, §3.3, §3.4). */
        API_KEY,
        /** {@code api-secret: sk_...}: the API key as flow C sends it (DESIGN §3.2). */
        API_SECRET,
        /** {@code Authorization: Bearer <embed token>} for the path's {@code {sessionId}} (DESIGN §4). */
        EMBED_TOKEN
    }

    /** What browsers may do with a row. */
    enum Cors {
        /** Server-to-server: any {@code OPTIONS} (a preflight) answers 403 with no {@code Access-Control-*}. */
        SERVER_TO_SERVER,
        /**
         * Called from pages of {@code embed.cors.allowedOrigins} with the {@code Authorization}
         * header, never credentials: preflights answered, {@code X-Frame-Options: DENY} on every
         * answer (DESIGN §4).
         */
        BROWSER,
        /** Public files any origin may read ({@code Access-Control-Allow-Origin: *}). */
        PUBLIC,
        /** Same-origin only: the hosted pages and their assets. */
        SAME_ORIGIN
    }

    /** The {@code Cache-Control} of a row's answers, unless the handler's answer sets its own. */
    enum Cache {
        NO_STORE("no-store"),
        /** An event stream (DESIGN §4): never stored, never transformed (compressed, buffered) on the way. */
        EVENTS("no-cache, no-transform"),
        SHORT("public, max-age=300"),
        IMMUTABLE("public, max-age=31536000, immutable");

        private final String header;

        Cache(String header) {
            this.header = header;
        }

        String header() {
            return header;
        }
    }

    /** Answers a call to a row: at once, or later (a long poll). */
    @FunctionalInterface
    interface Handler {
        CompletionStage<Reply> handle(Call call) throws IOException;
    }

    /**
     * Opens a stream of Server-Sent Events: {@link #open} checks the call (its refusals are {@link
     * dev.embed.error.EmbedException}s, answered as usual), then {@link Dispatcher} opens the stream
     * with the row's headers and hands it over. A row takes one through {@link #events}.
     */
    @FunctionalInterface
    interface Streaming {
        Events open(Call call) throws IOException;
    }

    /** The handler of a row that answers with an event stream. */
    static Handler events(Streaming streaming) {
        return new StreamHandler(streaming);
    }

    /** A {@link Handler} that {@link Dispatcher} recognises as a stream's. */
    record StreamHandler(Streaming streaming) implements Handler {
        @Override
        public CompletionStage<Reply> handle(Call call) {
            throw new UnsupportedOperationException("a stream is opened, not answered");
        }
    }

    /** What a {@link Streaming} handler sends once its stream is open. */
    interface Events {
        /** The stream is open: send on it, from any thread. */
        void start(Exchange.EventStream stream);

        /** The stream is over (the client left, the container gave up) or was never opened. */
        void gone();
    }

    /** A handler that answers at once. */
    @FunctionalInterface
    interface Immediate {
        Reply handle(Call call) throws IOException;
    }

    static Handler now(Immediate handler) {
        return call -> CompletableFuture.completedFuture(handler.handle(call));
    }

    /** The JSON answer of a handler, with its status. */
    static Reply json(int status, Map<String, ?> body) {
        return Reply.json(status, body);
    }
}
