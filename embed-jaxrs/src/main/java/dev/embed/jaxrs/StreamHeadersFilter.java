package dev.embed.jaxrs;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import java.util.Map;

/**
 * Puts the library's headers on an event stream's answer (DESIGN §4: {@code Cache-Control},
 * {@code X-Accel-Buffering}, the embed API's CORS and framing headers), which an {@code
 * SseEventSink} cannot set itself. Registered by {@link EmbedFeature}.
 */
final class StreamHeadersFilter implements ContainerResponseFilter {
    static final String PROPERTY = "dev.embed.jaxrs.streamHeaders";

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(PROPERTY) instanceof Map<?, ?> headers) {
            headers.forEach((name, value) -> response.getHeaders().putSingle((String) name, value));
        }
    }
}
