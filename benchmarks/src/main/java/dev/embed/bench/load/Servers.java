package dev.embed.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The servers under test: demo launcher processes ({@code java -jar embed-demo.jar}) started by the
 * load tool with a fresh signing secret and demo key (never printed: both are filtered out of the
 * server's log), or an already running server named by {@code --url}. A started server is a
 * separate process, so its threads ({@code /proc/<pid>/status}), CPU time ({@code /proc/<pid>/stat}),
 * heap ({@code jcmd GC.heap_info}) and allocation (JFR, see {@link Allocation}) are read from
 * outside, the way an operator would.
 */
final class Servers {
    private Servers() {}

    /** One server: where it listens, its demo key, and its process when the tool started it. */
    static final class Server implements AutoCloseable {
        final String label;
        final InetSocketAddress address;
        final String apiKey;
        final @Nullable Process process;
        final @Nullable Path log;
        private final long externalPid;

        Server(String label, InetSocketAddress address, String apiKey, @Nullable Process process, @Nullable Path log) {
            this(label, address, apiKey, process, log, -1);
        }

        /** A server this tool did not start; {@code pid} -1 when unknown. */
        Server(String label, InetSocketAddress address, String apiKey, long pid) {
            this(label, address, apiKey, null, null, pid);
        }

        private Server(
                String label,
                InetSocketAddress address,
                String apiKey,
                @Nullable Process process,
                @Nullable Path log,
                long externalPid) {
            this.label = label;
            this.address = address;
            this.apiKey = apiKey;
            this.process = process;
            this.log = log;
            this.externalPid = externalPid;
        }

        String hostPort() {
            return address.getHostString() + ":" + address.getPort();
        }

        long pid() {
            Process p = process;
            return p == null ? externalPid : p.pid();
        }

        boolean alive() {
            Process p = process;
            return p == null || p.isAlive();
        }

        /** Live threads of the server process ({@code Threads:} of /proc/pid/status), or -1. */
        int threads() {
            return procThreads(pid());
        }

        /** CPU seconds the server process used so far (user + system), or NaN. */
        double cpuSeconds() {
            return procCpuSeconds(pid());
        }

        /** Heap in use after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), in bytes; -1 if unknown. */
        long heapAfterGc() {
            if (pid() < 0) {
                return -1;
            }
            jcmd(pid(), "GC.run");
            return heapUsed();
        }

        /** Heap in use now ({@code jcmd GC.heap_info}), in bytes; -1 if unknown. */
        long heapUsed() {
            if (pid() < 0) {
                return -1;
            }
            String info = jcmd(pid(), "GC.heap_info");
            Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        }

        /** Lines of the server's log containing {@code text}. */
        List<String> logLines(String text) {
            Path p = log;
            if (p == null) {
                return List.of();
            }
            List<String> found = new ArrayList<>();
            try (BufferedReader reader = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.contains(text)) {
                        found.add(line);
                    }
                }
            } catch (IOException e) {
                found.add("(cannot read the log: " + e + ")");
            }
            return found;
        }

        @Override
        public void close() {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return;
            }
            p.destroy();
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What every server of one tool run shares: the jar, the JVM options, the secret and the key. */
    static final class Launcher {
        final Path demoJar;
        final List<String> javaOptions;
        final Path work;
        private final String secret;
        final String apiKey;

        Launcher(Path demoJar, List<String> javaOptions, Path work) {
            this.demoJar = demoJar;
            this.javaOptions = javaOptions;
            this.work = work;
            SecureRandom random = new SecureRandom();
            byte[] secretBytes = new byte[32];
            random.nextBytes(secretBytes);
            secret = Base64.getEncoder().encodeToString(secretBytes);
            byte[] keyBytes = new byte[32];
            random.nextBytes(keyBytes);
            apiKey = "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(keyBytes);
        }

        /**
         * Starts a demo server on {@code port} with {@code env} added to the variables every server
         * gets (EMBED_PORT, EMBED_HOST=127.0.0.1, EMBED_DEMO_API_KEY, EMBED_SIGNING_SECRET,
         * EMBED_PUBLIC_BASE_URL) and waits until it answers {@code /.well-known/jwks.json}.
         */
        Server start(String label, int port, Map<String, String> env, List<String> extraJavaOptions)
                throws IOException, InterruptedException {
            if (!free(port)) {
                throw new IllegalStateException("port " + port + " is in use; choose another with --port");
            }
            Path log = work.resolve("server-" + label + ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(javaOptions);
            command.addAll(extraJavaOptions);
            command.add("-jar");
            command.add(demoJar.toString());
            ProcessBuilder builder =
                    new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
            Map<String, String> environment = builder.environment();
            environment.put("EMBED_PORT", Integer.toString(port));
            environment.put("EMBED_HOST", "127.0.0.1");
            environment.put("EMBED_DEMO_API_KEY", apiKey);
            environment.put("EMBED_SIGNING_SECRET", secret);
            environment.put("EMBED_PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
            environment.putAll(env);
            Process process = builder.start();
            Thread pump = new Thread(() -> pump(process, log), "log-" + label);
            pump.setDaemon(true);
            pump.start();
            Server server = new Server(label, loopback(port), apiKey, process, log);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "server " + label + " exited at start-up; its log: " + log + "\n" + tail(log, 20));
                }
                if (answersJwks(port)) {
                    return server;
                }
                if (System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException("server " + label + " did not answer within 90 s; log: " + log);
                }
                Thread.sleep(250);
            }
        }

        /** Copies the server's output to its log, with the key and secret replaced. */
        private void pump(Process process, Path log) {
            try (BufferedReader reader = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    out.write(line.replace(apiKey, "[redacted]").replace(secret, "[redacted]"));
                    out.write('\n');
                    out.flush();
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        /** The variables of the jdbc store on {@code url} (DESIGN §7, §8). */
        static Map<String, String> jdbcEnv(String url, String user, String password) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("EMBED_STORE", "jdbc");
            env.put("EMBED_STORE_JDBC_URL", url);
            env.put("EMBED_STORE_JDBC_USER", user);
            env.put("EMBED_STORE_JDBC_PASSWORD", password);
            env.put("EMBED_STORE_JDBC_SCHEMA", "upgrade");
            return env;
        }

        static Map<String, String> memoryEnv() {
            return Map.of("EMBED_STORE", "memory");
        }
    }

    /** 127.0.0.1:port (never a name lookup). */
    static InetSocketAddress loopback(int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean answersJwks(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(loopback(port), 1000);
            socket.setSoTimeout(2000);
            socket.getOutputStream()
                    .write(("GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] head = socket.getInputStream().readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static int procThreads(long pid) {
        if (pid < 0) {
            return -1;
        }
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    static double procCpuSeconds(long pid) {
        if (pid < 0) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks / 100.0; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Runs {@code jcmd pid command...}; its output, or the error. */
    static String jcmd(long pid, String... command) {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(Long.toString(pid));
        args.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            return "jcmd failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "jcmd interrupted";
        }
    }

    static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
