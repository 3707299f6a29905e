package dev.embed.error;

import java.util.Objects;

/**
 * An error answer of the embed HTTP contract (DESIGN §5), as a value.
 *
 * <p>Every part of the library that refuses a request produces one of these, and one writer renders
 * it, so the servlet and JAX-RS adapters answer the same bytes and every 401 carries the same
 * {@code WWW-Authenticate} header (RFC 6750 §3). The description is written for
 * the developer calling the endpoint; it never contains a credential or a library's own exception
 * text.
 *
 * @param status the HTTP status
 * @param code the {@code error} code: {@code invalid_request}, {@code invalid_token}, {@code
 *     insufficient_scope}, {@code not_found}, {@code rate_limited}, {@code server_error}, ...
 * @param description the {@code error_description}: what happened and what to do about it
 * @param tokenPresented for 401s: whether the client sent a credential at all (RFC 6750 §3.1: no
 *     {@code error} attribute when it did not)
 * @param retryAfterSeconds for 429s and 503s: the {@code Retry-After} value, else 0
 */
public record EmbedError(int status, String code, String description, boolean tokenPresented, long retryAfterSeconds) {

    public EmbedError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(description, "description");
    }

    public static EmbedError invalidRequest(String description) {
        return new EmbedError(400, "invalid_request", description, true, 0);
    }

    /** 401 for a credential that was sent but is malformed, expired, revoked or badly signed. */
    public static EmbedError invalidToken(String description) {
        return new EmbedError(401, "invalid_token", description, true, 0);
    }

    /** 401 for a request that carried no credential (RFC 6750 §3.1). */
    public static EmbedError missingToken(String description) {
        return new EmbedError(401, "invalid_token", description, false, 0);
    }

    public static EmbedError insufficientScope(String description) {
        return new EmbedError(403, "insufficient_scope", description, true, 0);
    }

    public static EmbedError notFound(String description) {
        return new EmbedError(404, "not_found", description, true, 0);
    }

    public static EmbedError methodNotAllowed(String description) {
        return new EmbedError(405, "invalid_request", description, true, 0);
    }

    public static EmbedError payloadTooLarge(long limitBytes) {
        return new EmbedError(
                413, "invalid_request", "request body is larger than the limit of " + limitBytes + " bytes", true, 0);
    }

    public static EmbedError unsupportedMediaType() {
        return new EmbedError(
                415, "invalid_request", "request body must be JSON: send Content-Type: application/json", true, 0);
    }

    public static EmbedError rateLimited(String description, long retryAfterSeconds) {
        return new EmbedError(429, "rate_limited", description, true, Math.max(1, retryAfterSeconds));
    }

    /** 500 for a failure on our side (a key store that cannot be reached, I/O). Never for a client. */
    public static EmbedError serverError() {
        return new EmbedError(
                500, "server_error", "the server could not complete the request; it has been logged", true, 0);
    }

    /** 503 for a back end that is down or slow (a store's database): retry after a few seconds. */
    public static EmbedError serviceUnavailable(String description) {
        return serviceUnavailable(description, 5);
    }

    /** 503 with the {@code Retry-After} value to send. */
    public static EmbedError serviceUnavailable(String description, long retryAfterSeconds) {
        return new EmbedError(503, "temporarily_unavailable", description, true, Math.max(1, retryAfterSeconds));
    }

    /** This error as an exception, to leave a deep call stack. */
    public EmbedException toException() {
        return new EmbedException(this);
    }
}
