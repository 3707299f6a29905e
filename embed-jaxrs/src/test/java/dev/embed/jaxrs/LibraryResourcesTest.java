package dev.embed.jaxrs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.config.EmbedConfig;
import jakarta.ws.rs.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JAX-RS resources hold no route: each is a prefix of the core's endpoint table, and every row
 * of the table is under exactly one of them (so a new row needs no change here, and a new prefix
 * fails this test until it has a resource).
 */
class LibraryResourcesTest {
    private static final Pattern ROW = Pattern.compile("^\\| [A-Z, ]+ \\| `([^`]+)` \\|", Pattern.MULTILINE);
    private static final Pattern TEMPLATE_REGEX = Pattern.compile("\\{[A-Za-z]+: ([^}]+)}");

    @Test
    void everyRowOfTheTableWhenRoutedThenExactlyOneResourceTakesIt() {
        try (Embed embed =
                Embed.fromConfig(EmbedConfig.of(Map.of("embed.devMode", "true", "embed.openapi.enabled", "true")))) {
            List<Pattern> resources = new ArrayList<>();
            for (Object resource : LibraryResources.all(embed.core())) {
                String template = resource.getClass().getAnnotation(Path.class).value();
                Matcher regex = TEMPLATE_REGEX.matcher(template);
                String pattern = regex.find()
                        ? Pattern.quote(template.substring(0, regex.start())) + regex.group(1)
                        : Pattern.quote(template);
                resources.add(Pattern.compile(pattern));
            }
            Matcher row = ROW.matcher(embed.core().endpoints());
            int rows = 0;
            while (row.find()) {
                rows++;
                String path = row.group(1).replaceAll("\\{[A-Za-z]+}", "x").substring(1);
                long taking = resources.stream()
                        .filter(r -> r.matcher(path).matches())
                        .count();
                assertTrue(taking == 1, path + " is taken by " + taking + " resources");
            }
            assertFalse(rows < 15, "the table was read: " + rows + " rows");
        }
    }
}
