package dev.embed.json;

import dev.embed.error.EmbedError;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * The library's JSON codec, over jose4j's {@link JsonUtil} so that the library never depends on,
 * or fights with, the host application's Jackson or JSON-B. Objects are {@code Map<String,
 * Object>}, arrays {@code List<Object>}, numbers {@code Long} or {@code Double}.
 *
 * <p>Parsing refuses duplicate keys (jose4j's own rule) and anything that is not a JSON object,
 * and its errors never echo the input.
 */
public final class Json {
    private Json() {}

    /**
     * Parses a request body that must be a JSON object.
     *
     * @throws dev.embed.error.EmbedException 400 {@code invalid_request} for anything else
     */
    public static Map<String, Object> parseObject(String text) {
        if (text == null || text.isBlank()) {
            throw EmbedError.invalidRequest("request body must be a JSON object").toException();
        }
        String trimmed = text.strip();
        if (trimmed.charAt(0) != '{') {
            throw EmbedError.invalidRequest("request body must be a JSON object").toException();
        }
        try {
            return JsonUtil.parseJson(trimmed);
        } catch (JoseException | RuntimeException | StackOverflowError e) {
            // jose4j's message may quote the input: never pass it on.
            String why = e.getMessage() != null && e.getMessage().contains("uplicate")
                    ? "request body is not valid JSON: duplicate member name"
                    : "request body is not valid JSON";
            throw EmbedError.invalidRequest(why).toException();
        }
    }

    /** Writes a JSON object; values may be maps, lists, strings, numbers, booleans or null. */
    public static String write(Map<String, ?> object) {
        return JsonUtil.toJson(object);
    }
}
