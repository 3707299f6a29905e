package dev.embed.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.ChatMessage;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Polling alone carries changes between stores: two stores on one H2 database (which has no
 * notifications) hear each other's messages, ends and revocations within a second. This is the
 * path a PostgreSQL node takes when a notification is lost or a pooler cannot pass them.
 */
class H2TwoStoresTest {
    private final MutableClock clock = MutableClock.start();
    private JdbcStore a;
    private JdbcStore b;
    private final BlockingQueue<String> heardByB = new LinkedBlockingQueue<>();

    @BeforeEach
    void open() {
        String url = "jdbc:h2:mem:two_stores_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        String prefix = TestStores.newPrefix();
        a = TestStores.open(url, prefix, clock, "embed.store.jdbc.pollMillis", "250");
        b = TestStores.open(url, prefix, clock, "embed.store.jdbc.pollMillis", "250");
        b.addListener(new EmbedStore.Listener() {
            @Override
            public void messageStored(String sessionId) {
                heardByB.add("stored " + sessionId);
            }

            @Override
            public void sessionEnded(String sessionId) {
                heardByB.add("ended " + sessionId);
            }
        });
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void changeWhenMadeByOneStoreThenTheOtherPollsItWithinOneSecond() throws Exception {
        assertEquals(false, b.feed().listening());
        EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
        a.sessions().create(session);
        assertEquals(Optional.of(session), b.sessions().find(session.id()));
        assertEquals(
                List.of(),
                b.messages().page(session.id(), null, null, 10).orElseThrow().messages());

        ChatMessage message = a.messages().appendUserMessage(session, "hello", null, clock.instant());
        assertEquals("stored " + session.id(), heardByB.poll(1, TimeUnit.SECONDS));
        assertEquals(
                List.of(message),
                b.messages().page(session.id(), null, null, 10).orElseThrow().messages());

        a.revocations().revokeSession(session.id(), session.expiresAt());
        a.sessions().end(session.id());
        assertEquals("ended " + session.id(), heardByB.poll(1, TimeUnit.SECONDS));
        assertTrue(b.revocations().isSessionRevoked(session.id()));
        assertEquals(Optional.empty(), b.sessions().find(session.id()));
    }

    @Test
    void pageWhenCursorIsAMessageTheOtherStoreHasNotHeardOfThenReadFromTheDatabase() {
        EmbedSession session = TestStores.session(clock, Duration.ofHours(1));
        a.sessions().create(session);
        // b copies the session's (empty) tail before a stores a message...
        assertEquals(
                List.of(),
                b.messages().page(session.id(), null, null, 10).orElseThrow().messages());
        ChatMessage first = a.messages().appendUserMessage(session, "hello", null, clock.instant());
        ChatMessage second = a.messages().appendUserMessage(session, "again", null, clock.instant());

        // ...and is asked, before its poll, for what follows the first one: a client that posted
        // through node a and reads through node b. Its copy does not know the cursor; the database does.
        assertEquals(
                List.of(second),
                b.messages()
                        .page(session.id(), first.id(), null, 10)
                        .orElseThrow()
                        .messages());
        assertEquals(
                List.of(first),
                b.messages()
                        .page(session.id(), null, second.id(), 10)
                        .orElseThrow()
                        .messages());
        assertEquals(Optional.empty(), b.messages().page(session.id(), "msg_unknown", null, 10));
    }
}
