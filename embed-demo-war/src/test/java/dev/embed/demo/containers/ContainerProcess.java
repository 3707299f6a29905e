package dev.embed.demo.containers;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server started as its own process for the container suite: its output goes to a log file with
 * the {@link DemoSecrets} (and anything shaped like an API key or a JWT) redacted, it is ready when
 * a URL answers 200, and it is always stopped, also when the test JVM exits without running {@code
 * @AfterAll}.
 */
final class ContainerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Thread pump;
    private final Thread shutdownHook;
    private final Path log;
    private final List<String> tail = new ArrayList<>();
    /** What Payara logs when the application failed to start: waiting longer for it is pointless. */
    private static final String FAILED_DEPLOYMENT = "Exception while loading the app";

    private volatile boolean failed;

    private ContainerProcess(String name, Process process, Path log, DemoSecrets secrets) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.shutdownHook = new Thread(this::kill, name + "-kill");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.pump = new Thread(() -> copyOutput(secrets), name + "-log");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code command} in {@code directory} with only the given {@code EMBED_*} variables
     * (any others of this JVM's environment are removed), logging to {@code log}.
     */
    static ContainerProcess start(
            String name,
            List<String> command,
            Path directory,
            Map<String, String> embedEnvironment,
            Path log,
            DemoSecrets secrets)
            throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(variable -> variable.startsWith("EMBED_"));
        builder.environment().putAll(embedEnvironment);
        Files.createDirectories(log.toAbsolutePath().getParent());
        return new ContainerProcess(name, builder.start(), log, secrets);
    }

    /** The path of a {@code java} launcher of the JVM running the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Polls {@code url} until it answers 200; fails with the end of the log if the process exits or
     * {@code timeout} passes first.
     */
    void awaitReady(URI url, Duration timeout) throws InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + process.exitValue()
                        + " before it was ready; see " + log + ":\n" + tail());
            }
            if (failed) {
                throw new IllegalStateException(name + " failed to deploy the application (\"" + FAILED_DEPLOYMENT
                        + "\"); see " + log + ":\n" + tail());
            }
            try {
                HttpResponse<Void> response = client.send(
                        HttpRequest.newBuilder(url)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s (" + url
                + " never answered 200); see " + log + ":\n" + tail());
    }

    /** Stops the process (SIGTERM, then SIGKILL after 20 s) and waits for the rest of its output. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            pump.join(5_000);
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void copyOutput(DemoSecrets secrets) {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                String safe = secrets.redact(line);
                if (line.contains(FAILED_DEPLOYMENT)) {
                    failed = true;
                }
                out.write(safe);
                out.newLine();
                out.flush();
                synchronized (tail) {
                    tail.add(safe);
                    if (tail.size() > 40) {
                        tail.remove(0);
                    }
                }
            }
        } catch (IOException e) {
            if (process.isAlive()) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private String tail() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }
}
