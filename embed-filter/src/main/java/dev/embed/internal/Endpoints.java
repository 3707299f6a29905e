package dev.embed.internal;

import static dev.embed.internal.Endpoint.Auth.API_KEY;
import static dev.embed.internal.Endpoint.Auth.API_SECRET;
import static dev.embed.internal.Endpoint.Auth.EMBED_TOKEN;
import static dev.embed.internal.Endpoint.Auth.NONE;
import static dev.embed.internal.Endpoint.Cache.EVENTS;
import static dev.embed.internal.Endpoint.Cache.IMMUTABLE;
import static dev.embed.internal.Endpoint.Cache.NO_STORE;
import static dev.embed.internal.Endpoint.Cache.SHORT;
import static dev.embed.internal.Endpoint.Cors.BROWSER;
import static dev.embed.internal.Endpoint.Cors.PUBLIC;
import static dev.embed.internal.Endpoint.Cors.SAME_ORIGIN;
import static dev.embed.internal.Endpoint.Cors.SERVER_TO_SERVER;
import static dev.embed.internal.Endpoint.json;
import static dev.embed.internal.Endpoint.now;

import dev.embed.error.EmbedError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The endpoint table: every path the library answers, by mount (the prefixes {@code web.xml} maps
 * and the JAX-RS feature registers), each row with its method, path, credential, CORS mode, cache
 * headers and handler. {@link Dispatcher} serves it for both adapters; {@link #describe} prints
 * it.
 */
final class Endpoints {
    static final String GET = "GET";
    static final String POST = "POST";
    static final String DELETE = "DELETE";

    private Endpoints() {}

    /**
     * The table of this application.
     *
     * @param jwks the JWK Set document ({@code /.well-known/jwks.json})
     * @param openApi the OpenAPI document when {@code embed.openapi.enabled}, else null
     */
    static List<Mount> table(
            MintService mint,
            VisitorTokenService visitors,
            IframeLinkService links,
            ChatService chat,
            HostedPages pages,
            String jwks,
            @Nullable String openApi) {
        List<Mount> mounts = new ArrayList<>();
        // DESIGN §3.1: flows A and B, server-to-server, and the whole prefix behind the API key.
        mounts.add(new Mount(
                "/api/v1/spaces",
                false,
                API_KEY,
                SERVER_TO_SERVER,
                null,
                false,
                "no mint endpoint at this path",
                List.of(
                        new Endpoint(
                                POST,
                                PathTemplate.of("/api/v1/spaces/{spaceId}/agents/{agentId}/embed-urls"),
                                API_KEY,
                                SERVER_TO_SERVER,
                                NO_STORE,
                                now(call -> Reply.json(
                                        200,
                                        mint.mintEmbedUrlJson(
                                                call.apiKey(),
                                                call.param("spaceId"),
                                                call.param("agentId"),
                                                call.jsonBody(),
                                                call.baseUrl())))),
                        new Endpoint(
                                POST,
                                PathTemplate.of("/api/v1/spaces/{spaceId}/agents/{agentId}/embed-sessions"),
                                API_KEY,
                                SERVER_TO_SERVER,
                                NO_STORE,
                                now(call -> Reply.json(
                                        200,
                                        mint.mintEmbedSessionJson(
                                                call.apiKey(),
                                                call.param("spaceId"),
                                                call.param("agentId"),
                                                call.jsonBody(),
                                                call.baseUrl())))),
                        new Endpoint(
                                DELETE,
                                PathTemplate.of("/api/v1/spaces/{spaceId}/agents/{agentId}/embed-sessions/{sessionId}"),
                                API_KEY,
                                SERVER_TO_SERVER,
                                NO_STORE,
                                now(call -> {
                                    mint.endSession(
                                            call.apiKey(),
                                            call.param("spaceId"),
                                            call.param("agentId"),
                                            call.param("sessionId"));
                                    return Reply.noContent();
                                })))));
        // DESIGN §3.4: ending a session of any flow.
        mounts.add(new Mount(
                "/api/v1/embed-sessions",
                false,
                API_KEY,
                SERVER_TO_SERVER,
                null,
                false,
                "no endpoint at this path; see DELETE /api/v1/embed-sessions/{sessionId}",
                List.of(new Endpoint(
                        DELETE,
                        PathTemplate.of("/api/v1/embed-sessions/{sessionId}"),
                        API_KEY,
                        SERVER_TO_SERVER,
                        NO_STORE,
                        now(call -> {
                            mint.endAnySession(call.apiKey(), call.param("sessionId"));
                            return Reply.noContent();
                        })))));
        // DESIGN §3.2: flow C, in its own envelope.
        mounts.add(new Mount(
                "/v1/embed-tokens/request",
                true,
                NONE,
                SERVER_TO_SERVER,
                null,
                true,
                "no endpoint at this path",
                List.of(new Endpoint(
                        POST,
                        PathTemplate.of("/v1/embed-tokens/request"),
                        API_SECRET,
                        SERVER_TO_SERVER,
                        NO_STORE,
                        now(call -> json(200, envelope(visitors.mint(call.apiKey(), call.jsonBody()))))))));
        // DESIGN §3.3: flow D; the redemption is called by the hosted page, from the browser.
        mounts.add(new Mount(
                "/api/v1/iframe",
                false,
                NONE,
                SAME_ORIGIN,
                null,
                false,
                "no iframe endpoint at this path; see /api/v1/iframe/create and /api/v1/iframe/token",
                List.of(
                        new Endpoint(
                                POST,
                                PathTemplate.of("/api/v1/iframe/create"),
                                API_KEY,
                                SERVER_TO_SERVER,
                                NO_STORE,
                                now(call -> json(200, links.create(call.apiKey(), call.jsonBody(), call.baseUrl())))),
                        new Endpoint(
                                POST,
                                PathTemplate.of("/api/v1/iframe/token"),
                                NONE,
                                BROWSER,
                                NO_STORE,
                                now(call -> json(200, links.redeem(call.jsonBody())))))));
        // DESIGN §4: the embed JSON endpoints; the whole prefix behind the embed token of its session.
        mounts.add(new Mount(
                "/api/v1/embed",
                false,
                EMBED_TOKEN,
                BROWSER,
                null,
                false,
                "no embed endpoint at this path; see /api/v1/embed/chat-sessions/{sessionId}, .../messages and .../events",
                List.of(
                        new Endpoint(
                                GET,
                                PathTemplate.of("/api/v1/embed/chat-sessions/{sessionId}"),
                                EMBED_TOKEN,
                                BROWSER,
                                NO_STORE,
                                call -> {
                                    Fields.pathId(call.param("sessionId"), "sessionId");
                                    return chat.session(
                                                    call.claims(),
                                                    call.query("after"),
                                                    call.query("before"),
                                                    call.query("limit"),
                                                    call.query("wait"))
                                            .thenApply(answer -> json(200, answer));
                                }),
                        new Endpoint(
                                GET,
                                PathTemplate.of("/api/v1/embed/chat-sessions/{sessionId}/events"),
                                EMBED_TOKEN,
                                BROWSER,
                                EVENTS,
                                Endpoint.events(call -> {
                                    Fields.pathId(call.param("sessionId"), "sessionId");
                                    return chat.events(
                                            call.claims(),
                                            call.exchange().header("Last-Event-ID"),
                                            call.query("after"));
                                })),
                        new Endpoint(
                                POST,
                                PathTemplate.of("/api/v1/embed/chat-sessions/{sessionId}/messages"),
                                EMBED_TOKEN,
                                BROWSER,
                                NO_STORE,
                                now(call -> {
                                    Fields.pathId(call.param("sessionId"), "sessionId");
                                    return json(202, chat.postMessage(call.claims(), call.jsonBody()));
                                })))));
        // DESIGN §2: the public keys.
        mounts.add(new Mount(
                "/.well-known/jwks.json",
                true,
                NONE,
                PUBLIC,
                null,
                false,
                "no endpoint at this path",
                List.of(new Endpoint(
                        GET,
                        PathTemplate.of("/.well-known/jwks.json"),
                        NONE,
                        PUBLIC,
                        SHORT,
                        now(call -> new Reply(200, Map.of(), "application/jwk-set+json; charset=utf-8", jwks))))));
        // The HTTP API's own description (embed.openapi.enabled).
        mounts.add(new Mount(
                "/api/v1/openapi.yaml",
                true,
                NONE,
                PUBLIC,
                null,
                false,
                "the OpenAPI document is not served here: set embed.openapi.enabled=true",
                openApi == null
                        ? List.of()
                        : List.of(new Endpoint(
                                GET,
                                PathTemplate.of("/api/v1/openapi.yaml"),
                                NONE,
                                PUBLIC,
                                SHORT,
                                now(call -> new Reply(200, Map.of(), "application/yaml; charset=utf-8", openApi))))));
        // DESIGN §6: the hosted pages and their files; GET and HEAD only.
        String noPage = "no hosted page here: see /embed/chat/{sessionId}, /embed/agents/{agentId},"
                + " /embed/iframe/{cacheKey}, /embed/widget.js and /embed/sdk.js";
        mounts.add(new Mount(
                "/embed",
                false,
                NONE,
                SAME_ORIGIN,
                Set.of(GET, "HEAD"),
                false,
                noPage,
                List.of(
                        page("/embed/chat/{sessionId}", pages, HostedPages.Flow.CHAT, false),
                        page("/embed/agents/{agentId}", pages, HostedPages.Flow.AGENTS, false),
                        page("/embed/agents/{agentId}/{sessionId}", pages, HostedPages.Flow.AGENTS, true),
                        page("/embed/iframe/{cacheKey}", pages, HostedPages.Flow.IFRAME, false),
                        script("/embed/widget.js", pages),
                        script("/embed/sdk.js", pages),
                        script("/embed/sdk.d.ts", pages),
                        new Endpoint(
                                GET,
                                PathTemplate.of("/embed/assets/{name}"),
                                NONE,
                                SAME_ORIGIN,
                                SHORT,
                                now(call -> found(pages.assets().asset(call.param("name")), noPage))),
                        new Endpoint(
                                GET,
                                PathTemplate.of("/embed/assets/{version}/{name}"),
                                NONE,
                                SAME_ORIGIN,
                                IMMUTABLE,
                                now(call -> found(
                                        pages.assets().asset(call.param("version"), call.param("name")), noPage))))));
        return List.copyOf(mounts);
    }

    private static Endpoint page(String path, HostedPages pages, HostedPages.Flow flow, boolean sessionNamed) {
        String id = flow.idName();
        return new Endpoint(
                GET,
                PathTemplate.of(path),
                NONE,
                SAME_ORIGIN,
                NO_STORE,
                now(call -> pages.page(
                        flow,
                        call.param(id),
                        call.basePath(),
                        call.query(HostedPages.TOKEN_PARAMETER),
                        call.exchange().header("Sec-Fetch-Dest"),
                        sessionNamed ? call.param("sessionId") : null)));
    }

    private static Endpoint script(String path, HostedPages pages) {
        String name = path.substring("/embed/".length());
        return new Endpoint(
                GET,
                PathTemplate.of(path),
                NONE,
                PUBLIC,
                SHORT,
                now(call -> pages.assets().crossOrigin(name)));
    }

    /** DESIGN §3.2's success envelope: {@code {"success": true, "data": ...}}. */
    private static Map<String, Object> envelope(Map<String, Object> data) {
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("success", true);
        answer.put("data", data);
        return answer;
    }

    private static Reply found(@Nullable Reply reply, String notFound) {
        if (reply == null) {
            throw EmbedError.notFound(notFound).toException();
        }
        return reply;
    }

    /** Where the OpenAPI document of the HTTP API is in the library jar. */
    static final String OPENAPI_RESOURCE = "META-INF/embed/openapi.yaml";

    /** The OpenAPI 3.1 document of the HTTP API ({@value #OPENAPI_RESOURCE}). */
    static String openApi() {
        try (java.io.InputStream in = Endpoints.class.getClassLoader().getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("embed: " + OPENAPI_RESOURCE
                        + " is missing from the class path; the embed-filter jar is incomplete");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("embed: cannot read " + OPENAPI_RESOURCE, e);
        }
    }

    /** The table as Markdown: one row per endpoint, in the order served. */
    static String describe(List<Mount> mounts) {
        StringBuilder out =
                new StringBuilder("| method | path | authentication | CORS | cache |\n|---|---|---|---|---|\n");
        for (Mount mount : mounts) {
            for (Endpoint row : mount.rows()) {
                out.append("| ")
                        .append(GET.equals(row.method()) ? "GET, HEAD" : row.method())
                        .append(" | `")
                        .append(row.path())
                        .append("` | ")
                        .append(row.auth())
                        .append(" | ")
                        .append(row.cors())
                        .append(" | ")
                        .append(row.cache().header())
                        .append(" |\n");
            }
        }
        return out.toString();
    }
}
