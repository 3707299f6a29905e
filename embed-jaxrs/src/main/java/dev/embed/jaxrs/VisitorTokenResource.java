package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.internal.Credentials;
import dev.embed.internal.VisitorTokenService;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.util.List;

/**
 * Flow C (DESIGN §3.2) over the core's {@link VisitorTokenService}: {@code POST
 * /v1/embed-tokens/request} with the {@code api-secret} header. The body is read as a stream and
 * handed to the core, so that body errors (413, 415, 400) use the flow's {@code {"success":
 * false}} envelope too, as does every other method.
 */
@Path("v1/embed-tokens/request")
public final class VisitorTokenResource {
    private final Embed embed;

    public VisitorTokenResource(Embed embed) {
        this.embed = embed;
    }

    @POST
    public Response request(@Context HttpHeaders headers, @Context UriInfo uri, InputStream body) {
        List<String> secrets = headers.getRequestHeader(VisitorTokenService.API_SECRET_HEADER);
        boolean inQuery = uri.getQueryParameters().keySet().stream().anyMatch(Credentials::isCredentialParameter);
        return Responses.of(embed.core()
                .visitorTokens()
                .request(
                        secrets == null ? List.of() : secrets,
                        inQuery,
                        headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
                        headers.getLength(),
                        body));
    }

    @GET
    public Response get() {
        return notAllowed();
    }

    @PUT
    public Response put() {
        return notAllowed();
    }

    @DELETE
    public Response delete() {
        return notAllowed();
    }

    @PATCH
    public Response patch() {
        return notAllowed();
    }

    private Response notAllowed() {
        return Response.fromResponse(Responses.of(
                        embed.core().visitorTokens().refuse(EmbedError.methodNotAllowed("use POST on this endpoint"))))
                .header("Allow", "POST")
                .build();
    }
}
