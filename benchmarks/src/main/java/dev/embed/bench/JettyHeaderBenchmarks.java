package dev.embed.bench;

import dev.embed.internal.Fixtures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the demo's container, Jetty 12, spends parsing one keep-alive request of {@code bench/run.sh}
 * with and without the embed token's {@code Authorization} header, at Jetty's default header
 * field cache ({@code HttpConfiguration.headerCacheSize} 1024, case-insensitive) and with that
 * cache off. It explains the gap between phases (a) and (t) of the HTTP benchmark, which is
 * before any code of this library runs.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar JettyHeaderBenchmarks
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class JettyHeaderBenchmarks {
    /** {@code none}: no Authorization header (phase a); {@code bearer}: the token's (phases t and b). */
    @Param({"none", "bearer"})
    public String authorization;

    /** Jetty's per-connection header field cache: 1024 is its default, 0 turns it off. */
    @Param({"1024", "0"})
    public int headerCacheSize;

    private HttpParser parser;
    private byte[] request;
    private ByteBuffer buffer;

    @Setup(Level.Trial)
    public void setUp() {
        String token = Fixtures.demoToken("ses_0123456789abcdefghijkl");
        String text = "GET /api/v1/embed/chat-sessions/ses_0123456789abcdefghijkl HTTP/1.1\r\n"
                + "Host: 127.0.0.1:18080\r\n"
                + ("bearer".equals(authorization) ? "Authorization: Bearer " + token + "\r\n" : "")
                + "\r\n";
        request = text.getBytes(StandardCharsets.US_ASCII);
        buffer = ByteBuffer.allocate(request.length);
        parser = new HttpParser(new Handler());
        parser.setHeaderCacheSize(headerCacheSize);
    }

    /** Parses one request on a parser that has parsed the same ones before (one keep-alive connection). */
    @Benchmark
    public boolean parseRequest() {
        buffer.clear();
        buffer.put(request).flip();
        boolean done = parser.parseNext(buffer);
        parser.reset();
        return done;
    }

    /** Keeps what a server would keep: each parsed header. */
    private static final class Handler implements HttpParser.RequestHandler {
        private @Nullable HttpField last;

        @Override
        public void startRequest(String method, String uri, HttpVersion version) {
            // nothing
        }

        @Override
        public void parsedHeader(HttpField field) {
            last = field;
        }

        @Override
        public boolean headerComplete() {
            return false;
        }

        @Override
        public boolean content(ByteBuffer item) {
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            return last != null;
        }

        @Override
        public void earlyEOF() {
            // nothing
        }
    }
}
