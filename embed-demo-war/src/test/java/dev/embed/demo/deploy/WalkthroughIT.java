package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Readme;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15.5: the README's curl walk-through is {@code docs/walkthrough.sh}, shown verbatim in the
 * README, and it runs green against the demo as a new user starts it ({@code java -jar
 * embed-demo.jar}, then the script with the key the demo printed).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WalkthroughIT {
    static final Path SCRIPT = Path.of("..", "docs", "walkthrough.sh");

    @Test
    void readmeWhenItShowsTheWalkthroughThenItIsTheScriptVerbatim() throws Exception {
        String block =
                Readme.between(Readme.text(), "<!-- embed:walkthrough:start -->", "<!-- embed:walkthrough:end -->");
        String shown = block.substring(block.indexOf("```bash\n") + "```bash\n".length(), block.lastIndexOf("```"));
        assertEquals(
                Files.readString(SCRIPT, StandardCharsets.UTF_8), shown, "README.md and docs/walkthrough.sh differ");
    }

    @Test
    void walkthroughWhenRunAgainstTheDemoThenEveryStepSucceeds() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "walkthrough-");
        try (DemoNode demo = DemoNode.start("walkthrough", Map.of("EMBED_DATA_DIR", data.toString()))) {
            demo.awaitRunning(Duration.ofSeconds(90));
            String key = demo.rawOutput().stream()
                    .filter(line -> line.startsWith("  demo API key:   "))
                    .findFirst()
                    .orElseThrow()
                    .substring("  demo API key:   ".length())
                    .split("\\s+")[0];
            ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
            builder.environment().put("EMBED_URL", "http://localhost:" + demo.port());
            builder.environment().put("EMBED_API_KEY", key);
            Process script = builder.start();
            String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = script.waitFor();
            System.out.println(DemoNode.redact(output));
            assertEquals(0, status, () -> "docs/walkthrough.sh failed:\n" + DemoNode.redact(output));
            assertTrue(output.contains("3. the agent replied: You said: \\u201CHow do I reset my device?"), output);
            assertTrue(output.contains("4. ended the session; its token now answers 401"), output);
        }
    }
}
