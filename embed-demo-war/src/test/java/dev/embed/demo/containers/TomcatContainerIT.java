package dev.embed.demo.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ContainerSuite} on embedded Tomcat 10.1: {@code target/embed-demo.war}, the WAR the build
 * packaged, deployed under {@value #CONTEXT_PATH} as Tomcat deploys any WAR (expanded into {@code
 * webapps}, its own class loader, {@code web.xml} as written). The demo key and signing secret
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
        Context context = tomcat.addWebapp(CONTEXT_PATH, WAR.toAbsolutePath().toString());
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
