package dev.embed.internal;

import dev.embed.Embed;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 12's mint path in process, container left out: {@code POST
 * /api/v1/spaces/demo/agents/support/embed-sessions} through the library's dispatcher (routing,
 * API key, body, session, token, answer), as both adapters call it, with an in-memory exchange.
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the library's allocation per mint (the
 * container's own share is measured by {@code bench/load.sh mint-rate} on the whole server).
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar MintBenchmarks -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class MintBenchmarks {
    private static final String PATH = "/api/v1/spaces/demo/agents/support/embed-sessions";

    private Embed embed;
    private List<String> authorization;
    private int user;

    @Setup(Level.Trial)
    public void setUp() {
        String key = ApiKeys.generate();
        Map<String, String> config = new HashMap<>();
        config.put(ConfigKey.SIGNING_SECRET.key(), Base64.getEncoder().encodeToString(Fixtures.randomSecret()));
        config.put(ConfigKey.AGENTS.key(), "demo/support");
        // a new session per mint: the store evicts past this many, as a long-running server's does
        config.put(ConfigKey.SESSIONS_MAXIMUM_SIZE.key(), "100000");
        config.put(
                ConfigKey.API_KEY_PREFIX + "demo",
                "sha256:" + ApiKeys.sha256Hex(key) + ";tenant=demo;agents=demo/support;origins=http://localhost:*");
        embed = Embed.fromConfig(EmbedConfig.of(config));
        authorization = List.of("Bearer " + key);
        Mint check = new Mint(this, "check");
        embed.core().handle(check);
        if (check.status != 200) {
            throw new IllegalStateException("the mint answered " + check.status);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        embed.close();
    }

    /** One flow B mint: a new user (so a new session) each time, as bench/load.sh mint-rate sends them. */
    @Benchmark
    public int mintEmbedSession() {
        Mint mint = new Mint(this, "load-" + user++);
        embed.core().handle(mint);
        return mint.status + mint.answered;
    }

    /** What a container hands the library for one mint request; the answer is only counted. */
    static final class Mint implements Exchange {
        private final MintBenchmarks bench;
        private final byte[] body;
        int status;
        int answered;

        Mint(MintBenchmarks bench, String user) {
            this.bench = bench;
            this.body =
                    ("{\"externalUserId\":\"" + user + "\",\"displayName\":\"Load\"}").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String method() {
            return "POST";
        }

        @Override
        public String rawPath() {
            return PATH;
        }

        @Override
        public String dispatchedPath() {
            return PATH;
        }

        @Override
        public String rawQuery() {
            return "";
        }

        @Override
        public List<String> headers(String name) {
            if (name.equalsIgnoreCase("Authorization")) {
                return bench.authorization;
            }
            if (name.equalsIgnoreCase("Content-Type")) {
                return List.of("application/json");
            }
            if (name.equalsIgnoreCase("Host")) {
                return List.of("127.0.0.1:18090");
            }
            return List.of();
        }

        @Override
        public InputStream body() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public long contentLength() {
            return body.length;
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public String host() {
            return "127.0.0.1";
        }

        @Override
        public int port() {
            return 18090;
        }

        @Override
        public String contextPath() {
            return "";
        }

        @Override
        public void respond(
                int status, Map<String, String> headers, @Nullable String contentType, byte @Nullable [] answer) {
            this.status = status;
            this.answered = answer == null ? 0 : answer.length;
        }

        @Override
        public void defer(long timeoutMillis, Deferred ended) {
            throw new UnsupportedOperationException("a mint answers at once");
        }

        @Override
        public EventStream events(Map<String, String> headers, Deferred ended) {
            throw new UnsupportedOperationException("a mint answers at once");
        }
    }
}
