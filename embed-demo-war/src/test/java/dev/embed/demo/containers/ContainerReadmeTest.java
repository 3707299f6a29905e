package dev.embed.demo.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Readme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's per-container commands stay those the container suite runs: the Payara pre-boot
 * commands it quotes are those of the file the suite starts Payara with, and the Tomcat and Payara
 * versions in its commands are the ones the parent POM pins.
 */
class ContainerReadmeTest {
    private static final Path PRE_BOOT_COMMANDS = Path.of("src", "payara", "pre-boot-commands.asadmin");
    private static final Path PARENT_POM = Path.of("..", "pom.xml");

    @Test
    void readmeWhenItQuotesPayaraPreBootCommandsThenTheyAreThoseOfTheFileTheSuiteUses() throws Exception {
        String readme = Readme.text();
        assertTrue(readme.contains("--prebootcommandfile embed-demo-war/"
                + PRE_BOOT_COMMANDS.toString().replace('\\', '/')));
        for (String line : Files.readAllLines(PRE_BOOT_COMMANDS)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertTrue(readme.contains(line.strip()), "README.md does not quote the pre-boot command: " + line);
            }
        }
    }

    @Test
    void readmeWhenItNamesContainerVersionsThenTheyAreThePinnedOnes() throws Exception {
        String readme = Readme.text();
        String pom = Files.readString(PARENT_POM);
        assertEquals(
                Set.of(property(pom, "payara-micro.version")),
                versions(readme, "payara-micro[:-](\\d[\\w.]*\\d)"),
                "Payara Micro versions in README.md");
        assertEquals(
                Set.of(property(pom, "tomcat.version")),
                versions(readme, "tomcat[:-](\\d+\\.\\d+\\.\\d+)"),
                "Tomcat versions in README.md");
    }

    private static String property(String pom, String name) {
        Matcher matcher =
                Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(matcher.find(), name + " is not a property of the parent POM");
        return matcher.group(1).strip();
    }

    private static Set<String> versions(String text, String regex) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = Pattern.compile(regex).matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        assertFalse(found.isEmpty(), "README.md names no version matching " + regex);
        return found;
    }
}
