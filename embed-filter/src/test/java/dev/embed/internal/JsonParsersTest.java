package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.embed.error.EmbedException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12's pooled parsers and exact-size body reads answer what jose4j's JsonUtil did, for good
 * bodies, json-simple's leniencies and every refusal.
 */
class JsonParsersTest {
    /** Bodies, good and bad, including json-simple's leniencies: each must come out as jose4j's JsonUtil reads it. */
    static Stream<String> bodies() {
        return Stream.of(
                "{\"externalUserId\":\"u-1\",\"displayName\":\"Ada\",\"ttlSeconds\":600}",
                "{\"a\":1.5,\"b\":-2,\"c\":1e3,\"d\":true,\"e\":null,\"f\":[1,\"x\",{\"g\":[]}]}",
                "{,\"a\":1,}",
                "{\"a\":01}",
                "{\"a\":\"raw\ncontrol\"}",
                "{\"a\":\"\\u00e9\\n\\/\"}",
                "{\"a\":1,\"a\":2}",
                "{\"a\":{\"b\":1,\"b\":2}}",
                "{\"a\":99999999999999999999}",
                "{\"a\":1} x",
                "{\"a\":",
                "{\"a\" 1}",
                "{}",
                "{\"duplicate\":1,\"duplicate\":1}",
                "{\"a\":\"" + "z".repeat(JsonParsers.MAX_POOLED_CHARS) + "\"}");
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void parseObjectWhenAnyBodyThenWhatJose4jReadsOrTheSameRefusal(String body) {
        Object expected;
        try {
            expected = JsonUtil.parseJson(body);
        } catch (JoseException | RuntimeException e) {
            expected = e.getMessage() != null && e.getMessage().contains("uplicate") ? "duplicate" : "invalid";
        }
        // three times: the pooled parsers must read the same after a failure and after earlier texts
        for (int i = 0; i < 3; i++) {
            Object got;
            try {
                got = Json.parseObject(body);
            } catch (EmbedException e) {
                assertEquals(400, e.error().status());
                got = e.error().description().contains("duplicate") ? "duplicate" : "invalid";
            }
            assertEquals(expected, got, body);
        }
    }

    @Test
    void parseObjectWhenManyTextsAtOnceThenEachReadAsItself() {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            bodies.add("{\"n\":" + i + ",\"s\":\"" + "v".repeat(i * 37 % 500) + "\"}");
        }
        bodies.parallelStream().forEach(body -> assertEquals(body, Json.write(Json.parseObject(body))));
    }

    @Test
    void readObjectWhenLengthAnnouncedOrNotThenTheSameObject() throws Exception {
        String body = "{\"externalUserId\":\"u-\u00e9\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, Object> expected = new LinkedHashMap<>(Map.of("externalUserId", "u-\u00e9"));

        assertEquals(
                expected,
                JsonBodies.readObject("application/json", bytes.length, new ByteArrayInputStream(bytes), 1024));
        assertEquals(expected, JsonBodies.readObject("application/json", -1, new ByteArrayInputStream(bytes), 1024));
        // fewer bytes than announced: what came is read
        assertEquals(
                expected,
                JsonBodies.readObject("application/json", bytes.length + 10, new ByteArrayInputStream(bytes), 1024));
        // more than announced and beyond the limit: 413
        byte[] longer = ("{\"a\":\"" + "x".repeat(40) + "\"}").getBytes(StandardCharsets.US_ASCII);
        EmbedException e = assertThrows(
                EmbedException.class,
                () -> JsonBodies.readObject("application/json", 16, new ByteArrayInputStream(longer), 16));
        assertEquals(413, e.error().status());
    }
}
