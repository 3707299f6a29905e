package dev.embed.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Readme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The demo wires the library exactly as the README tells a legacy WAR to: its {@code web.xml}
 * holds the README's adoption fragment verbatim, so the demo breaks the build the day the two
 * drift apart.
 */
class DemoWebXmlTest {
    private static final Path WEB_XML = Path.of("src/main/webapp/WEB-INF/web.xml");

    @Test
    void demoWebXmlWhenReadThenContainsTheReadmeFragmentVerbatim() throws Exception {
        String fragment = Readme.webXmlFragment()
                .lines()
                .filter(line -> !line.startsWith("```"))
                .collect(Collectors.joining("\n"))
                .strip();
        String webXml = Files.readString(WEB_XML).replace("\r\n", "\n");
        assertTrue(
                webXml.contains(fragment),
                "embed-demo-war's web.xml must contain the README's"
                        + " <!-- embed:web.xml:start --> fragment verbatim (without the ``` fence lines); copy it again");
    }

    @Test
    void readmeFragmentWhenReadThenWiresHostedPagesAndChat() throws Exception {
        String fragment = Readme.webXmlFragment();
        assertTrue(fragment.contains("dev.embed.servlet.HostedPageServlet"), "README fragment lacks HostedPageServlet");
        assertTrue(fragment.contains("<url-pattern>/embed/*</url-pattern>"), "README fragment lacks /embed/*");
        assertTrue(fragment.contains("dev.embed.servlet.ChatServlet"), "README fragment lacks ChatServlet");
    }
}
