package dev.embed.demo.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-compatible model server for the demo's {@code EMBED_AGENT=dev.embed.langchain4j.LangChain4jAgent}
 * ({@code EMBED_LANGCHAIN4J_PROVIDER=openai}, {@code EMBED_LANGCHAIN4J_BASE_URL=}{@link #baseUrl()}):
 * {@code POST /v1/chat/completions} streams {@value #REPLY} the way api.openai.com streams. While
 * {@link #hold()} is in force it answers nothing (a model that is still thinking): the test can
 * kill the node that asked. Each request is recorded with its {@code Authorization} header, which
 * tells the nodes apart (each node is given its own provider key).
 */
public final class FakeModel implements AutoCloseable {
    /** What the model answers, whole. */
    public static final String REPLY = "The model's answer.";

    /** One request: the node's provider key. */
    public record Call(String authorization) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Call> held = new LinkedBlockingQueue<>();
    private volatile CountDownLatch release = new CountDownLatch(0);

    public FakeModel() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The provider's base URL, as {@code EMBED_LANGCHAIN4J_BASE_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The variables that make a demo node use this model, with {@code key} as its provider key. */
    public Map<String, String> agentEnvironment(String key, int agentTimeoutSeconds) {
        return Map.of(
                "EMBED_AGENT",
                "dev.embed.langchain4j.LangChain4jAgent",
                "EMBED_LANGCHAIN4J_PROVIDER",
                "openai",
                "EMBED_LANGCHAIN4J_BASE_URL",
                baseUrl(),
                "EMBED_LANGCHAIN4J_API_KEY",
                key,
                "EMBED_LANGCHAIN4J_MODEL",
                "test-model",
                "EMBED_LANGCHAIN4J_TIMEOUT_SECONDS",
                Integer.toString(agentTimeoutSeconds),
                "EMBED_AGENT_TIMEOUT_SECONDS",
                Integer.toString(agentTimeoutSeconds));
    }

    /** From now on requests get no answer until {@link #answer()}. */
    public void hold() {
        release = new CountDownLatch(1);
    }

    /** Answers again, the held requests too (their askers may be gone). */
    public void answer() {
        release.countDown();
    }

    /** The next request that arrived while held, waiting up to {@code seconds}; null if none. */
    public Call nextHeld(long seconds) throws InterruptedException {
        return held.poll(seconds, TimeUnit.SECONDS);
    }

    /** Every request so far. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            Call call = new Call(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            calls.add(call);
            CountDownLatch gate = release;
            if (gate.getCount() > 0) {
                held.add(call);
                gate.await(120, TimeUnit.SECONDS);
            }
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (String event : List.of(
                    chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                    chunk("{\"content\":\"The model's \"}", null),
                    chunk("{\"content\":\"answer.\"}", null),
                    chunk("{}", "\"stop\""),
                    "data: [DONE]\n\n")) {
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException askerGone) {
            // the node that asked was killed
        }
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,"
                + "\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + finishReason + "}]}\n\n";
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
