package dev.embed.jaxrs;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Map;
import org.jose4j.json.JsonUtil;

/** A host-application endpoint behind {@link EmbedTokenRequired}: answers the principal it sees. */
@Path("api/v1/embed/chat-sessions/{sessionId}/whoami")
@EmbedTokenRequired
public class WhoAmIResource {
    @GET
    public Response whoami(@Context SecurityContext security) {
        return Response.ok(JsonUtil.toJson(
                        Map.of("principal", security.getUserPrincipal().getName())))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }
}
