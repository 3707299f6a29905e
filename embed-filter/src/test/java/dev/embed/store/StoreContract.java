package dev.embed.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.AgentContext;
import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every guarantee of the store SPI ({@link EmbedStore} and the stores it aggregates), as tests that
 * every store runs: the memory store and the JDBC store on H2 and PostgreSQL subclass it. Each test
 * gets a new, empty store on a {@link MutableClock}, so expiry and leases are tested by moving the
 * clock, never by sleeping.
 *
 * <p>Raw values that a store must never keep (the cache keys whose hashes it is given, the
 * fingerprints inside bucket keys) are added to {@link Secrets}, so a subclass can scan what its
 * store wrote for them afterwards.
 */
public abstract class StoreContract {
    private static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9._-]{1,120}");
    private static final SecureRandom RANDOM = new SecureRandom();

    protected final MutableClock clock = MutableClock.start();
    protected EmbedStore store;
    private final List<String> events = new CopyOnWriteArrayList<>();

    /** A new store holding nothing, measuring time on {@code clock}. */
    protected abstract EmbedStore open(Clock clock);

    /** Runs the store's periodic housekeeping (the sweep of expired entries) now. */
    protected abstract void sweep(EmbedStore store);

    /**
     * How many entries the store keeps, expired or not: sessions, messages, turns awaiting a reply,
     * links, revocations and rate-limit bucket keys (one per key, however many buckets it has).
     */
    protected abstract long entries(EmbedStore store);

    @BeforeEach
    void openStore() {
        store = open(clock);
        store.addListener(new EmbedStore.Listener() {
            @Override
            public void messageStored(String sessionId) {
                events.add("stored " + sessionId);
            }

            @Override
            public void sessionEnded(String sessionId) {
                events.add("ended " + sessionId);
            }
        });
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---- sessions

    @Test
    void createWhenFoundThenEveryFieldIsKept() {
        EmbedSession plain = session(Duration.ofHours(1));
        EmbedSession withLink = linkSession(Duration.ofMinutes(15));

        store.sessions().create(plain);
        store.sessions().create(withLink);

        assertEquals(Optional.of(plain), store.sessions().find(plain.id()));
        assertEquals(Optional.of(withLink), store.sessions().find(withLink.id()));
    }

    @Test
    void findWhenUnknownThenEmpty() {
        assertEquals(Optional.empty(), store.sessions().find(newId("ses_")));
    }

    @Test
    void findWhenPastExpiresAtThenEmpty() {
        EmbedSession session = created(Duration.ofHours(1));

        clock.advance(Duration.ofMinutes(59));
        assertTrue(store.sessions().find(session.id()).isPresent());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Optional.empty(), store.sessions().find(session.id()));
    }

    @Test
    void extendWhenLaterThenSessionLivesUntilThen() {
        EmbedSession session = created(Duration.ofHours(1));
        Instant later = clock.instant().plus(Duration.ofHours(3));

        Optional<EmbedSession> extended = store.sessions().extend(session.id(), later);

        assertEquals(Optional.of(session.extendedTo(later)), extended);
        clock.advance(Duration.ofHours(2));
        assertEquals(Optional.of(later), store.sessions().find(session.id()).map(EmbedSession::expiresAt));
        clock.advance(Duration.ofHours(1));
        assertEquals(Optional.empty(), store.sessions().find(session.id()));
    }

    @Test
    void extendWhenEarlierThenNeverShortened() {
        EmbedSession session = created(Duration.ofHours(2));

        Optional<EmbedSession> extended =
                store.sessions().extend(session.id(), clock.instant().plus(Duration.ofMinutes(5)));

        assertEquals(Optional.of(session), extended);
        clock.advance(Duration.ofHours(1));
        assertEquals(Optional.of(session), store.sessions().find(session.id()));
    }

    @Test
    void extendWhenNotLiveThenEmpty() {
        EmbedSession ended = created(Duration.ofHours(1));
        store.sessions().end(ended.id());
        EmbedSession expired = created(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));
        Instant later = clock.instant().plus(Duration.ofHours(1));

        assertEquals(Optional.empty(), store.sessions().extend(newId("ses_"), later));
        assertEquals(Optional.empty(), store.sessions().extend(ended.id(), later));
        assertEquals(Optional.empty(), store.sessions().extend(expired.id(), later));
        assertEquals(Optional.empty(), store.sessions().find(expired.id()));
    }

    @Test
    void endWhenLiveThenReturnedOnceAndGoneWithItsMessagesAndTurns() {
        EmbedSession session = created(Duration.ofHours(1));
        append(session, "hello");
        append(session, "anyone?");

        assertEquals(Optional.of(session), store.sessions().end(session.id()));

        assertEquals(Optional.empty(), store.sessions().end(session.id()));
        assertEquals(Optional.empty(), store.sessions().find(session.id()));
        assertEquals(Optional.of(new MessageStore.Page(List.of(), false, false)), page(session, null, null, 10));
        assertEquals(Optional.empty(), store.messages().claimNext(session.id(), "node-a", lease(30)));
        assertEquals(
                List.of(), turnsOf(session, store.messages().claimStale("node-a", clock.instant(), lease(30), 100)));
        assertTrue(events.contains("ended " + session.id()), () -> "listener events: " + events);
    }

    @Test
    void endWhenUnknownThenEmpty() {
        assertEquals(Optional.empty(), store.sessions().end(newId("ses_")));
    }

    // ---- messages

    @Test
    void appendWhenStoredThenPagedWithItsIdRoleContentAndTime() {
        EmbedSession session = created(Duration.ofHours(1));
        Instant at = clock.instant();

        ChatMessage message = store.messages().appendUserMessage(session, "Hello, ünïcode ✓ 🙂", "thinking", at);

        assertTrue(MESSAGE_ID.matcher(message.id()).matches(), message.id());
        assertEquals(new ChatMessage(message.id(), ChatMessage.USER, "Hello, ünïcode ✓ 🙂", at), message);
        MessageStore.Page page = page(session, null, null, 10).orElseThrow();
        assertEquals(List.of(message), page.messages());
        assertFalse(page.hasMore());
        assertTrue(page.responding());
    }

    @Test
    void appendWhenRepliedInTurnThenIdsAreUniqueAndInStorageOrder() {
        EmbedSession session = created(Duration.ofHours(1));

        List<ChatMessage> stored = converse(session, 20);

        assertEquals(40, new HashSet<>(ids(stored)).size());
        assertEquals(stored, page(session, null, null, 500).orElseThrow().messages());
        for (ChatMessage message : stored) {
            assertTrue(MESSAGE_ID.matcher(message.id()).matches(), message.id());
        }
    }

    @Test
    void appendWhenConcurrentThenIdsAreUniqueAndEachThreadsMessagesKeepTheirOrder() throws Exception {
        EmbedSession session = created(Duration.ofHours(1));
        int threads = 10;
        int each = 3;

        List<List<ChatMessage>> perThread = race(threads, thread -> {
            List<ChatMessage> mine = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                mine.add(store.messages().appendUserMessage(session, "t" + thread + " m" + i, null, clock.instant()));
            }
            return mine;
        });

        List<ChatMessage> history = page(session, null, null, 500).orElseThrow().messages();
        assertEquals(threads * each, history.size());
        assertEquals(threads * each, new HashSet<>(ids(history)).size());
        for (List<ChatMessage> mine : perThread) {
            List<ChatMessage> inHistory = new ArrayList<>(history);
            inHistory.retainAll(mine);
            assertEquals(mine, inHistory, "a thread's messages appear in the order it stored them");
        }
    }

    @Test
    void appendWhenSessionNotLiveThenRefusedAndNothingStored() {
        EmbedSession expired = created(Duration.ofMinutes(1));
        EmbedSession ended = created(Duration.ofHours(1));
        store.sessions().end(ended.id());
        EmbedSession unknown = session(Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(2));

        for (EmbedSession session : List.of(expired, ended, unknown)) {
            EmbedException refused = assertThrows(
                    EmbedException.class,
                    () -> store.messages().appendUserMessage(session, "hello", null, clock.instant()));
            assertEquals(404, refused.error().status());
            assertEquals(Optional.of(new MessageStore.Page(List.of(), false, false)), page(session, null, null, 10));
        }
        assertFalse(events.stream().anyMatch(e -> e.startsWith("stored")), () -> "listener events: " + events);
    }

    @Test
    void appendWhenTooManyTurnsAwaitThenRateLimitedAndNothingStored() {
        EmbedSession session = created(Duration.ofHours(1));
        int accepted = 0;
        EmbedException refused = null;
        while (refused == null && accepted < 1000) {
            try {
                append(session, "message " + accepted);
                accepted++;
            } catch (EmbedException e) {
                refused = e;
            }
        }

        assertTrue(refused != null, "a session cannot queue an unbounded number of turns");
        assertEquals(429, refused.error().status());
        assertTrue(refused.error().retryAfterSeconds() >= 1);
        assertEquals(
                accepted,
                page(session, null, null, 500).orElseThrow().messages().size());
        MessageStore.Turn turn =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();
        store.messages().reply(turn, "done", clock.instant());
        append(session, "room again after a reply");
    }

    @Test
    void pageWhenLimitOutsideOneTo500ThenIllegalArgument() {
        EmbedSession session = created(Duration.ofHours(1));
        append(session, "hello");

        assertThrows(IllegalArgumentException.class, () -> page(session, null, null, 0));
        assertThrows(IllegalArgumentException.class, () -> page(session, null, null, MessageStore.MAX_PAGE_SIZE + 1));
        assertEquals(
                1,
                page(session, null, null, MessageStore.MAX_PAGE_SIZE)
                        .orElseThrow()
                        .messages()
                        .size());
        assertEquals(1, page(session, null, null, 1).orElseThrow().messages().size());
    }

    @Test
    void pageWhenHistoryIsLongThenLatestAfterAndBeforeAreBoundedAndSayHasMore() {
        EmbedSession session = created(Duration.ofHours(1));
        List<ChatMessage> all = converse(session, 130);
        assertEquals(260, all.size());

        // Each read twice: a store that keeps copies answers the second from them.
        for (int round = 0; round < 2; round++) {
            assertPage(all.subList(250, 260), true, page(session, null, null, 10));
            assertPage(all.subList(160, 260), true, page(session, null, null, 100));
            assertPage(all, false, page(session, null, null, 500));
            assertPage(all.subList(1, 101), true, page(session, all.get(0).id(), null, 100));
            assertPage(all.subList(241, 260), false, page(session, all.get(240).id(), null, 100));
            assertPage(all.subList(250, 260), false, page(session, all.get(249).id(), null, 10));
            assertPage(all.subList(250, 259), true, page(session, all.get(249).id(), null, 9));
            assertPage(List.of(), false, page(session, all.get(259).id(), null, 10));
            assertPage(
                    all.subList(249, 259),
                    true,
                    page(session, null, all.get(259).id(), 10));
            assertPage(all.subList(0, 5), false, page(session, null, all.get(5).id(), 10));
            assertPage(
                    all.subList(100, 200),
                    true,
                    page(session, null, all.get(200).id(), 100));
            assertPage(List.of(), false, page(session, null, all.get(0).id(), 10));
        }
    }

    @Test
    void pageWhenWalkedBackwardsOrForwardsThenEveryMessageOnceInOrder() {
        EmbedSession session = created(Duration.ofHours(1));
        List<ChatMessage> all = converse(session, 60);

        List<ChatMessage> backwards = new ArrayList<>();
        MessageStore.Page page = page(session, null, null, 7).orElseThrow();
        backwards.addAll(0, page.messages());
        while (page.hasMore()) {
            page = page(session, null, backwards.get(0).id(), 7).orElseThrow();
            backwards.addAll(0, page.messages());
        }
        assertEquals(all, backwards);

        List<ChatMessage> forwards = new ArrayList<>(List.of(all.get(0)));
        do {
            page = page(session, forwards.get(forwards.size() - 1).id(), null, 11)
                    .orElseThrow();
            forwards.addAll(page.messages());
        } while (page.hasMore());
        assertEquals(all, forwards);
    }

    @Test
    void pageWhenCursorIsNotAMessageOfTheSessionThenEmpty() {
        EmbedSession session = created(Duration.ofHours(1));
        EmbedSession other = created(Duration.ofHours(1));
        converse(session, 3);
        ChatMessage othersMessage = append(other, "elsewhere");

        assertEquals(Optional.empty(), page(session, "msg_zzzzzzzzzzzz", null, 10));
        assertEquals(Optional.empty(), page(session, null, "not-a-message", 10));
        assertEquals(Optional.empty(), page(session, othersMessage.id() + "x", null, 10));
        assertEquals(Optional.empty(), page(session, MessageStore.replyId(othersMessage.id()) + "r", null, 10));
    }

    @Test
    void pageWhenSessionUnknownOrEndedOrExpiredThenNoMessages() {
        EmbedSession ended = created(Duration.ofHours(2));
        ChatMessage endedMessage = append(ended, "bye");
        store.sessions().end(ended.id());
        EmbedSession expired = created(Duration.ofHours(1));
        ChatMessage expiredMessage = append(expired, "later");
        clock.advance(Duration.ofHours(1));
        MessageStore.Page none = new MessageStore.Page(List.of(), false, false);

        assertEquals(Optional.of(none), store.messages().page(newId("ses_"), null, null, 10));
        assertEquals(Optional.empty(), store.messages().page(newId("ses_"), "msg_000000000001", null, 10));
        assertEquals(Optional.of(none), page(ended, null, null, 10));
        assertEquals(Optional.empty(), page(ended, endedMessage.id(), null, 10));
        assertEquals(Optional.of(none), page(expired, null, null, 10));
        assertEquals(Optional.empty(), page(expired, null, expiredMessage.id(), 10));
    }

    // ---- turns

    @Test
    void claimNextWhenTurnsAwaitThenOldestFirstAndOneAtATime() {
        EmbedSession session = created(Duration.ofHours(1));
        ChatMessage first = store.messages().appendUserMessage(session, "one", "agent", clock.instant());
        ChatMessage second = append(session, "two");
        ChatMessage third = append(session, "three");

        MessageStore.Turn turn =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();
        assertEquals(session.id(), turn.sessionId());
        assertEquals(first, turn.message());
        assertEquals("agent", turn.mode());
        assertEquals("node-a", turn.owner());
        assertEquals(lease(30), turn.leaseUntil());
        assertEquals(Optional.empty(), store.messages().claimNext(session.id(), "node-a", lease(30)));
        assertEquals(Optional.empty(), store.messages().claimNext(session.id(), "node-b", lease(30)));

        ChatMessage reply =
                store.messages().reply(turn, "re: one", clock.instant()).orElseThrow();
        assertEquals(MessageStore.replyId(first.id()), reply.id());
        assertEquals(ChatMessage.ASSISTANT, reply.role());

        MessageStore.Turn next =
                store.messages().claimNext(session.id(), "node-b", lease(30)).orElseThrow();
        assertEquals(second, next.message());
        assertEquals(null, next.mode());
        assertNotEquals(turn.claimId(), next.claimId());
        assertTrue(store.messages().reply(next, "re: two", clock.instant()).isPresent());
        MessageStore.Turn last =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();
        assertEquals(third, last.message());
        assertTrue(store.messages().reply(last, "re: three", clock.instant()).isPresent());

        assertEquals(Optional.empty(), store.messages().claimNext(session.id(), "node-a", lease(30)));
        MessageStore.Page page = page(session, null, null, 10).orElseThrow();
        assertEquals(
                List.of("one", "two", "three", "re: one", "re: two", "re: three"),
                page.messages().stream().map(ChatMessage::content).toList(),
                "storage order: the replies were stored after the three questions");
        assertFalse(page.responding());
    }

    @Test
    void claimNextWhenNoTurnAwaitsThenEmpty() {
        EmbedSession session = created(Duration.ofHours(1));

        assertEquals(Optional.empty(), store.messages().claimNext(session.id(), "node-a", lease(30)));
        assertEquals(Optional.empty(), store.messages().claimNext(newId("ses_"), "node-a", lease(30)));
    }

    @Test
    void replyWhenStoredThenUnderReplyIdAfterItsMessageAndListenersToldAtOnce() {
        EmbedSession session = created(Duration.ofHours(1));
        ChatMessage message = append(session, "question");
        MessageStore.Turn turn =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();
        events.clear();
        Instant at = clock.instant().plusMillis(1500);

        ChatMessage reply = store.messages().reply(turn, "answer", at).orElseThrow();

        assertEquals(new ChatMessage(MessageStore.replyId(message.id()), ChatMessage.ASSISTANT, "answer", at), reply);
        assertEquals(List.of("stored " + session.id()), events);
        MessageStore.Page page = page(session, null, null, 10).orElseThrow();
        assertEquals(List.of(message, reply), page.messages());
        assertFalse(page.responding());
        assertEquals(
                List.of(reply),
                page(session, message.id(), null, 10).orElseThrow().messages());
    }

    @Test
    void replyWhenRepeatedThenStoredOnce() {
        EmbedSession session = created(Duration.ofHours(1));
        append(session, "question");
        MessageStore.Turn turn =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();

        assertTrue(store.messages().reply(turn, "answer", clock.instant()).isPresent());
        assertEquals(Optional.empty(), store.messages().reply(turn, "answer again", clock.instant()));

        assertEquals(2, page(session, null, null, 10).orElseThrow().messages().size());
    }

    @Test
    void replyWhenRacedForOneTurnThenStoredOnce() throws Exception {
        EmbedSession session = created(Duration.ofHours(1));
        append(session, "question");
        MessageStore.Turn turn =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();

        List<Boolean> stored = race(
                10,
                i -> store.messages()
                        .reply(turn, "answer " + i, clock.instant())
                        .isPresent());

        assertEquals(1, stored.stream().filter(b -> b).count());
        assertEquals(2, page(session, null, null, 10).orElseThrow().messages().size());
    }

    @Test
    void replyWhenSessionEndedThenDropped() {
        EmbedSession session = created(Duration.ofHours(1));
        append(session, "question");
        MessageStore.Turn turn =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();
        store.sessions().end(session.id());
        events.clear();

        assertEquals(Optional.empty(), store.messages().reply(turn, "too late", clock.instant()));
        assertEquals(List.of(), events);
    }

    @Test
    void claimStaleWhenLeaseRunsOutThenAnotherNodeTakesOverAndTheLostClaimsReplyIsDropped() {
        EmbedSession session = created(Duration.ofHours(1));
        ChatMessage message = append(session, "question");
        MessageStore.Turn first =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();

        assertEquals(
                List.of(), turnsOf(session, store.messages().claimStale("node-b", clock.instant(), lease(30), 10)));
        clock.advance(Duration.ofSeconds(29));
        assertEquals(
                List.of(), turnsOf(session, store.messages().claimStale("node-b", clock.instant(), lease(30), 10)));
        clock.advance(Duration.ofSeconds(2));
        List<MessageStore.Turn> taken =
                turnsOf(session, store.messages().claimStale("node-b", clock.instant(), lease(30), 10));

        assertEquals(1, taken.size());
        MessageStore.Turn second = taken.get(0);
        assertEquals(message, second.message());
        assertEquals("node-b", second.owner());
        assertNotEquals(first.claimId(), second.claimId());
        assertEquals(Optional.empty(), store.messages().reply(first, "from the node presumed dead", clock.instant()));
        assertTrue(store.messages()
                .reply(second, "from the node that took over", clock.instant())
                .isPresent());
        assertEquals(
                List.of("question", "from the node that took over"),
                page(session, null, null, 10).orElseThrow().messages().stream()
                        .map(ChatMessage::content)
                        .toList());
    }

    @Test
    void claimNextWhenLeaseRanOutThenTakesTheTurnOver() {
        EmbedSession session = created(Duration.ofHours(1));
        append(session, "question");
        MessageStore.Turn first =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();
        clock.advance(Duration.ofSeconds(31));

        MessageStore.Turn second =
                store.messages().claimNext(session.id(), "node-b", lease(30)).orElseThrow();

        assertEquals(first.message(), second.message());
        assertEquals(Optional.empty(), store.messages().reply(first, "late", clock.instant()));
        assertTrue(store.messages().reply(second, "on time", clock.instant()).isPresent());
    }

    @Test
    void claimStaleWhenTurnsAwaitThenOldestPerSessionAndAtMostMax() {
        EmbedSession two = created(Duration.ofHours(1));
        ChatMessage twoFirst = append(two, "two: first");
        append(two, "two: second");
        EmbedSession one = created(Duration.ofHours(1));
        ChatMessage oneFirst = append(one, "one: first");
        EmbedSession three = created(Duration.ofHours(1));
        ChatMessage threeFirst = append(three, "three: first");
        Set<String> mine = Set.of(two.id(), one.id(), three.id());

        List<MessageStore.Turn> firstTwo =
                mineOnly(mine, store.messages().claimStale("node-a", clock.instant(), lease(30), 2));
        List<MessageStore.Turn> rest =
                mineOnly(mine, store.messages().claimStale("node-b", clock.instant(), lease(30), 100));

        assertTrue(firstTwo.size() <= 2, () -> "max is 2: " + firstTwo);
        List<MessageStore.Turn> all = new ArrayList<>(firstTwo);
        all.addAll(rest);
        assertEquals(
                Set.of(twoFirst, oneFirst, threeFirst),
                Set.copyOf(all.stream().map(MessageStore.Turn::message).toList()));
        assertEquals(3, all.size());
        assertEquals(List.of(), mineOnly(mine, store.messages().claimStale("node-c", clock.instant(), lease(30), 100)));
    }

    @Test
    void claimStaleWhenSessionExpiredThenItsTurnsAreNotClaimed() {
        EmbedSession session = created(Duration.ofMinutes(1));
        append(session, "question");
        clock.advance(Duration.ofMinutes(2));

        assertEquals(
                List.of(), turnsOf(session, store.messages().claimStale("node-a", clock.instant(), lease(30), 10)));
        assertEquals(Optional.empty(), store.messages().claimNext(session.id(), "node-a", lease(30)));
    }

    @Test
    void claimWhenRacedThenEachTurnHasOneClaimer() throws Exception {
        EmbedSession session = created(Duration.ofHours(1));
        append(session, "question");
        List<EmbedSession> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            EmbedSession other = created(Duration.ofHours(1));
            append(other, "question " + i);
            others.add(other);
        }
        Set<String> mine = new HashSet<>();
        others.forEach(s -> mine.add(s.id()));

        List<Boolean> next = race(
                16,
                i -> store.messages()
                        .claimNext(session.id(), "node-" + i, lease(30))
                        .isPresent());
        List<List<MessageStore.Turn>> stale =
                race(8, i -> mineOnly(mine, store.messages().claimStale("node-" + i, clock.instant(), lease(30), 100)));

        assertEquals(1, next.stream().filter(b -> b).count());
        List<String> claimed = new ArrayList<>();
        stale.forEach(turns -> turns.forEach(t -> claimed.add(t.sessionId())));
        Collections.sort(claimed);
        List<String> expected = new ArrayList<>(mine);
        Collections.sort(expected);
        assertEquals(expected, claimed, "every other session's turn claimed exactly once");
    }

    // ---- revocations

    @Test
    void revokeSessionWhenRevokedThenRevokedUntilItsTimeOnly() {
        String sessionId = newId("ses_");
        String other = newId("ses_");

        store.revocations().revokeSession(sessionId, clock.instant().plus(Duration.ofHours(1)));

        assertTrue(store.revocations().isSessionRevoked(sessionId));
        assertFalse(store.revocations().isSessionRevoked(other));
        assertFalse(store.revocations().isTokenRevoked(sessionId));
        clock.advance(Duration.ofMinutes(59));
        assertTrue(store.revocations().isSessionRevoked(sessionId));
        clock.advance(Duration.ofMinutes(1));
        assertFalse(store.revocations().isSessionRevoked(sessionId));
    }

    @Test
    void revokeTokenWhenRevokedThenRevokedUntilItsTimeOnly() {
        String jti = newId("jti_");

        store.revocations().revokeToken(jti, clock.instant().plus(Duration.ofMinutes(10)));

        assertTrue(store.revocations().isTokenRevoked(jti));
        assertFalse(store.revocations().isTokenRevoked(newId("jti_")));
        assertFalse(store.revocations().isSessionRevoked(jti));
        clock.advance(Duration.ofMinutes(10));
        assertFalse(store.revocations().isTokenRevoked(jti));
    }

    @Test
    void revokeWhenRepeatedWithAnEarlierTimeThenTheLaterHolds() {
        String sessionId = newId("ses_");

        store.revocations().revokeSession(sessionId, clock.instant().plus(Duration.ofHours(2)));
        store.revocations().revokeSession(sessionId, clock.instant().plus(Duration.ofMinutes(5)));

        clock.advance(Duration.ofHours(1));
        assertTrue(store.revocations().isSessionRevoked(sessionId));
    }

    // ---- links

    @Test
    void linkWhenPutThenPeekedAndTakenExactlyOnce() {
        String cacheKey = newCacheKey();
        LinkStore.Link link = link(Duration.ofMinutes(15));

        store.links().put(sha256(cacheKey), link);

        assertEquals(Optional.of(link), store.links().peek(sha256(cacheKey)));
        assertEquals(Optional.of(link), store.links().peek(sha256(cacheKey)));
        assertEquals(Optional.of(link), store.links().take(sha256(cacheKey)));
        assertEquals(Optional.empty(), store.links().take(sha256(cacheKey)));
        assertEquals(Optional.empty(), store.links().peek(sha256(cacheKey)));
    }

    @Test
    void linkWhenExpiredThenNeitherPeekedNorTaken() {
        String cacheKey = newCacheKey();
        store.links().put(sha256(cacheKey), link(Duration.ofMinutes(15)));

        clock.advance(Duration.ofMinutes(15));

        assertEquals(Optional.empty(), store.links().peek(sha256(cacheKey)));
        assertEquals(Optional.empty(), store.links().take(sha256(cacheKey)));
    }

    @Test
    void linkWhenUnknownThenEmpty() {
        assertEquals(Optional.empty(), store.links().peek(sha256(newCacheKey())));
        assertEquals(Optional.empty(), store.links().take(sha256(newCacheKey())));
    }

    @Test
    void linkWhenHundredRedemptionsRaceThenExactlyOneWins() throws Exception {
        String cacheKey = newCacheKey();
        LinkStore.Link link = link(Duration.ofMinutes(15));
        store.links().put(sha256(cacheKey), link);

        List<Optional<LinkStore.Link>> results = race(100, i -> store.links().take(sha256(cacheKey)));

        assertEquals(1, results.stream().filter(Optional::isPresent).count());
        assertEquals(
                Optional.of(link),
                results.stream().filter(Optional::isPresent).findFirst().orElseThrow());
    }

    // ---- rate limits

    @Test
    void tryAcquireWhenBurstIsSpentThenRefusedUntilAPermitRefills() {
        String key = bucketKey();
        List<RateLimitStore.Limit> limits = List.of(new RateLimitStore.Limit("minute", 3, 1, Duration.ofMinutes(1)));

        for (int i = 0; i < 3; i++) {
            assertEquals(RateLimitStore.Decision.ALLOWED, store.rateLimits().tryAcquire(key, limits));
        }
        RateLimitStore.Decision refused = store.rateLimits().tryAcquire(key, limits);
        assertFalse(refused.allowed());
        assertTrue(refused.retryAfterSeconds() >= 1 && refused.retryAfterSeconds() <= 60, refused::toString);

        clock.advance(Duration.ofSeconds(30));
        assertFalse(store.rateLimits().tryAcquire(key, limits).allowed());
        clock.advance(Duration.ofSeconds(30));
        assertTrue(store.rateLimits().tryAcquire(key, limits).allowed());
        assertFalse(store.rateLimits().tryAcquire(key, limits).allowed());
    }

    @Test
    void tryAcquireWhenOneOfTwoBucketsIsEmptyThenNeitherIsTaken() {
        String key = bucketKey();
        RateLimitStore.Limit small = new RateLimitStore.Limit("hourly", 2, 2, Duration.ofHours(1));
        RateLimitStore.Limit large = new RateLimitStore.Limit("daily", 3, 3, Duration.ofDays(1));

        assertTrue(store.rateLimits().tryAcquire(key, List.of(small, large)).allowed());
        assertTrue(store.rateLimits().tryAcquire(key, List.of(small, large)).allowed());
        assertFalse(store.rateLimits().tryAcquire(key, List.of(small, large)).allowed());
        assertFalse(store.rateLimits().tryAcquire(key, List.of(small, large)).allowed());

        assertTrue(store.rateLimits().tryAcquire(key, List.of(large)).allowed(), "the refused requests took nothing");
        assertFalse(store.rateLimits().tryAcquire(key, List.of(large)).allowed());
    }

    @Test
    void tryAcquireWhenRacedThenExactlyTheBurstIsAllowed() throws Exception {
        String key = bucketKey();
        List<RateLimitStore.Limit> limits = List.of(new RateLimitStore.Limit("hourly", 25, 25, Duration.ofHours(1)));

        List<Integer> allowed = race(40, i -> {
            int mine = 0;
            for (int n = 0; n < 3; n++) {
                if (store.rateLimits().tryAcquire(key, limits).allowed()) {
                    mine++;
                }
            }
            return mine;
        });

        assertEquals(25, allowed.stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void tryAcquireWhenKeysOrNamesDifferThenBucketsAreIndependent() {
        String key = bucketKey();
        String other = bucketKey();
        RateLimitStore.Limit one = new RateLimitStore.Limit("a", 1, 1, Duration.ofHours(1));
        RateLimitStore.Limit sameShapeOtherName = new RateLimitStore.Limit("b", 1, 1, Duration.ofHours(1));

        assertTrue(store.rateLimits().tryAcquire(key, List.of(one)).allowed());
        assertFalse(store.rateLimits().tryAcquire(key, List.of(one)).allowed());
        assertTrue(store.rateLimits().tryAcquire(other, List.of(one)).allowed());
        assertTrue(
                store.rateLimits().tryAcquire(key, List.of(sameShapeOtherName)).allowed());
    }

    @Test
    void sweepWhenABucketIsNotFullYetThenItIsKept() {
        String key = bucketKey();
        List<RateLimitStore.Limit> limits = List.of(new RateLimitStore.Limit("hourly", 2, 2, Duration.ofHours(1)));
        store.rateLimits().tryAcquire(key, limits);
        store.rateLimits().tryAcquire(key, limits);
        clock.advance(Duration.ofMinutes(10));

        sweep(store);

        assertFalse(store.rateLimits().tryAcquire(key, limits).allowed());
    }

    // ---- listeners and housekeeping

    @Test
    void listenerWhenMessageStoredOrSessionEndedThenToldBeforeTheCallReturns() {
        EmbedSession session = created(Duration.ofHours(1));
        events.clear();

        append(session, "hello");
        assertEquals(List.of("stored " + session.id()), events);
        MessageStore.Turn turn =
                store.messages().claimNext(session.id(), "node-a", lease(30)).orElseThrow();
        assertEquals(List.of("stored " + session.id()), events, "a claim is not a new message");
        store.messages().reply(turn, "hi", clock.instant());
        assertEquals(List.of("stored " + session.id(), "stored " + session.id()), events);
        store.sessions().end(session.id());
        assertEquals(List.of("stored " + session.id(), "stored " + session.id(), "ended " + session.id()), events);
    }

    @Test
    void sweepWhenEverythingElseExpiredThenOnlyTheLiveSessionRemains() {
        EmbedSession live = created(Duration.ofDays(1));
        EmbedSession expiring = created(Duration.ofHours(1));
        converse(expiring, 2);
        append(expiring, "unanswered");
        store.links().put(sha256(newCacheKey()), link(Duration.ofMinutes(15)));
        store.revocations().revokeSession(expiring.id(), expiring.expiresAt());
        store.revocations().revokeToken(newId("jti_"), clock.instant().plus(Duration.ofMinutes(5)));
        store.rateLimits()
                .tryAcquire(bucketKey(), List.of(new RateLimitStore.Limit("minute", 5, 5, Duration.ofMinutes(1))));
        long before = entries(store);

        clock.advance(Duration.ofHours(2));
        sweep(store);

        assertTrue(before >= 10, () -> "entries before the sweep: " + before);
        assertEquals(1, entries(store), "only the live session is left");
        assertEquals(Optional.of(live), store.sessions().find(live.id()));
    }

    @Test
    void describeWhenAskedThenSaysWhatStoreItIs() {
        assertFalse(store.describe().isBlank());
    }

    // ---- helpers for subclasses and tests

    /** A session of flow B that lives for {@code ttl} from now, not yet stored. */
    protected EmbedSession session(Duration ttl) {
        Instant now = clock.instant();
        return new EmbedSession(
                newId("ses_"),
                "tenant-a",
                "space-1",
                "support",
                "user-" + RANDOM.nextInt(1000),
                "Ada Lovelace",
                "chat",
                "session",
                now,
                now.plus(ttl),
                List.of("https://app.example.com", "https://*.example.org"),
                null);
    }

    /** A session of flow D with every kind of link data, not yet stored. */
    protected EmbedSession linkSession(Duration ttl) {
        Instant now = clock.instant();
        EmbedSession.LinkData link = new EmbedSession.LinkData(
                List.of("docs", "faq"),
                List.of(
                        new AgentContext.KnowledgeEntry(null, "Opening hours: 9-17"),
                        new AgentContext.KnowledgeEntry("Refunds", "Within 30 days, \"no\" questions asked")),
                List.of(new AgentContext.ReferenceQuery("Hours", "When are you open?")),
                "gpt-5",
                Map.of(
                        "theme_mode",
                        "dark",
                        "show_sidebar",
                        true,
                        "theme_id",
                        7L,
                        "custom_css_vars",
                        Map.of("--accent", "#123456")),
                Map.of("hourly", 10L, "daily", 100L));
        return new EmbedSession(
                newId("ses_"),
                "tenant-b",
                null,
                null,
                "uid-42",
                null,
                "chat",
                "iframe",
                now,
                now.plus(ttl),
                List.of(),
                link);
    }

    /** A stored session living for {@code ttl}. */
    protected EmbedSession created(Duration ttl) {
        EmbedSession session = session(ttl);
        store.sessions().create(session);
        return session;
    }

    protected ChatMessage append(EmbedSession session, String content) {
        return store.messages().appendUserMessage(session, content, null, clock.instant());
    }

    /** {@code rounds} user messages, each answered: the stored messages in order. */
    protected List<ChatMessage> converse(EmbedSession session, int rounds) {
        List<ChatMessage> stored = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            stored.add(append(session, "question " + i));
            MessageStore.Turn turn = store.messages()
                    .claimNext(session.id(), "node-a", lease(30))
                    .orElseThrow();
            stored.add(
                    store.messages().reply(turn, "answer " + i, clock.instant()).orElseThrow());
        }
        return stored;
    }

    protected Optional<MessageStore.Page> page(EmbedSession session, String after, String before, int limit) {
        return store.messages().page(session.id(), after, before, limit);
    }

    protected Instant lease(int seconds) {
        return clock.instant().plusSeconds(seconds);
    }

    /** A link for a stored session, expiring after {@code ttl}. */
    protected LinkStore.Link link(Duration ttl) {
        EmbedSession session = linkSession(ttl);
        store.sessions().create(session);
        return new LinkStore.Link(
                session.id(),
                "uid-42",
                List.of("docs", "faq"),
                clock.instant(),
                clock.instant().plus(ttl));
    }

    /** A new flow D cache key: never to be stored, only its hash. */
    protected static String newCacheKey() {
        String key = newId("ck_");
        Secrets.add(key);
        return key;
    }

    /** A bucket key holding a raw fingerprint, as a careless caller might pass: only its hash may be stored. */
    protected static String bucketKey() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String fingerprint = HexFormat.of().formatHex(bytes);
        Secrets.add(fingerprint);
        return "visitor|key-1|support|" + fingerprint;
    }

    protected static String newId(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    protected static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A task of a race: gets the thread's index. */
    @FunctionalInterface
    protected interface Racer<T> {
        T run(int index) throws Exception;
    }

    /** Runs {@code threads} tasks released at the same moment; their results in thread order. */
    protected static <T> List<T> race(int threads, Racer<T> racer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int index = i;
                Callable<T> task = () -> {
                    ready.countDown();
                    go.await();
                    return racer.run(index);
                };
                futures.add(pool.submit(task));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertPage(List<ChatMessage> expected, boolean hasMore, Optional<MessageStore.Page> page) {
        MessageStore.Page actual = page.orElseThrow(() -> new AssertionError("no page"));
        assertEquals(ids(expected), ids(actual.messages()));
        assertEquals(expected, actual.messages());
        assertEquals(hasMore, actual.hasMore(), "hasMore");
    }

    private static List<String> ids(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::id).toList();
    }

    private static List<MessageStore.Turn> turnsOf(EmbedSession session, List<MessageStore.Turn> turns) {
        return turns.stream().filter(t -> t.sessionId().equals(session.id())).toList();
    }

    private static List<MessageStore.Turn> mineOnly(Set<String> sessions, List<MessageStore.Turn> turns) {
        return turns.stream().filter(t -> sessions.contains(t.sessionId())).toList();
    }
}
