package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Secrets;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code java -jar embed-demo.jar} as a new user meets it (DESIGN §7, issue 15 "the first hour"):
 * what it prints, what it keeps in {@code EMBED_DATA_DIR}, and that a restarted demo keeps its
 * key, its tokens and its conversations.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoLauncherIT {
    private static final Duration START = Duration.ofSeconds(90);

    @Test
    void demoWhenStartedTwiceThenPrintsWhatItUsesKeepsItsStateOwnerOnlyAndTheTryLineWorks() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "launcher-")
                .resolve("embed-data");
        String keyBefore;
        DemoApi.Session session;
        String messageId;
        try (DemoNode demo = DemoNode.start("launcher-first", Map.of("EMBED_DATA_DIR", data.toString()))) {
            demo.awaitRunning(START);
            List<String> lines = demo.rawOutput();
            String key = value(lines, "  demo API key:   ").split("\\s+")[0];
            keyBefore = key;
            Secrets.add(key);
            assertTrue(key.matches("sk_[A-Za-z0-9_-]{40,}"), "no demo key printed");
            assertEquals("127.0.0.1:" + demo.port() + "  (EMBED_HOST, EMBED_PORT)", value(lines, "  listening on:   "));
            assertTrue(value(lines, "  data:           ").startsWith(data + "  (EMBED_DATA_DIR"), lines::toString);
            assertTrue(value(lines, "  store:          ").startsWith("jdbc (H2 2.4"), lines::toString);
            assertTrue(value(lines, "  demo API key:   ").contains("kept in " + data.resolve("api-key")));

            // The directory and the two files are the owner's alone; the secret is never printed.
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
            for (String file : List.of("api-key", "signing-secret")) {
                assertEquals(
                        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(file))));
            }
            assertEquals(
                    key,
                    Files.readString(data.resolve("api-key"), StandardCharsets.UTF_8)
                            .strip());
            String secret = Files.readString(data.resolve("signing-secret"), StandardCharsets.UTF_8)
                    .strip();
            Secrets.add(secret);
            assertTrue(Files.isRegularFile(data.resolve("embed.mv.db")), "no H2 database in the data directory");

            // The "try:" lines are a command that works as printed: the key it shows is the key just printed.
            int tryLine = indexOf(lines, "  try:  ");
            String command =
                    String.join("\n", lines.subList(tryLine, tryLine + 3)).replaceFirst("^  try:  ", "");
            assertTrue(command.contains("Bearer " + key + "'"), "the try line does not show the demo key");
            Process curl = new ProcessBuilder("bash", "-c", command)
                    .redirectErrorStream(true)
                    .start();
            String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, curl.waitFor());
            assertTrue(
                    answer.startsWith("{\"token\":\"eyJ"),
                    "the try line's curl did not mint: " + DemoNode.redact(answer));
            Secrets.add(answer.substring(10, answer.indexOf('"', 10)));

            DemoApi api = new DemoApi(key);
            session = api.newSession(demo, "restart-user");
            messageId = api.sent(demo, session, "Kept across a restart?");
            api.awaitReply(demo, session, messageId, Duration.ofSeconds(20));
            assertEquals(
                    200,
                    api.redeem(demo, api.createLink(demo, "slf4j-user", 60)).statusCode());
            assertEquals(200, api.visitor(demo, DemoApi.fingerprint()).statusCode());

            String output = String.join("\n", demo.rawOutput());
            assertFalse(output.contains("SLF4J"), () -> "the demo printed an SLF4J line:\n" + demo.outputText());
            assertFalse(output.contains(secret), "the demo printed its signing secret");
            assertFalse(output.contains("ephemeral"), "the demo still generates an ephemeral secret");
        }

        try (DemoNode again = DemoNode.start("launcher-again", Map.of("EMBED_DATA_DIR", data.toString()))) {
            again.awaitRunning(START);
            assertEquals(
                    keyBefore, value(again.rawOutput(), "  demo API key:   ").split("\\s+")[0]);
            // The same token (the secret was kept) reads the same conversation (the H2 file was kept).
            HttpResponse<String> read = new DemoApi(keyBefore).read(again, session, "");
            List<Map<String, Object>> messages = DemoApi.messages(read);
            assertEquals(
                    List.of(messageId, messageId + "r"),
                    messages.stream().map(m -> m.get("id")).toList());
            assertEquals("Kept across a restart?", messages.get(0).get("content"));
        }
    }

    @Test
    void demoWhenAskedForTheMemoryStoreThenSaysSoAndStillListensOnLoopbackOnly() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "launcher-memory-");
        try (DemoNode demo =
                DemoNode.start("launcher-memory", Map.of("EMBED_DATA_DIR", data.toString(), "EMBED_STORE", "memory"))) {
            demo.awaitRunning(START);
            assertTrue(value(demo.rawOutput(), "  store:          ").startsWith("memory"), demo::outputText);
            assertTrue(demo.outputText().contains("{127.0.0.1:" + demo.port() + "}"), "Jetty does not say 127.0.0.1");
            assertFalse(Files.exists(data.resolve("embed.mv.db")), "the memory store wrote an H2 file");
        }
    }

    @Test
    void demoWhenEmbedAgentNamesAMissingClassThenItSaysNotFoundFirst() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "launcher-agent-");
        try (DemoNode demo = DemoNode.start(
                "launcher-missing-agent",
                Map.of(
                        "EMBED_DATA_DIR",
                        data.toString(),
                        "EMBED_STORE",
                        "memory",
                        "EMBED_AGENT",
                        "com.acme.NoSuchAgent"))) {
            assertNotEquals(0, demo.awaitExit(START), "the demo started without its agent");
            String output = demo.outputText();
            int notFound = output.indexOf("com.acme.NoSuchAgent, which is not found on the class path");
            assertTrue(notFound >= 0, () -> "no 'not found' in:\n" + output);
            assertFalse(output.contains("needs a public"), () -> "it still talks about constructors:\n" + output);
        }
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with '" + prefix.strip() + "'");
    }

    private static String value(List<String> lines, String prefix) {
        return lines.get(indexOf(lines, prefix)).substring(prefix.length());
    }
}
