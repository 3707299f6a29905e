package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.ChatMessage;
import dev.embed.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link InMemoryChatStore}: ids, cursors, the per-session cap and expiry on the library's clock. */
class ChatStoreTest {
    private final MutableClock clock = MutableClock.start();
    private final Instant expiresAt = clock.instant().plusSeconds(3600);

    @Test
    void appendWhenSeveralThenIdsFollowTheSequenceInBase36() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 10, 1000);

        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 37; i++) {
            ids.add(store.append("s", expiresAt, ChatMessage.USER, "m" + i, clock.instant())
                    .id());
        }

        assertEquals("msg_000000000001", ids.get(0));
        assertEquals("msg_00000000000z", ids.get(34));
        assertEquals("msg_000000000010", ids.get(35));
        assertEquals(ids.stream().sorted().toList(), ids);
    }

    @Test
    void appendWhenOtherSessionThenOwnSequence() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 10, 1000);
        store.append("a", expiresAt, ChatMessage.USER, "x", clock.instant());

        assertEquals(
                "msg_000000000001",
                store.append("b", expiresAt, ChatMessage.USER, "y", clock.instant())
                        .id());
        assertEquals(Optional.empty(), store.messagesAfter("b", "msg_000000000002"));
    }

    @Test
    void messagesAfterWhenCursorKnownThenOnlyNewer() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 10, 1000);
        ChatMessage first = store.append("s", expiresAt, ChatMessage.USER, "one", clock.instant());
        store.append("s", expiresAt, ChatMessage.ASSISTANT, "two", clock.instant());

        assertEquals(
                List.of("two"), contents(store.messagesAfter("s", first.id()).orElseThrow()));
        assertEquals(
                List.of("one", "two"), contents(store.messagesAfter("s", null).orElseThrow()));
        assertEquals(List.of(), store.messagesAfter("s", "msg_000000000002").orElseThrow());
        assertEquals(Optional.empty(), store.messagesAfter("s", "msg_000000000003"));
        assertEquals(Optional.empty(), store.messagesAfter("s", "not-an-id"));
    }

    @Test
    void appendWhenOverTheCapThenOldestDroppedAndOldCursorsStillWork() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 10, 3);
        for (int i = 1; i <= 5; i++) {
            store.append("s", expiresAt, ChatMessage.USER, "m" + i, clock.instant());
        }

        assertEquals(
                List.of("m3", "m4", "m5"),
                contents(store.messagesAfter("s", null).orElseThrow()));
        assertEquals(
                List.of("m3", "m4", "m5"),
                contents(store.messagesAfter("s", "msg_000000000001").orElseThrow()));
        assertEquals(
                List.of("m5"),
                contents(store.messagesAfter("s", "msg_000000000004").orElseThrow()));
    }

    @Test
    void historyWhenSessionExpiresThenGone() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 10, 1000);
        store.append("s", expiresAt, ChatMessage.USER, "hi", clock.instant());

        clock.advance(Duration.ofSeconds(3599));
        assertEquals(1, store.messagesAfter("s", null).orElseThrow().size());
        clock.advance(Duration.ofSeconds(1));

        assertEquals(List.of(), store.messagesAfter("s", null).orElseThrow());
        assertEquals(Optional.empty(), store.messagesAfter("s", "msg_000000000001"));
    }

    @Test
    void historyWhenSessionExtendedByALaterAppendThenLivesLonger() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 10, 1000);
        store.append("s", expiresAt, ChatMessage.USER, "hi", clock.instant());
        store.append("s", expiresAt.plusSeconds(600), ChatMessage.ASSISTANT, "hello", clock.instant());
        store.append("s", expiresAt, ChatMessage.USER, "stale expiry does not shorten it", clock.instant());

        clock.advance(Duration.ofSeconds(3600 + 599));

        assertEquals(3, store.messagesAfter("s", null).orElseThrow().size());
    }

    @Test
    void storeWhenMoreSessionsThanMaximumThenBounded() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 5, 1000);
        for (int i = 0; i < 50; i++) {
            store.append("s" + i, expiresAt, ChatMessage.USER, "x", clock.instant());
        }

        assertTrue(store.size() <= 5, "size " + store.size());
    }

    @Test
    void removeWhenCalledThenHistoryGone() {
        InMemoryChatStore store = new InMemoryChatStore(clock, 10, 1000);
        store.append("s", expiresAt, ChatMessage.USER, "x", clock.instant());

        store.remove("s");

        assertEquals(List.of(), store.messagesAfter("s", null).orElseThrow());
    }

    @Test
    void constructorWhenCapBelowTwoThenRefused() {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryChatStore(clock, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryChatStore(clock, 0, 10));
    }

    @Test
    void chatMessageWhenWrittenThenJsonOfDesignSection4() {
        ChatMessage message =
                new ChatMessage("msg_000000000001", "user", "hi", Instant.parse("2026-01-01T10:00:00.5Z"));

        assertEquals(
                "{\"id\":\"msg_000000000001\",\"role\":\"user\",\"content\":\"hi\",\"createdAt\":\"2026-01-01T10:00:00.500Z\"}",
                dev.embed.internal.Json.write(ChatService.json(message)));
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("m", "system", "x", Instant.EPOCH));
    }

    private static List<String> contents(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::content).toList();
    }
}
