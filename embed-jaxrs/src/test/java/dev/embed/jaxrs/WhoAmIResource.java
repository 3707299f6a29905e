package dev.embed.jaxrs;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Map;

/** A host-application endpoint behind {@link EmbedTokenRequired}: answers the principal it sees. */
@Path("api/v1/embed/chat-sessions/{sessionId}/whoami")
@EmbedTokenRequired
public class WhoAmIResource {
    @GET
    public Response whoami(@Context SecurityContext security) {
        return Response.ok(new JsonEntity(
                        Map.of("principal", security.getUserPrincipal().getName())))
                .build();
    }
}
