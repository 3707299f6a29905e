package dev.embed.demo;

import dev.embed.error.EmbedError;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jose4j.json.JsonUtil;

/**
 * The demo customer's own backend: {@code POST /demo/embed-url} mints an iframe URL for the
 * signed-in user by calling the mint endpoint server-to-server with the API key, exactly as a
 * customer's backend would. The key never reaches the browser. With {@code ?sessionId=...} it
 * continues that session: the customer page asks for this when the chat frame posts {@code
 * embed:token-expired}, and hands the fresh token to the frame.
 */
public final class CustomerBackendServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String key = (String) getServletContext().getAttribute(DemoListener.DEMO_KEY_ATTRIBUTE);
        String agent = "sales".equals(request.getParameter("agent")) ? "sales" : "support";
        // The customer's backend knows who is signed in; the demo has one user.
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("externalUserId", "demo-customer-1");
        body.put("displayName", "Kelly");
        body.put("ttlSeconds", 3600L);
        body.put("mode", "chat");
        String sessionId = request.getParameter("sessionId");
        if (sessionId != null && sessionId.matches("[A-Za-z0-9._-]{1,128}")) {
            body.put("sessionId", sessionId);
        }
        String self = "http://127.0.0.1:" + request.getLocalPort() + request.getContextPath();
        HttpRequest mint = HttpRequest.newBuilder(
                        URI.create(self + "/api/v1/spaces/demo/agents/" + agent + "/embed-urls"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonUtil.toJson(body)))
                .build();
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json; charset=utf-8");
        try {
            HttpResponse<String> minted = CLIENT.send(mint, HttpResponse.BodyHandlers.ofString());
            response.setStatus(minted.statusCode());
            response.getWriter().write(minted.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.setStatus(503);
            response.getWriter()
                    .write(JsonUtil.toJson(
                            Map.of("error", EmbedError.serverError().code())));
        }
    }
}
