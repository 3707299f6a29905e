package dev.embed.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Readme;
import dev.embed.testing.Secrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, the first hour: the README's command that creates an API key, {@code java -jar
 * embed-filter/target/embed-filter-<version>.jar --tenant acme ...}, run exactly as written (from
 * the repository's root, after {@code mvn package}), works: the jar names {@link ApiKeyTool} as its
 * Main-Class and needs no other jar.
 */
class ApiKeyToolJarIT {
    @Test
    void readmeCommandWhenRunAsWrittenThenPrintsAKeyAndTheLineThatAcceptsIt() throws Exception {
        String block =
                Readme.between(Readme.text(), "<!-- embed:api-key-tool:start -->", "<!-- embed:api-key-tool:end -->");
        String command = block.lines()
                .dropWhile(line -> !line.startsWith("java -jar "))
                .takeWhile(line -> !line.startsWith("```"))
                .collect(Collectors.joining("\n"));
        assertTrue(
                command.startsWith("java -jar embed-filter/target/embed-filter-" + version() + ".jar --tenant acme"),
                "the README's command names another jar: " + command);
        Path root = Readme.path().getParent();
        Process process = new ProcessBuilder("bash", "-c", command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> "the README's command failed:\n" + redact(output));

        Matcher key = Pattern.compile("(?m)^api key: (sk_[A-Za-z0-9_-]+)$").matcher(output);
        assertTrue(key.find(), () -> "no key printed:\n" + redact(output));
        Secrets.add(key.group(1));
        List<String> lines = output.lines().toList();
        assertTrue(
                lines.contains("embed.apiKey.acme=sha256:" + ApiKeys.sha256Hex(key.group(1))
                        + ";tenant=acme;agents=demo/*;sources=docs,faq;origins=https://app.acme.com"),
                () -> "no configuration line for the key:\n" + redact(output));
    }

    @Test
    void jarWhenAskedForHelpThenItsUsageNamesThisJar() throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        Path.of("target", "embed-filter-" + version() + ".jar").toString(),
                        "--help")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        assertTrue(output.startsWith("usage: java -jar embed-filter-" + version() + ".jar --tenant"), output);
    }

    private static String version() {
        return System.getProperty("project.version", "0.1.0-SNAPSHOT");
    }

    private static String redact(String text) {
        return text.replaceAll("sk_[A-Za-z0-9_-]+", "sk_(redacted)");
    }
}
