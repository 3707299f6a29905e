package dev.embed.jaxrs;

import java.util.Map;

/**
 * A JSON object read or written by the library's own codec ({@link JsonEntityProvider}). The
 * resources use this type rather than {@code Map} so that no JSON provider of the host application
 * or container (Jackson, JSON-B) is ever chosen for the library's endpoints: the same bytes on
 * every container.
 */
public record JsonEntity(Map<String, Object> value) {
    public JsonEntity {
        value = value == null ? Map.of() : value;
    }
}
