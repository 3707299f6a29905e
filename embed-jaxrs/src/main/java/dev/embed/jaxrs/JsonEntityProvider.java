package dev.embed.jaxrs;

import dev.embed.internal.Json;
import dev.embed.internal.JsonBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.MessageBodyWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes {@link JsonEntity} with the core's JSON codec (jose4j's), so a JAX-RS
 * application needs no JSON provider for the library. Reading applies the core's body rules: 415
 * for a body that is not {@code application/json}, 413 over the limit, 400 for malformed JSON.
 */
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.WILDCARD)
final class JsonEntityProvider implements MessageBodyReader<JsonEntity>, MessageBodyWriter<JsonEntity> {
    private final int maxBodyBytes;

    JsonEntityProvider(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == JsonEntity.class;
    }

    @Override
    public JsonEntity readFrom(
            Class<JsonEntity> type,
            Type genericType,
            Annotation[] annotations,
            MediaType mediaType,
            MultivaluedMap<String, String> headers,
            InputStream in)
            throws IOException, WebApplicationException {
        String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
        long length = -1;
        String announced = headers.getFirst(HttpHeaders.CONTENT_LENGTH);
        if (announced != null) {
            try {
                length = Long.parseLong(announced.strip());
            } catch (NumberFormatException e) {
                length = -1;
            }
        }
        return new JsonEntity(JsonBodies.readObject(contentType, length, in, maxBodyBytes));
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == JsonEntity.class;
    }

    @Override
    public void writeTo(
            JsonEntity entity,
            Class<?> type,
            Type genericType,
            Annotation[] annotations,
            MediaType mediaType,
            MultivaluedMap<String, Object> headers,
            OutputStream out)
            throws IOException {
        out.write(Json.write(entity.value()).getBytes(StandardCharsets.UTF_8));
    }
}
