package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.AdapterContract;
import dev.embed.testing.EchoTestAgent;
import dev.embed.testing.EventStreamClient;
import dev.embed.testing.Http;
import dev.embed.testing.JettyServer;
import dev.embed.testing.Json;
import dev.embed.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §4 across nodes: two servlet nodes on one database ({@code embed.store=jdbc}, H2, which
 * carries changes by polling alone). A stream open on one node gets every message stored through
 * the other, and the agent's finished reply, within a second of its storing; the deltas stay on
 * the node that runs the agent.
 */
class TwoNodesEventsIT {
    private JettyServer a;
    private JettyServer b;

    @BeforeEach
    void nodes() throws Exception {
        Map<String, String> configuration = new LinkedHashMap<>(AdapterContract.configuration());
        configuration.put("embed.store", "jdbc");
        configuration.put("embed.store.jdbc.url", "jdbc:h2:mem:events_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        configuration.put("embed.store.jdbc.tablePrefix", TestStores.newPrefix());
        configuration.put("embed.store.jdbc.schema", "upgrade");
        a = JettyServer.start(JettyServer.webXml(configuration, ""), "/shop");
        b = JettyServer.start(JettyServer.webXml(configuration, ""), "/shop");
    }

    @AfterEach
    void close() throws Exception {
        b.close();
        a.close();
    }

    @Test
    void streamWhenMessagesAreStoredOnTheOtherNodeThenEachArrivesWithinOneSecond() throws Exception {
        HttpResponse<String> minted = Http.postJson(
                a.uri("/api/v1/spaces/demo/agents/support/embed-sessions"),
                TestKeys.ACME_KEY,
                "{\"externalUserId\": \"two-nodes\"}");
        assertEquals(200, minted.statusCode(), minted.body());
        String sid = (String) Http.json(minted).get("sessionId");
        String token = (String) Http.json(minted).get("token");

        try (EventStreamClient onB =
                EventStreamClient.open(b.base(), "/api/v1/embed/chat-sessions/" + sid + "/events", token)) {
            assertEquals(200, onB.status());
            long sent = System.nanoTime();
            HttpResponse<String> posted = Http.postJson(
                    URI.create(a.base() + "/api/v1/embed/chat-sessions/" + sid + "/messages"),
                    token,
                    "{\"message\": \"across nodes\"}");
            assertEquals(202, posted.statusCode(), posted.body());
            String id = (String) Http.json(posted).get("messageId");

            EventStreamClient.Event user = onB.nextEvent(Duration.ofSeconds(5));
            long userMillis = Duration.ofNanos(System.nanoTime() - sent).toMillis();
            assertEquals(id, user.id());
            EventStreamClient.Event reply = onB.nextEvent(Duration.ofSeconds(5));
            long replyMillis = Duration.ofNanos(System.nanoTime() - sent).toMillis();
            assertEquals("message", reply.event(), "no delta reaches another node");
            assertEquals(id + "r", reply.id());
            assertEquals(
                    EchoTestAgent.replyTo("across nodes"),
                    Json.parseObject(reply.data()).get("content"));
            System.out.println("[events] across nodes: user message after " + userMillis + " ms, reply after "
                    + replyMillis + " ms");
            assertTrue(userMillis < 1000, "the user's message took " + userMillis + " ms");
            // the reply is stored about 150 ms after the message (the echo agent), then carried within 1 s
            assertTrue(replyMillis < 1000 + 150 + 250, "the reply took " + replyMillis + " ms");
        }
    }
}
