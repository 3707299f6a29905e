package dev.embed.demo.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.demo.deploy.Pg;
import dev.embed.testing.Readme;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ContainerSuite} on Payara Micro 6, as the README runs it: {@code java -jar
 * payara-micro.jar --nocluster --port <free> --contextroot /embed-demo --prebootcommandfile
 * src/payara/pre-boot-commands.asadmin --deploy target/embed-demo.war}, its own process with
 * {@code EMBED_DEMO_API_KEY} and {@code EMBED_SIGNING_SECRET} in its environment. The build copies
 * the Payara Micro jar (version pinned in the parent POM, cached in the local Maven repository) to
 * {@value #PAYARA_JAR} in {@code pre-integration-test}. Its output goes to {@code
 * target/payara.log} with the secrets redacted; it is always stopped.
 */
class PayaraContainerIT extends ContainerSuite {
    static final String CONTEXT_PATH = "/embed-demo";
    static final String PAYARA_JAR = "target/payara/payara-micro.jar";
    /** The PostgreSQL driver for Payara's own pool, copied beside Payara Micro by the build. */
    static final String DRIVER = "target/payara/postgresql.jar";

    private static final Path WAR = Path.of("target", "embed-demo.war");
    private static final Path PRE_BOOT_COMMANDS = Path.of("src", "payara", "pre-boot-commands.asadmin");
    private static final DemoSecrets SECRETS = DemoSecrets.generate();

    private static ContainerProcess payara;
    private static Path rootDir;
    private static URI base;

    @BeforeAll
    static void startPayara() throws Exception {
        Path jar = Path.of(PAYARA_JAR);
        assertTrue(Files.isRegularFile(jar), jar + " is missing: mvn verify copies it in pre-integration-test");
        assertTrue(Files.isRegularFile(WAR), WAR + " is missing: the container tests run after mvn package");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        rootDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "payara-root-");
        Path postBoot = rootDir.resolveSibling(rootDir.getFileName() + "-post-boot-commands.asadmin");
        Files.writeString(postBoot, postBootCommands(Pg.sharedPort(), Pg.newDatabase("payara")));
        payara = ContainerProcess.start(
                "payara",
                List.of(
                        ContainerProcess.java(),
                        "-jar",
                        jar.toString(),
                        "--nocluster",
                        "--port",
                        Integer.toString(port),
                        "--contextroot",
                        CONTEXT_PATH,
                        "--rootdir",
                        rootDir.toString(),
                        "--prebootcommandfile",
                        PRE_BOOT_COMMANDS.toString(),
                        "--addlibs",
                        DRIVER,
                        "--postbootcommandfile",
                        postBoot.toString(),
                        "--deploy",
                        WAR.toString()),
                Path.of("."),
                Map.of(
                        "EMBED_DEMO_API_KEY",
                        SECRETS.apiKey(),
                        "EMBED_SIGNING_SECRET",
                        SECRETS.signingSecret(),
                        "EMBED_DATA_DIR",
                        rootDir.resolve("embed-data").toString(),
                        "EMBED_STORE",
                        "jdbc",
                        "EMBED_STORE_JDBC_DATA_SOURCE",
                        "jdbc/embed"),
                Path.of("target", "payara.log"),
                SECRETS);
        base = URI.create("http://127.0.0.1:" + port + CONTEXT_PATH);
        payara.awaitReady(URI.create(base + "/.well-known/jwks.json"), Duration.ofMinutes(4));
    }

    /**
     * README's post-boot commands for Payara (between its {@code embed:payara-jdbc.asadmin} markers),
     * with this test's PostgreSQL in place of the example's server, port, database, user and password.
     */
    static String postBootCommands(int port, String url) throws Exception {
        String block = Readme.between(
                Readme.text(), "<!-- embed:payara-jdbc.asadmin:start -->", "<!-- embed:payara-jdbc.asadmin:end -->");
        String commands = block.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("```"))
                .collect(Collectors.joining("\n", "", "\n"));
        String example = "serverName=localhost:portNumber=5432:databaseName=embed:user=embed:password=change-me";
        assertTrue(commands.contains(example), "README's Payara commands no longer have " + example);
        String path = url.substring(url.lastIndexOf('/') + 1);
        String database = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        // Payara's pool insists on a password; the test server trusts local connections and ignores it.
        return commands.replace(
                example,
                "serverName=127.0.0.1:portNumber=" + port + ":databaseName=" + database
                        + ":user=postgres:password=unused-by-trust-auth");
    }

    /** The demo WAR runs on the store the commands create: PostgreSQL, through Payara's pool. */
    @Test
    void storeWhenPostBootCommandsCreateAPoolThenTheDemoKeepsItsStateInPostgresThroughJndi() throws Exception {
        String log = Files.readString(Path.of("target", "payara.log"));
        assertTrue(
                log.contains("; store jdbc (PostgreSQL ") && log.contains("JNDI jdbc/embed)"),
                "the demo did not say it runs on PostgreSQL through jdbc/embed; see target/payara.log");
    }

    @AfterAll
    static void stopPayara() throws Exception {
        try {
            if (payara != null) {
                payara.close();
            }
        } finally {
            if (rootDir != null) {
                try (Stream<Path> files = Files.walk(rootDir)) {
                    files.sorted(Comparator.reverseOrder())
                            .forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    @Override
    protected URI baseUrl() {
        return base;
    }

    @Override
    protected String apiKey() {
        return SECRETS.apiKey();
    }
}
