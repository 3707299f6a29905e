package dev.embed.jaxrs;

import dev.embed.error.EmbedException;
import dev.embed.internal.Core;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Answers the library's errors raised by the host's own resources (an {@link EmbedException}) as
 * DESIGN §5 JSON, written by the core's one error writer. It maps only {@link EmbedException}, so
 * the host application's own exception handling is untouched; the library's own paths never reach
 * it (the core answers their errors itself).
 */
final class EmbedExceptionMapper implements ExceptionMapper<EmbedException> {
    private final Core core;

    // Injected by the runtime: proxies to the current request.
    @Context
    @SuppressWarnings("NullAway.Init")
    private Request request;

    @Context
    @SuppressWarnings("NullAway.Init")
    private UriInfo uri;

    @Context
    @SuppressWarnings("NullAway.Init")
    private HttpHeaders headers;

    EmbedExceptionMapper(Core core) {
        this.core = core;
    }

    @Override
    public Response toResponse(EmbedException exception) {
        JaxrsExchange exchange = JaxrsExchange.kept(request, uri, headers);
        core.refuse(exchange, exception);
        Response answer = exchange.response();
        return answer != null ? answer : Response.serverError().build();
    }
}
