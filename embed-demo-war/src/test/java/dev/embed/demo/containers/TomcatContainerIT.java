package dev.embed.demo.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.demo.deploy.Pg;
import dev.embed.testing.Readme;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ContainerSuite} on embedded Tomcat 10.1: {@code target/embed-demo.war}, the WAR the build
 * packaged, deployed under {@value #CONTEXT_PATH} as Tomcat deploys any WAR (expanded into {@code
 * webapps}, its own class loader, {@code web.xml} as written), with the README's context file: the
 * jdbc store on PostgreSQL through a {@code <Resource>} of Tomcat's own pool, looked up at {@code
 * java:comp/env/jdbc/embed}. The demo key and signing secret
 * reach it as the system properties {@code embed.demo.apiKey} and {@code embed.signing.secret},
 * set only while the application starts (it reads its configuration once, then). Tomcat logs to
 * Failsafe's {@code target/failsafe-reports/...TomcatContainerIT-output.txt}. Being in the test
 * JVM, it also sees any {@code EMBED_*} variable of the build's environment.
 */
class TomcatContainerIT extends ContainerSuite {
    static final String CONTEXT_PATH = "/embed-demo";

    private static final Path WAR = Path.of("target", "embed-demo.war");
    private static final DemoSecrets SECRETS = DemoSecrets.generate();

    private static Tomcat tomcat;
    private static Context context;
    private static String database;
    private static Path baseDir;
    private static URI base;

    @BeforeAll
    static void startTomcat() throws Exception {
        assertTrue(Files.isRegularFile(WAR), WAR + " is missing: the container tests run after mvn package");
        baseDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tomcat-");
        // Without an existing appBase, Tomcat 10.1 starts about ten times slower (VERSIONS.md).
        Files.createDirectories(baseDir.resolve("webapps"));
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        // JNDI (java:comp/env) for the <Resource> of the application's context file, as a Tomcat distribution has it.
        tomcat.enableNaming();
        database = Pg.newDatabase("tomcat");
        Path contextFile = baseDir.resolve("embed-demo.xml");
        Files.writeString(contextFile, contextFile(database));
        context = tomcat.addWebapp(CONTEXT_PATH, WAR.toAbsolutePath().toString());
        context.setConfigFile(contextFile.toUri().toURL());
        // Tomcat's defaults (conf/web.xml), added just before, without the JSP servlet: tomcat-embed-core has no
        // Jasper.
        context.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType()) && context.findChild("jsp") != null) {
                context.removeServletMapping("*.jsp");
                context.removeServletMapping("*.jspx");
                context.removeChild(context.findChild("jsp"));
            }
        });
        // A real Tomcat sees only the WAR, not this test's class path (Jetty, Playwright, ...).
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        context.setJarScanner(scanner);

        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("embed.demo.apiKey", SECRETS.apiKey());
        properties.put("embed.signing.secret", SECRETS.signingSecret());
        properties.put("embed.demo.dataDir", baseDir.resolve("embed-data").toString());
        withSystemProperties(properties, tomcat::start);
        assertEquals(
                LifecycleState.STARTED,
                context.getState(),
                "the demo WAR did not start on Tomcat;" + " see target/failsafe-reports/"
                        + TomcatContainerIT.class.getName() + "-output.txt");
        base = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + CONTEXT_PATH);
    }

    /**
     * README's context file for Tomcat (between its {@code embed:tomcat-context.xml} markers), with this
     * test's database in place of the example's URL, user and password.
     */
    static String contextFile(String url) throws Exception {
        String block = Readme.between(
                Readme.text(), "<!-- embed:tomcat-context.xml:start -->", "<!-- embed:tomcat-context.xml:end -->");
        String xml = block.lines()
                .map(line -> line.startsWith("  ") ? line.substring(2) : line)
                .filter(line -> !line.startsWith("```"))
                .collect(Collectors.joining("\n"));
        for (String example : List.of(
                "url=\"jdbc:postgresql://localhost:5432/embed\"", "username=\"embed\"", "password=\"change-me\"")) {
            assertTrue(xml.contains(example), "README's context file no longer has " + example);
        }
        return xml.replace("jdbc:postgresql://localhost:5432/embed", url)
                .replace("username=\"embed\"", "username=\"postgres\"")
                .replace("password=\"change-me\"", "password=\"\"");
    }

    /** The demo WAR runs on the store the context file names: PostgreSQL, through Tomcat's pool. */
    @Test
    void storeWhenTheContextFileNamesAPoolThenTheDemoKeepsItsStateInPostgresThroughJndi() throws Exception {
        String store = String.valueOf(context.getServletContext().getAttribute("dev.embed.demo.store"));
        assertTrue(store.startsWith("jdbc (PostgreSQL "), store);
        assertTrue(store.contains("JNDI java:comp/env/jdbc/embed"), store);
        newSession("jndi-user");
        try (Connection connection = Pg.connect(database);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT count(*) FROM embed_session WHERE external_user_id = 'jndi-user'")) {
            assertTrue(rs.next() && rs.getInt(1) == 1, "the session is not in PostgreSQL");
        }
    }

    @AfterAll
    static void stopTomcat() throws Exception {
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } finally {
            if (baseDir != null) {
                try (Stream<Path> files = Files.walk(baseDir)) {
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

    /** Runs {@code action} with these system properties set, then restores what they were. */
    private static void withSystemProperties(Map<String, String> properties, Action action) throws Exception {
        Map<String, String> previous = new LinkedHashMap<>();
        properties.forEach((name, value) -> previous.put(name, System.setProperty(name, value)));
        try {
            action.run();
        } finally {
            previous.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }
}
