package dev.embed.jaxrs;

import dev.embed.Embed;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.token.EmbedClaims;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The embed JSON endpoints of DESIGN §4 over the core's {@code ChatService}, behind {@link
 * EmbedTokenRequestFilter}. Long-polls suspend an {@link AsyncResponse}: no thread waits.
 */
@Path("api/v1/embed/chat-sessions/{sessionId}")
@EmbedTokenRequired
public final class ChatResource {
    private static final System.Logger LOG = System.getLogger("dev.embed.jaxrs");

    private final Embed embed;

    public ChatResource(Embed embed) {
        this.embed = embed;
    }

    @POST
    @Path("messages")
    public Response postMessage(JsonEntity body, @Context ContainerRequestContext request) {
        return Responses.json(202, embed.core().chat().postMessage(claims(request), body.value()));
    }

    @GET
    public void session(
            @QueryParam("after") String after,
            @QueryParam("before") String before,
            @QueryParam("limit") String limit,
            @QueryParam("wait") String wait,
            @Context ContainerRequestContext request,
            @Suspended AsyncResponse response) {
        // Longer than any allowed wait: the service always completes first.
        response.setTimeout(60, TimeUnit.SECONDS);
        try {
            // The callback's own future is not needed: the callback resumes the response in every case.
            var unused = embed.core()
                    .chat()
                    .session(claims(request), after, before, limit, wait)
                    .whenComplete((answer, failure) -> {
                        if (failure == null) {
                            response.resume(Responses.json(200, answer));
                        } else {
                            response.resume(error(failure));
                        }
                    });
        } catch (RuntimeException e) {
            response.resume(error(e));
        }
    }

    private Response error(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof EmbedException refused) {
            return Responses.error(embed.core().errors(), refused.error());
        }
        LOG.log(
                System.Logger.Level.ERROR,
                "embed: unexpected failure in ChatResource: " + cause.getClass().getName(),
                cause);
        return Responses.error(embed.core().errors(), EmbedError.serverError());
    }

    private static EmbedClaims claims(ContainerRequestContext request) {
        return (EmbedClaims) request.getProperty(EmbedTokenRequestFilter.CLAIMS_PROPERTY);
    }
}
