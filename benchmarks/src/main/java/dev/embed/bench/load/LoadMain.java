package dev.embed.bench.load;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The load tools (issues 12, 13, 14): {@code java -cp benchmarks.jar dev.embed.bench.load.LoadMain
 * <subcommand> [--option value ...]}, normally through {@code bench/load.sh}. Every subcommand starts
 * the demo server(s) it needs as separate processes (or targets {@code --url}), loads them over HTTP
 * on loopback only, stops them, and prints a table. See bench/README.md.
 */
public final class LoadMain {
    private static final Set<String> FLAGS = Set.of("events", "shared", "keep", "no-alloc");

    private LoadMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            usage();
            return;
        }
        String command = args[0];
        Options options = new Options(Arrays.asList(args).subList(1, args.length), FLAGS);
        System.out.println("load: " + command + "; machine: " + dev.embed.bench.load.LoadMain.machine());
        long started = System.nanoTime();
        try (Env env = new Env(options)) {
            switch (command) {
                case "mint-rate" -> ThroughputTools.mint(env, false);
                case "mint-saturate" -> ThroughputTools.mint(env, true);
                case "embed-get" -> ThroughputTools.embedGet(env);
                case "history" -> ThroughputTools.history(env);
                case "burst" -> BurstTool.run(env);
                case "streams" -> StreamsTool.run(env);
                case "wakeup" -> ClusterTools.wakeup(env);
                case "messages-2n" -> ClusterTools.messages(env);
                case "flood" -> FloodTool.run(env);
                default -> {
                    usage();
                    throw new IllegalArgumentException("unknown subcommand " + command);
                }
            }
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "load: %s took %.0f s; load average at end %s%n",
                command,
                (System.nanoTime() - started) / 1e9,
                loadAverage());
        // the client's selector thread is a daemon; stop promptly
        System.exit(0);
    }

    private static void usage() {
        System.out.println(String.join(
                "\n",
                List.of(
                        "usage: bench/load.sh <subcommand> [--option value ...]",
                        "  mint-rate      flow B mints, open loop at --rate (1000/s): p50/p99/p99.9, alloc/mint   [--stores memory|jdbc|memory,jdbc]",
                        "  mint-saturate  flow B mints, closed loop, --connections (16): mints/s, p99, alloc/mint",
                        "  embed-get      warm-token GET, memory vs jdbc store, alternating: req/s, jdbc/memory",
                        "  history        paged reads of 1,000-message sessions, memory vs jdbc: pages/s, p99",
                        "  burst          --sessions (5000) send at once, agent 400 ms: send->reply p50/p99, threads [--events]",
                        "  streams        --streams (10000) /events streams: 202->event p50/p99, threads, heap [--shared]",
                        "  wakeup         two nodes on PostgreSQL: POST on A wakes B's long-poll [--events]: p50/p99",
                        "  messages-2n    two nodes on PostgreSQL: messages/s through A alone and through A and B [--rates 50,100: open loop, answered/s]",
                        "  flood          issue 13 findings 2/3 in -Xmx256m: OOMs, 5xx, 429, victim p95 before/during/after",
                        "common: --demo-jar PATH --port 18090 --server-opts '-Xms2g -Xmx2g' --rounds N --duration S --warmup S",
                        "        --url http://127.0.0.1:PORT --key-file FILE [--pid N]  (an already running server)",
                        "        --pg-url jdbc:postgresql://127.0.0.1:5432/postgres --pg-user U (password: env BENCH_PG_PASSWORD)",
                        "        --keep (keep the work directory: server logs)")));
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                    .split(" ", -1);
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, JDK " + System.getProperty("java.vm.version")
                + ", load average " + loadAverage();
    }
}
