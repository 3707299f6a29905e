package dev.embed.demo.deploy;

import dev.embed.testing.Secrets;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The demo as its users run it, one process per node: {@code java -jar target/embed-demo.jar}
 * with {@code EMBED_*} variables (none of this JVM's own), on a free port of 127.0.0.1. Its output
 * goes to {@code target/nodes/<name>.log} with every API key and JWT redacted; {@link #output()}
 * holds it too. {@link #kill()} ends it as a crash would (SIGKILL: nothing is closed), {@link
 * #stop()} as an operator would (SIGTERM: the server stops, then the store closes).
 */
public final class DemoNode implements AutoCloseable {
    private static final Path JAR = Path.of("target", "embed-demo.jar");
    private static final Pattern API_KEY = Pattern.compile("sk_[A-Za-z0-9_-]{8,}");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private final String name;
    private final int port;
    private final Process process;
    private final List<String> output = new ArrayList<>();
    /** Unredacted, in memory only: the tests that check what the demo prints for its user read it. */
    private final List<String> raw = new ArrayList<>();

    private final CountDownLatch running = new CountDownLatch(1);
    private final Thread shutdownHook;

    private DemoNode(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.shutdownHook = new Thread(process::destroyForcibly, name + "-kill");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Thread pump = new Thread(() -> copy(log), name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts a node with these variables (and {@code EMBED_PORT}: a free port unless given). */
    public static DemoNode start(String name, Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: these tests run after mvn package");
        }
        Map<String, String> env = new LinkedHashMap<>(environment);
        int port = env.containsKey("EMBED_PORT") ? Integer.parseInt(env.get("EMBED_PORT")) : Pg.freePort();
        env.put("EMBED_PORT", Integer.toString(port));
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        JAR.toString())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(variable -> variable.startsWith("EMBED_"));
        builder.environment().putAll(env);
        Path log = Path.of("target", "nodes", name + ".log");
        Files.createDirectories(log.getParent());
        return new DemoNode(name, port, builder.start(), log);
    }

    /** Waits until the node printed that it runs; fails with its output if it exits first. */
    public DemoNode awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running.await(100, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name
                        + (process.isAlive()
                                ? " did not start within " + timeout
                                : " exited with status " + process.exitValue())
                        + ":\n" + outputText());
            }
        }
        return this;
    }

    /** Waits for the process to end by itself; its exit status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " is still running after " + timeout + ":\n" + outputText());
        }
        return process.exitValue();
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}: the demo's default listen address, without a trailing slash. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public URI uri(String path) {
        return URI.create(base() + path);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the node printed so far, API keys and JWTs redacted. */
    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** What the node printed so far, as printed: never write it to a file or a message. */
    public List<String> rawOutput() {
        synchronized (output) {
            return List.copyOf(raw);
        }
    }

    public String outputText() {
        return String.join("\n", output());
    }

    /** SIGKILL: the node dies as in a crash, closing nothing. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
        removeHook();
    }

    /** SIGTERM, then SIGKILL after 20 s: the node stops as an operator stops it. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        removeHook();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private void copy(Path log) {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                String safe = redact(line);
                synchronized (output) {
                    output.add(safe);
                    raw.add(line);
                }
                out.write(safe);
                out.newLine();
                out.flush();
                if (line.startsWith("Press Ctrl+C to stop.")) {
                    running.countDown();
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.add("(output ended: " + e.getClass().getSimpleName() + ")");
            }
        }
    }

    /** The line without API keys, JWTs or any secret the tests know. */
    static String redact(String line) {
        String safe =
                JWT.matcher(API_KEY.matcher(line).replaceAll("sk_(redacted)")).replaceAll("(jwt redacted)");
        return Secrets.find(safe).isEmpty() ? safe : "(a line holding a secret, redacted)";
    }

    @Override
    public String toString() {
        return "DemoNode[" + name + " :" + port + "]";
    }
}
