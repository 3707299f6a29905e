package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.internal.HostedPages;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * The hosted chat pages (DESIGN §6) and the widget script (§3.2) under {@code embed/}, over the
 * core's {@link HostedPages}: the same pages and headers as {@code
 * dev.embed.servlet.HostedPageServlet}. The page calls the embed JSON endpoints under the
 * application's base URI, where {@link EmbedFeature} registers them.
 */
@Path("embed{rest: (/.*)?}")
public final class HostedPageResource {
    private final Embed embed;
    private final HostedPages pages;

    public HostedPageResource(Embed embed) {
        this.embed = embed;
        this.pages = embed.core().pages();
    }

    /** A page, the widget or an asset; {@code HEAD} is answered from it by the runtime. */
    @GET
    public Response get(
            @QueryParam(HostedPages.TOKEN_PARAMETER) String token,
            @HeaderParam("Sec-Fetch-Dest") String fetchDest,
            @Context UriInfo uri) {
        return Responses.of(pages.serve("/" + stripLeadingSlash(uri.getPath(false)), basePath(uri), token, fetchDest));
    }

    @POST
    public Response post() {
        return methodNotAllowed();
    }

    @PUT
    public Response put() {
        return methodNotAllowed();
    }

    @DELETE
    public Response delete() {
        return methodNotAllowed();
    }

    @PATCH
    public Response patch() {
        return methodNotAllowed();
    }

    private Response methodNotAllowed() {
        return Response.fromResponse(Responses.error(
                        embed.core().errors(), EmbedError.methodNotAllowed("hosted pages answer GET and HEAD only")))
                .header("Allow", "GET, HEAD")
                .build();
    }

    /** The path of the configured public base URL, else of the application's base URI, without a trailing slash. */
    private String basePath(UriInfo uri) {
        String path = embed.core()
                .publicBaseUrl()
                .map(url -> URI.create(url).getRawPath())
                .orElseGet(() -> uri.getBaseUri().getRawPath());
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static String stripLeadingSlash(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }
}
