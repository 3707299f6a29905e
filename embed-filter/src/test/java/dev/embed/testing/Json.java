package dev.embed.testing;

import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * JSON for the tests, over jose4j's {@link JsonUtil} as the library's own codec is (which is
 * package-private): objects are {@code Map<String, Object>}, arrays {@code List<Object>}, numbers
 * {@code Long} or {@code Double}.
 */
public final class Json {
    private Json() {}

    /** Parses a JSON object; anything else fails the test. */
    public static Map<String, Object> parseObject(String text) {
        try {
            Map<String, Object> object = JsonUtil.parseJson(text);
            if (object == null) {
                throw new AssertionError("not a JSON object: " + text);
            }
            return object;
        } catch (JoseException | RuntimeException e) {
            throw new AssertionError("not a JSON object: " + text, e);
        }
    }

    /** Writes a JSON object; values may be maps, lists, strings, numbers, booleans or null. */
    public static String write(Map<String, ?> object) {
        return JsonUtil.toJson(object);
    }
}
