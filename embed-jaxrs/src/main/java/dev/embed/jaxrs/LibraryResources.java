package dev.embed.jaxrs;

import dev.embed.internal.Core;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;

/**
 * The library's paths as JAX-RS resources: one resource per prefix of the core's endpoint table,
 * each handing every request under it to {@link Core#handle}, which routes it, checks its
 * credential, adds the CORS and cache headers and writes every error. Nothing here knows a route.
 * A host resource with a longer literal path under a prefix (e.g. {@code
 * api/v1/embed/chat-sessions/{sessionId}/whoami}) is matched before these, as JAX-RS sorts
 * resources. Registered by {@link EmbedFeature}.
 */
final class LibraryResources {
    private LibraryResources() {}

    /** One resource per prefix of the table, over {@code core}. */
    static List<Object> all(Core core) {
        return List.of(
                new Spaces(core),
                new EmbedSessions(core),
                new VisitorTokens(core),
                new Iframe(core),
                new EmbedApi(core),
                new Events(core),
                new Jwks(core),
                new OpenApi(core),
                new Pages(core));
    }

    /**
     * Every method JAX-RS lets a resource declare, each handed to the table as it came. Public (in
     * a class no one outside this package can name) only because JAX-RS runtimes invoke resource
     * methods by reflection without making them accessible: the methods' class must be public.
     */
    public abstract static class Prefix {
        final Core core;

        Prefix(Core core) {
            this.core = core;
        }

        private void handle(ContainerRequestContext request, AsyncResponse async) {
            core.handle(JaxrsExchange.resumed(request, async));
        }

        @GET
        public void get(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
            handle(request, async);
        }

        @HEAD
        public void head(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
            handle(request, async);
        }

        @POST
        public void post(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
            handle(request, async);
        }

        @PUT
        public void put(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
            handle(request, async);
        }

        @DELETE
        public void delete(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
            handle(request, async);
        }

        @PATCH
        public void patch(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
            handle(request, async);
        }

        @OPTIONS
        public void options(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
            handle(request, async);
        }
    }

    /** Flows A and B (DESIGN §3.1). */
    @Path("api/v1/spaces{rest: (/.*)?}")
    static final class Spaces extends Prefix {
        Spaces(Core core) {
            super(core);
        }
    }

    /** Ending a session of any flow (DESIGN §3.4). */
    @Path("api/v1/embed-sessions{rest: (/.*)?}")
    static final class EmbedSessions extends Prefix {
        EmbedSessions(Core core) {
            super(core);
        }
    }

    /** Flow C (DESIGN §3.2). */
    @Path("v1/embed-tokens/request")
    static final class VisitorTokens extends Prefix {
        VisitorTokens(Core core) {
            super(core);
        }
    }

    /** Flow D (DESIGN §3.3). */
    @Path("api/v1/iframe{rest: (/.*)?}")
    static final class Iframe extends Prefix {
        Iframe(Core core) {
            super(core);
        }
    }

    /** The embed JSON endpoints (DESIGN §4). */
    @Path("api/v1/embed{rest: (/.*)?}")
    static final class EmbedApi extends Prefix {
        EmbedApi(Core core) {
            super(core);
        }
    }

    /**
     * A session's event stream (DESIGN §4): a {@code GET} that accepts {@code text/event-stream}
     * gets the {@code SseEventSink} the stream is written to; every other request (a {@code HEAD},
     * a preflight, another method) goes to the table like any other. A refusal (401, 403, 429...)
     * is answered as the usual JSON error.
     */
    @Path("api/v1/embed/chat-sessions/{sessionId}/events")
    public static final class Events extends Prefix {
        Events(Core core) {
            super(core);
        }

        @GET
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void events(@Context ContainerRequestContext request, @Context SseEventSink sink, @Context Sse sse) {
            JaxrsExchange exchange = JaxrsExchange.streaming(request, sink, sse);
            core.handle(exchange);
            Response refused = exchange.response();
            if (refused != null) {
                throw new WebApplicationException(refused);
            }
        }
    }

    /** The JWK Set (RFC 7517 §5). */
    @Path(".well-known/jwks.json")
    static final class Jwks extends Prefix {
        Jwks(Core core) {
            super(core);
        }
    }

    /** The OpenAPI document, when {@code embed.openapi.enabled}. */
    @Path("api/v1/openapi.yaml")
    static final class OpenApi extends Prefix {
        OpenApi(Core core) {
            super(core);
        }
    }

    /** The hosted pages and their files (DESIGN §6). */
    @Path("embed{rest: (/.*)?}")
    static final class Pages extends Prefix {
        Pages(Core core) {
            super(core);
        }
    }
}
