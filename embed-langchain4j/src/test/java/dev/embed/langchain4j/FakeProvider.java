package dev.embed.langchain4j;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP server that plays an LLM provider: it records each request and answers with the
 * script the test set, written to the socket piece by piece (each {@link Answer#write} is flushed
 * as its own HTTP chunk), so the client sees the provider's real streaming wire format arrive over
 * time. Started on a free port of 127.0.0.1; {@link #close} stops it and its threads.
 */
final class FakeProvider implements AutoCloseable {
    /** One request as the provider received it; header names in lower case. */
    record Request(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** What the provider answers to one request. */
    @FunctionalInterface
    interface Script {
        void answer(Answer answer) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private volatile Script script =
            answer -> answer.status(500, "text/plain").write("no script").end();
    /** Counted down when a streamed answer finds the client gone (its write fails). */
    final CountDownLatch clientGone = new CountDownLatch(1);

    FakeProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void answer(Script script) {
        this.script = script;
    }

    /** The next request received, waiting up to 5 s. */
    Request request() throws InterruptedException {
        Request request = requests.poll(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the provider received no request");
        }
        return request;
    }

    /** Whether a request arrives within {@code wait}. */
    boolean receivedWithin(Duration wait) throws InterruptedException {
        return requests.poll(wait.toMillis(), TimeUnit.MILLISECONDS) != null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(
                exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body));
        Answer answer = new Answer(exchange);
        try {
            script.answer(answer);
            answer.end();
        } catch (IOException e) {
            clientGone.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** The answer being written; every write is flushed at once. */
    static final class Answer {
        private final HttpExchange exchange;
        private OutputStream body;

        private Answer(HttpExchange exchange) {
            this.exchange = exchange;
        }

        /** Sends the status line and headers; the body is chunked. */
        Answer status(int status, String contentType) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, 0);
            body = exchange.getResponseBody();
            return this;
        }

        Answer write(String text) throws IOException {
            body.write(text.getBytes(StandardCharsets.UTF_8));
            body.flush();
            return this;
        }

        Answer pause(long millis) throws InterruptedException {
            Thread.sleep(millis);
            return this;
        }

        void end() throws IOException {
            if (body != null) {
                body.close();
            }
        }
    }
}
