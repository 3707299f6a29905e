package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.internal.IframeLinkService;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

/**
 * Flow D (DESIGN §3.3) over the core's {@link IframeLinkService}: {@code POST
 * /api/v1/iframe/create} behind {@link ApiKeyRequired}, and {@code POST /api/v1/iframe/token},
 * which takes no API key (the hosted page calls it; {@code EmbedCorsFilter} gives it the browser
 * rules of §4).
 */
@Path("api/v1/iframe")
public final class IframeResource {
    private final Embed embed;

    public IframeResource(Embed embed) {
        this.embed = embed;
    }

    @POST
    @Path("create")
    @ApiKeyRequired
    public Response create(JsonEntity body, @Context ContainerRequestContext request) {
        ApiKey key = (ApiKey) request.getProperty(ApiKeyRequestFilter.API_KEY_PROPERTY);
        return Responses.json(
                200,
                embed.core()
                        .iframeLinks()
                        .create(key, body.value(), MintResource.baseUrl(embed, request.getUriInfo())));
    }

    @POST
    @Path("token")
    public Response token(JsonEntity body) {
        return Responses.json(200, embed.core().iframeLinks().redeem(body.value()));
    }
}
