package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.error.EmbedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Answers the library's own errors as DESIGN §5 JSON through the core's error writer. It maps
 * only {@link EmbedException}, so the host application's own exception handling is untouched.
 */
final class EmbedExceptionMapper implements ExceptionMapper<EmbedException> {
    private final Embed embed;

    EmbedExceptionMapper(Embed embed) {
        this.embed = embed;
    }

    @Override
    public Response toResponse(EmbedException exception) {
        return Responses.error(embed.core().errors(), exception.error());
    }
}
