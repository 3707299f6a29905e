package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.internal.Json;
import dev.embed.internal.Reply;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The public verification keys as a JWK Set (RFC 7517 §5) at {@code /.well-known/jwks.json}. */
@Path(".well-known/jwks.json")
public final class JwksResource {
    private final String document;

    public JwksResource(Embed embed) {
        this.document = Json.write(embed.core().tokens().keys().jwks());
    }

    @GET
    public Response jwks() {
        return Responses.of(new Reply(
                200,
                Map.of("Cache-Control", "public, max-age=300", "Access-Control-Allow-Origin", "*"),
                "application/jwk-set+json; charset=utf-8",
                document));
    }
}
