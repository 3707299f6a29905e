package dev.embed.bench.load;

import dev.embed.bench.load.Servers.Launcher;
import dev.embed.bench.load.Servers.Server;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a tool run has: its options, the HTTP client, a private work directory (logs, recordings;
 * removed at the end unless {@code --keep}), the servers it started (stopped at the end, by their
 * own process), and PostgreSQL when a jdbc server is needed.
 *
 * <p>Servers: {@code --demo-jar} (default {@code embed-demo-war/target/embed-demo.jar}) is started
 * per store named by {@code --stores} ({@code memory}, {@code jdbc}, or both, comma-separated) on
 * {@code --port} (default 18090) and the ports after it, with {@code --server-opts} (default
 * {@code -Xms2g -Xmx2g}); or {@code --url http://127.0.0.1:PORT --key-file FILE} targets one running
 * server (no process metrics then unless {@code --pid}).
 */
final class Env implements AutoCloseable {
    final Options options;
    final Http http;
    final Path work;
    private final boolean keep;
    final @Nullable Launcher launcher;
    private final List<Server> started = new ArrayList<>();
    private @Nullable Pg pg;
    private final @Nullable Server external;
    private int nextPort;
    final String serverOptions;

    Env(Options options) throws IOException {
        this.options = options;
        keep = options.flag("keep");
        work = Files.createTempDirectory(
                Path.of(options.get("work-dir", System.getProperty("java.io.tmpdir"))),
                "embed-load-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        http = new Http("load-client");
        // Ctrl-C, a timeout's SIGTERM: the servers and PostgreSQL this run started go with it.
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopProcesses, "load-shutdown"));
        nextPort = options.integer("port", 18090, 1024, 65000);
        serverOptions = options.get("server-opts", "-Xms2g -Xmx2g");
        // read when PostgreSQL is started (possibly never): known options all the same
        for (String pgOption : List.of(
                "pg-url", "pg-user", "pg-fsync", "pg-synchronous-commit", "pg-max-connections", "pg-table-prefix")) {
            options.has(pgOption);
        }
        String url = options.get("url", "");
        Path jar = Path.of(options.get("demo-jar", "embed-demo-war/target/embed-demo.jar"));
        if (!url.isEmpty()) {
            URI uri = URI.create(url);
            if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
                throw new IllegalArgumentException(
                        "--url must be a loopback address (this tool loads local servers only)");
            }
            String keyFile = options.get("key-file", "");
            if (keyFile.isEmpty()) {
                throw new IllegalArgumentException("--url needs --key-file (a file holding the demo API key)");
            }
            String key =
                    Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).strip();
            long pid = Long.parseLong(options.get("pid", "-1"));
            external = new Server("external", Servers.loopback(uri.getPort()), key, pid);
            launcher = null;
        } else {
            external = null;
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(
                        "no demo jar at " + jar + " (build it, or give --demo-jar or --url)");
            }
            launcher = new Launcher(jar, Arrays.asList(serverOptions.strip().split("\\s+")), work);
        }
    }

    /** The stores of {@code --stores}, or {@code fallback}. */
    List<String> stores(String fallback) {
        List<String> stores = Arrays.asList(options.get("stores", fallback).split(","));
        for (String store : stores) {
            if (!store.equals("memory") && !store.equals("jdbc")) {
                throw new IllegalArgumentException("--stores takes memory, jdbc or memory,jdbc");
            }
        }
        if (external != null && stores.size() > 1) {
            throw new IllegalArgumentException("--url names one server: give one store");
        }
        return stores;
    }

    /**
     * Starts one demo server for {@code store} (or answers the external one), with {@code env}
     * (e.g. EMBED_DEMO_AGENT_DELAY_MS) and extra JVM options.
     */
    Server server(String label, String store, Map<String, String> env, List<String> javaOptions) throws Exception {
        if (external != null) {
            return external;
        }
        Launcher l = launcher;
        if (l == null) {
            throw new IllegalStateException("no launcher");
        }
        Map<String, String> all = new LinkedHashMap<>(env);
        if (store.equals("jdbc")) {
            Pg db = pg();
            all.putAll(Launcher.jdbcEnv(db.url, db.user, db.password));
        } else {
            all.putAll(Launcher.memoryEnv());
        }
        int port = nextPort++;
        System.out.printf(
                Locale.ROOT,
                "load: starting server %s (%s store) on 127.0.0.1:%d, %s %s%n",
                label,
                store,
                port,
                serverOptions,
                String.join(" ", javaOptions));
        Server server = l.start(label, port, all, javaOptions);
        synchronized (this) {
            started.add(server);
        }
        System.out.printf(Locale.ROOT, "load: server %s up (pid %d, log %s)%n", label, server.pid(), server.log);
        return server;
    }

    /** PostgreSQL, started on first use. */
    Pg pg() throws Exception {
        Pg db = pg;
        if (db == null) {
            System.out.println("load: starting PostgreSQL");
            db = Pg.open(options, work);
            synchronized (this) {
                pg = db;
            }
            System.out.println("load: PostgreSQL: " + db.describe());
        }
        return db;
    }

    /**
     * Fails unless {@code server} really keeps its sessions in PostgreSQL: after {@code minted}
     * sessions, the store's session table must have rows (the demo may not honour EMBED_STORE yet).
     */
    void requireJdbc(Server server, long atLeast) throws Exception {
        if (external != null) {
            return;
        }
        String table = options.get("pg-table-prefix", "embed_") + "session";
        long rows = pg().rows(table);
        if (rows < atLeast) {
            throw new IllegalStateException(
                    "server " + server.label + " was started with EMBED_STORE=jdbc but the table "
                            + table + " has " + (rows < 0 ? "not been created" : rows + " rows") + " after " + atLeast
                            + " mints: the demo does not honour EMBED_STORE / EMBED_STORE_JDBC_URL yet (DESIGN §7)");
        }
    }

    /** Stops every server this run started, then PostgreSQL; once. */
    private synchronized void stopProcesses() {
        for (Server server : started) {
            server.close();
        }
        started.clear();
        Pg db = pg;
        pg = null;
        if (db != null) {
            try {
                db.close();
            } catch (IOException e) {
                System.err.println("load: stopping PostgreSQL: " + e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        http.close();
        stopProcesses();
        if (keep) {
            System.out.println("load: kept the work directory " + work);
        } else {
            try (var paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Prints a table: a header row, then rows, columns padded. */
    static void table(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            width[i] = header.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() && i < width.length; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder line = new StringBuilder();
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            line.setLength(0);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                if (i == 0) {
                    line.append(String.format(Locale.ROOT, "%-" + width[i] + "s", cell));
                } else {
                    line.append("  ").append(String.format(Locale.ROOT, "%" + width[i] + "s", cell));
                }
            }
            System.out.println(line.toString().stripTrailing());
        }
    }
}
