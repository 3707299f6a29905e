package dev.embed.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.IdentityHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Why a reply failed, as the library receives it through {@code ReplySink.fail}: the provider's
 * name and the HTTP status, "timed out" or the failure's type, never the failure's message (it
 * holds the provider's text, which may echo part of the key) and no cause.
 */
final class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProviderException(String provider, String reason) {
        super("embed-langchain4j: " + provider + " could not answer: " + reason, null, false, false);
    }

    static ProviderException of(String provider, Throwable failure) {
        return new ProviderException(provider, reason(failure));
    }

    /**
     * The HTTP status, "timed out", or the types of the failure and of its root cause (e.g. a JSON
     * parser's exception for a malformed stream): nothing the provider wrote.
     */
    static String reason(Throwable failure) {
        IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable root = failure;
        for (@Nullable Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return "HTTP " + http.statusCode();
            }
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
                return "timed out";
            }
            root = t;
        }
        String type = failure.getClass().getName();
        return root == failure ? type : type + " caused by " + root.getClass().getName();
    }
}
