package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.internal.Reply;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;

/** The mint endpoints of flows A and B (DESIGN §3.1) over the core's {@code MintService}. */
@Path("api/v1/spaces/{spaceId}/agents/{agentId}")
@ApiKeyRequired
public final class MintResource {
    private final Embed embed;

    public MintResource(Embed embed) {
        this.embed = embed;
    }

    @POST
    @Path("embed-urls")
    public Response embedUrl(
            @PathParam("spaceId") String spaceId,
            @PathParam("agentId") String agentId,
            JsonEntity body,
            @Context ContainerRequestContext request) {
        Map<String, Object> answer = embed.core()
                .mint()
                .mintEmbedUrl(key(request), spaceId, agentId, body.value(), baseUrl(embed, request.getUriInfo()));
        return Responses.json(200, answer);
    }

    @POST
    @Path("embed-sessions")
    public Response embedSession(
            @PathParam("spaceId") String spaceId,
            @PathParam("agentId") String agentId,
            JsonEntity body,
            @Context ContainerRequestContext request) {
        Map<String, Object> answer = embed.core()
                .mint()
                .mintEmbedSession(key(request), spaceId, agentId, body.value(), baseUrl(embed, request.getUriInfo()));
        return Responses.json(200, answer);
    }

    @DELETE
    @Path("embed-sessions/{sessionId}")
    public Response endSession(
            @PathParam("spaceId") String spaceId,
            @PathParam("agentId") String agentId,
            @PathParam("sessionId") String sessionId,
            @Context ContainerRequestContext request) {
        embed.core().mint().endSession(key(request), spaceId, agentId, sessionId);
        return Responses.of(Reply.noContent());
    }

    private static ApiKey key(ContainerRequestContext request) {
        return (ApiKey) request.getProperty(ApiKeyRequestFilter.API_KEY_PROPERTY);
    }

    /** The configured public base URL, else the application's base URI without a trailing slash. */
    static String baseUrl(Embed embed, UriInfo uri) {
        return embed.core().publicBaseUrl().orElseGet(() -> {
            String base = uri.getBaseUri().toString();
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        });
    }
}
