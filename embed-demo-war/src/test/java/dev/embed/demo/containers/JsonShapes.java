package dev.embed.demo.containers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON answers' shapes every container must give: {@code json-shapes.txt} next to this class
 * holds one line per answer the suite checks, {@code name = status content-type shape} (see {@link
 * StrictJson#shape(Object)}). Each container's suite compares its answers with it, so a container
 * whose JSON differs fails by its own name; what it answered is written to {@code
 * target/container-shapes/<container>.txt}, ready to diff or, after a deliberate change of the wire
 * format, to copy over the expected file.
 */
final class JsonShapes {
    private static final String RESOURCE = "json-shapes.txt";

    private final Map<String, String> expected;
    private final Map<String, String> actual = new TreeMap<>();

    private JsonShapes(Map<String, String> expected) {
        this.expected = expected;
    }

    static JsonShapes load() {
        Map<String, String> expected = new TreeMap<>();
        try (InputStream in = JsonShapes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing next to " + JsonShapes.class.getName());
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                int eq = trimmed.indexOf(" = ");
                expected.put(trimmed.substring(0, eq), trimmed.substring(eq + 3));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new JsonShapes(expected);
    }

    /** {@code status content-type shape} of an answer; fails if its body is not strict JSON. */
    static String describe(HttpResponse<String> response) {
        String contentType = response.headers()
                .firstValue("Content-Type")
                .orElse("(none)")
                .replace(" ", "")
                .toLowerCase(Locale.ROOT);
        Object body;
        try {
            body = StrictJson.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("HTTP " + response.statusCode() + " answer is not strict JSON (" + e.getMessage()
                    + "): " + response.body());
        }
        return response.statusCode() + " " + contentType + " " + StrictJson.shape(body);
    }

    /** Records the answer under {@code name} and fails unless it has the expected shape. */
    void check(String name, HttpResponse<String> response) {
        String description = describe(response);
        synchronized (actual) {
            actual.put(name, description);
        }
        String wanted = expected.get(name);
        if (wanted == null) {
            fail("no expected shape for '" + name + "' in " + RESOURCE + "; this container answered:\n" + name + " = "
                    + description);
        }
        if (!wanted.equals(description)) {
            fail("the JSON of '" + name + "' differs in shape from " + RESOURCE + "\nexpected: " + wanted
                    + "\nactual:   " + description);
        }
    }

    /** Writes what this container answered to {@code target/container-shapes/<container>.txt}. */
    void write(String container) throws IOException {
        Path file = Path.of("target", "container-shapes", container + ".txt");
        Files.createDirectories(file.getParent());
        StringBuilder out = new StringBuilder("# What " + container + " answered; compare with src/test/resources/"
                + JsonShapes.class.getPackageName().replace('.', '/') + "/" + RESOURCE + "\n");
        synchronized (actual) {
            actual.forEach((name, description) ->
                    out.append(name).append(" = ").append(description).append('\n'));
        }
        Files.writeString(file, out.toString());
    }
}
