package dev.embed.bench.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny stand-in for the embed server, written to DESIGN §3.1 and §4 (the /events contract), for
 * the load client's tests: flow B mint, POST messages (202 {"messageId"}), and
 * {@code GET .../events} as {@code text/event-stream}: a comment at once, then for every stored
 * message an {@code event: message} with {@code id:} and the message object as data, a
 * {@code delta} and the agent's reply. Every other message's events are written before its 202, as a
 * real server may, to exercise the client's handling of that race.
 */
final class FakeEmbedServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger messages = new AtomicInteger();
    private final Map<String, List<OutputStream>> streams = new ConcurrentHashMap<>();
    final AtomicInteger streamsOpened = new AtomicInteger();

    FakeEmbedServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/api/v1/spaces/demo/agents/support/embed-sessions", this::mint);
        server.createContext("/api/v1/embed/chat-sessions/", this::session);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void mint(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        if (!"Bearer sk_fake".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            answer(exchange, 401, "{\"error\":\"invalid_token\"}");
            return;
        }
        int n = sessions.incrementAndGet();
        answer(exchange, 200, "{\"token\":\"tok-" + n + "\",\"sessionId\":\"ses_" + n + "\",\"expiresAt\":\"x\"}");
    }

    private void session(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String rest = path.substring("/api/v1/embed/chat-sessions/".length());
        String id = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        String expected = "Bearer tok-" + id.substring(4);
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            answer(exchange, 403, "{\"error\":\"forbidden\"}");
            return;
        }
        if (rest.endsWith("/events") && exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache, no-transform");
            exchange.sendResponseHeaders(200, 0); // chunked, left open
            OutputStream out = exchange.getResponseBody();
            synchronized (out) {
                out.write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            streams.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(out);
            streamsOpened.incrementAndGet();
            return;
        }
        if (rest.endsWith("/messages") && exchange.getRequestMethod().equals("POST")) {
            exchange.getRequestBody().readAllBytes();
            int n = messages.incrementAndGet();
            String messageId = "m" + n;
            String events = "event: message\r\nid: " + messageId + "\r\ndata: {\"id\":\"" + messageId
                    + "\",\"role\":\"user\",\"content\":\"hi\"}\r\n\r\n"
                    + "event: delta\ndata: {\"id\":\"" + messageId + "r\",\"delta\":\"You \"}\n\n"
                    + "event: message\nid: " + messageId + "r\ndata: {\"id\":\"" + messageId + "r\",\n"
                    + "data: \"role\":\"assistant\",\"content\":\"You said\"}\n\n";
            if (n % 2 == 0) {
                push(id, events);
                answer(exchange, 202, "{\"messageId\":\"" + messageId + "\"}");
            } else {
                answer(exchange, 202, "{\"messageId\":\"" + messageId + "\"}");
                push(id, events);
            }
            return;
        }
        answer(exchange, 404, "{\"error\":\"not_found\"}");
    }

    private void push(String session, String events) {
        byte[] bytes = events.getBytes(StandardCharsets.UTF_8);
        for (OutputStream out : streams.getOrDefault(session, List.of())) {
            try {
                synchronized (out) {
                    out.write(bytes);
                    out.flush();
                }
            } catch (IOException e) {
                streams.get(session).remove(out);
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
