package dev.embed.jaxrs;

import dev.embed.error.EmbedError;
import dev.embed.internal.ErrorWriter;
import dev.embed.internal.Reply;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Copies the core's adapter-neutral {@link Reply} onto a JAX-RS {@link Response}. */
final class Responses {
    private Responses() {}

    static Response of(Reply reply) {
        Response.ResponseBuilder builder = Response.status(reply.status());
        reply.headers().forEach(builder::header);
        if (reply.contentType() != null) {
            // Pre-serialized bytes: the container's JSON provider never touches them.
            builder.entity(reply.bodyBytes()).type(reply.contentType());
        }
        return builder.build();
    }

    static Response error(ErrorWriter writer, EmbedError error) {
        return of(writer.render(error));
    }

    static Response json(int status, Map<String, Object> body) {
        return Response.status(status)
                .header("Cache-Control", "no-store")
                .type(Reply.JSON_UTF8)
                .entity(new JsonEntity(body))
                .build();
    }
}
