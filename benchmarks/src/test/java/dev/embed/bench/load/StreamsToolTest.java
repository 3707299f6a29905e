package dev.embed.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.bench.load.Servers.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The streams tool against a fake server that speaks the DESIGN §4 /events contract. */
@Timeout(120)
class StreamsToolTest {
    @Test
    void streamsWhenEachOnItsOwnSessionThenEveryStreamTimesItsOwnMessage() throws Exception {
        try (FakeEmbedServer fake = new FakeEmbedServer();
                Http http = new Http("test-client")) {
            Server server = new Server("fake", Servers.loopback(fake.port()), "sk_fake", -1);

            StreamsTool.Figures f = StreamsTool.measure(http, server, 40, false, 40, 400, 2, false);

            assertNull(f.firstProblem, f.firstProblem);
            assertEquals(40, f.opened);
            assertEquals(40, fake.streamsOpened.get());
            assertEquals(40, f.expected);
            assertEquals(40, f.received, "one user message event per stream, the reply and delta ignored");
            assertEquals(40, f.from202.count());
            assertTrue(
                    f.eventsBefore202 > 0 && f.eventsBefore202 < 40,
                    "the fake writes every other event before its 202");
            assertTrue(f.comments >= 40, "each stream's opening comment is read as a comment");
            assertEquals(0, f.streamFailures.get());
        }
    }

    @Test
    void streamsWhenSharedSessionThenEveryStreamGetsEveryMessage() throws Exception {
        try (FakeEmbedServer fake = new FakeEmbedServer();
                Http http = new Http("test-client")) {
            Server server = new Server("fake", Servers.loopback(fake.port()), "sk_fake", -1);

            StreamsTool.Figures f = StreamsTool.measure(http, server, 25, true, 3, 20, 1, false);

            assertNull(f.firstProblem, f.firstProblem);
            assertEquals(25, f.opened);
            assertEquals(75, f.expected);
            assertEquals(75, f.received);
            assertEquals(75, f.fromSend.count());
        }
    }

    @Test
    void mintSessionsWhenTheKeyIsRefusedThenFailsNamingTheStatus() throws Exception {
        try (FakeEmbedServer fake = new FakeEmbedServer();
                Http http = new Http("test-client")) {
            // a key the fake refuses: the mint fails loudly
            Server wrongKey = new Server("fake", Servers.loopback(fake.port()), "sk_wrong", -1);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalStateException.class, () -> Drive.mintSessions(http, wrongKey, 1, 1, "x"));
            assertTrue(String.valueOf(e.getMessage()).contains("mint answered 401"), String.valueOf(e));
        }
    }
}
