package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.chat.ChatMessage;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.MessageStore;
import dev.embed.store.RateLimitStore;
import dev.embed.testing.ManualScheduler;
import dev.embed.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory store's byte budgets and its refusal to evict (DESIGN §10; issue 13 findings 2 and
 * 5): a session, a tenant and the store hold at most their budget of text, past it a caller gets
 * 429 with Retry-After and nothing is stored, and one tenant's flood never drops another's
 * sessions or rate-limit states. The store is opened from configuration, as an application opens
 * it.
 */
class MemoryStoreBudgetTest {
    private static final String LONGEST = "x".repeat(ChatRequests.MAX_MESSAGE_LENGTH);
    private static final RateLimitStore.Limit HOURLY = new RateLimitStore.Limit("hourly", 2, 2, Duration.ofHours(1));

    private final MutableClock clock = MutableClock.start();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<MemoryStore> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(MemoryStore::close);
    }

    /** 8 MiB in all, 4 MiB per tenant, 256 KiB of messages per session, and the given counts. */
    private MemoryStore open(int maximumSize, int sessionsPerTenant) {
        Map<String, String> config = new HashMap<>();
        config.put("embed.memory.maxBytes", String.valueOf(8 * 1024 * 1024));
        config.put("embed.memory.tenantSharePercent", "50");
        config.put("embed.memory.maxSessionBytes", String.valueOf(256 * 1024));
        config.put("embed.memory.maxSessionsPerTenant", String.valueOf(sessionsPerTenant));
        config.put("embed.sessions.maximumSize", String.valueOf(maximumSize));
        config.put("embed.chat.maxMessagesPerSession", "1000");
        MemoryStore store = MemoryStore.open(EmbedConfig.of(config), clock, scheduler);
        opened.add(store);
        return store;
    }

    private EmbedSession session(MemoryStore store, String tenant, String id) {
        Instant now = clock.instant();
        EmbedSession session = new EmbedSession(
                id,
                tenant,
                "demo",
                "support",
                "u",
                null,
                "chat",
                "session",
                now,
                now.plusSeconds(3600),
                List.of(),
                null);
        store.sessions().create(session);
        return session;
    }

    private ChatMessage post(MemoryStore store, EmbedSession session, String text) {
        return store.messages().appendUserMessage(session, text, null, clock.instant());
    }

    private void answer(MemoryStore store, EmbedSession session, String text) {
        MessageStore.Turn turn = store.messages()
                .claimNext(session.id(), "node", clock.instant().plusSeconds(600))
                .orElseThrow();
        assertTrue(
                store.messages().reply(turn, text, turn.message().createdAt()).isPresent(), "reply stored");
    }

    private static List<ChatMessage> history(MemoryStore store, String sessionId) {
        return store.messages()
                .page(sessionId, null, null, MessageStore.MAX_PAGE_SIZE)
                .orElseThrow()
                .messages();
    }

    @Test
    void appendWhenSessionTextPastItsBudgetThenRateLimitedAndNothingStored() {
        MemoryStore store = open(1000, 1000);
        EmbedSession session = session(store, "acme", "ses_a");
        int accepted = 0;
        EmbedException refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            try {
                post(store, session, LONGEST);
                answer(store, session, "ok");
                accepted++;
            } catch (EmbedException e) {
                refused = e;
            }
        }

        assertTrue(refused != null, "a session of 100 longest messages must pass a 256 KiB budget");
        assertEquals(429, refused.error().status());
        assertEquals("rate_limited", refused.error().code());
        assertTrue(refused.error().retryAfterSeconds() >= 1);
        assertTrue(accepted >= 5 && accepted < 16, "2 bytes a char: 256 KiB holds about 15 such messages: " + accepted);
        assertEquals(2 * accepted, history(store, "ses_a").size(), "the refused message is not stored");
    }

    @Test
    void appendWhenRepliesAwaitedThenTheirRoomIsReservedAndEveryReplyFits() {
        MemoryStore store = open(1000, 1000);
        EmbedSession session = session(store, "acme", "ses_a");
        int pending = 0;
        EmbedException refused = null;
        while (refused == null && pending < 32) {
            try {
                post(store, session, "short");
                pending++;
            } catch (EmbedException e) {
                refused = e;
            }
        }

        assertTrue(refused != null, "each awaited reply reserves room for the longest reply");
        assertEquals(429, refused.error().status());
        assertTrue(pending >= 1 && pending <= 4, "256 KiB holds about 4 reservations of 64 KB: " + pending);
        String longest = "r".repeat(AgentTurns.MAX_REPLY_LENGTH);
        for (int i = 0; i < pending; i++) {
            answer(store, session, longest);
        }
        assertEquals(2 * pending, history(store, "ses_a").size(), "every reply to an accepted message is stored");
    }

    @Test
    void appendWhenTenantShareSpentThenThatTenantIsRefusedAndAnotherStillStores() {
        MemoryStore store = open(1000, 1000);
        EmbedException refused = null;
        int sessions = 0;
        for (int s = 0; s < 100 && refused == null; s++) {
            EmbedSession session;
            try {
                session = session(store, "flood", "ses_f" + s);
                sessions++;
            } catch (EmbedException e) {
                refused = e;
                break;
            }
            for (int i = 0; i < 20; i++) {
                try {
                    post(store, session, LONGEST);
                    answer(store, session, LONGEST);
                } catch (EmbedException e) {
                    if (e.error().description().contains("tenant")) {
                        refused = e;
                    }
                    break;
                }
            }
        }

        assertTrue(refused != null, "4 MiB per tenant must stop 100 sessions of 256 KiB");
        assertEquals(429, refused.error().status());
        assertTrue(refused.error().retryAfterSeconds() >= 1);
        assertTrue(sessions > 10, "the share is bytes, not a few sessions: " + sessions);
        EmbedSession other = session(store, "other", "ses_o");
        post(store, other, LONGEST);
        answer(store, other, LONGEST);
        assertEquals(2, history(store, "ses_o").size());
    }

    @Test
    void createWhenTenantHasAllItsSessionsThenRateLimitedAndNoSessionOfAnyTenantIsEvicted() {
        MemoryStore store = open(7, 3);
        for (int i = 0; i < 3; i++) {
            session(store, "a", "ses_a" + i);
            session(store, "b", "ses_b" + i);
        }

        EmbedException fourth = assertThrows(EmbedException.class, () -> session(store, "a", "ses_a3"));
        session(store, "c", "ses_c0");
        EmbedException full = assertThrows(EmbedException.class, () -> session(store, "c", "ses_c1"));

        assertEquals(429, fourth.error().status());
        assertTrue(
                fourth.error().description().contains("sessions"),
                fourth.error().description());
        assertEquals(429, full.error().status(), "the store holds embed.sessions.maximumSize sessions");
        for (String id : List.of("ses_a0", "ses_a1", "ses_a2", "ses_b0", "ses_b1", "ses_b2", "ses_c0")) {
            assertTrue(store.sessions().find(id).isPresent(), id + " was evicted");
        }
        store.sessions().end("ses_a0");
        session(store, "a", "ses_a3"); // an ended session makes room at once
    }

    @Test
    void tryAcquireWhenTenantFloodsNewKeysThenItIsRefusedAndAnotherTenantsBucketsAreKept() {
        MemoryStore store = open(1_000_000, 1000);
        RateLimitStore limits = store.rateLimits();
        String victim = "uid\u0000victim\u0000user-1";
        assertTrue(limits.tryAcquire(victim, List.of(HOURLY)).allowed());
        assertTrue(limits.tryAcquire(victim, List.of(HOURLY)).allowed());
        EmbedException refused = null;
        for (int i = 0; i < 200_000 && refused == null; i++) {
            try {
                limits.tryAcquire("uid\u0000flood\u0000u" + i, List.of(HOURLY));
            } catch (EmbedException e) {
                refused = e;
            }
        }

        assertTrue(refused != null, "4 MiB per tenant must stop 200,000 rate-limit states");
        assertEquals(429, refused.error().status());
        assertFalse(limits.tryAcquire(victim, List.of(HOURLY)).allowed(), "the victim's spent limit was reset");
        assertTrue(limits.tryAcquire("uid\u0000victim\u0000user-2", List.of(HOURLY))
                .allowed());
    }

    /**
     * A flood by one tenant from several threads, up to every limit it has (sessions, messages,
     * rate-limit states), leaves another tenant's sessions, messages and spent limits as they were.
     */
    @Test
    void floodWhenConcurrentByOneTenantThenAnotherTenantsStateIsIntact() throws Exception {
        MemoryStore store = open(2_000, 1_000);
        List<EmbedSession> victims = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            EmbedSession victim = session(store, "victim", "ses_v" + i);
            post(store, victim, "hello " + i);
            answer(store, victim, "hi " + i);
            victims.add(victim);
        }
        String victimUid = "uid\u0000victim\u0000user-1";
        limits(store, victimUid);
        limits(store, victimUid);
        assertFalse(store.rateLimits().tryAcquire(victimUid, List.of(HOURLY)).allowed());

        AtomicInteger refusals = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> floods = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            floods.add(pool.submit(() -> {
                for (int s = 0; s < 600; s++) {
                    try {
                        EmbedSession session = session(store, "flood", "ses_f" + thread + "_" + s);
                        post(store, session, LONGEST);
                        post(store, session, LONGEST);
                    } catch (EmbedException e) {
                        assertEquals(429, e.error().status());
                        refusals.incrementAndGet();
                    }
                    try {
                        store.rateLimits().tryAcquire("uid\u0000flood\u0000" + thread + "_" + s, List.of(HOURLY));
                    } catch (EmbedException e) {
                        assertEquals(429, e.error().status());
                    }
                }
                return null;
            }));
        }
        for (Future<?> flood : floods) {
            flood.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertTrue(refusals.get() > 0, "the flood must reach its tenant's limits");
        for (int i = 0; i < victims.size(); i++) {
            EmbedSession victim = victims.get(i);
            assertTrue(store.sessions().find(victim.id()).isPresent(), victim.id() + " was evicted");
            assertEquals(
                    List.of("hello " + i, "hi " + i),
                    history(store, victim.id()).stream()
                            .map(ChatMessage::content)
                            .toList());
            post(store, victim, "still here");
        }
        assertFalse(
                store.rateLimits().tryAcquire(victimUid, List.of(HOURLY)).allowed(),
                "the victim's per-uid limit was reset");
    }

    private static void limits(MemoryStore store, String key) {
        assertTrue(store.rateLimits().tryAcquire(key, List.of(HOURLY)).allowed());
    }

    @Test
    void budgetWhenSessionsEndExpireAndLinksGoThenEveryByteIsGivenBack() {
        MemoryStore store = open(1000, 1000);
        MemoryBudget budget = store.budget();
        EmbedSession ended = session(store, "acme", "ses_a");
        EmbedSession expiring = session(store, "acme", "ses_b");
        post(store, ended, LONGEST);
        post(store, expiring, "hi");
        answer(store, expiring, "hello");
        post(store, expiring, "pending");
        store.rateLimits().tryAcquire("uid\u0000acme\u0000u", List.of(HOURLY));
        store.revocations().revokeSession("ses_a", clock.instant().plusSeconds(7200));
        store.sessions().end("ses_a");
        assertTrue(budget.used("acme") > 0);

        clock.advance(Duration.ofHours(3));
        store.sweep();

        assertEquals(0, budget.used("acme"), "bytes still charged after everything went");
        assertEquals(0, budget.used());
        session(store, "acme", "ses_c");
    }

    @Test
    void openWhenBudgetOutOfRangeThenStartUpFailsNamingTheKey() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("embed.memory.maxBytes", "1024"),
                Map.entry("embed.memory.maxBytes", String.valueOf(Long.MAX_VALUE)),
                Map.entry("embed.memory.maxBytes", "lots"),
                Map.entry("embed.memory.tenantSharePercent", "0"),
                Map.entry("embed.memory.tenantSharePercent", "101"),
                Map.entry("embed.memory.maxSessionBytes", "1000"),
                Map.entry("embed.memory.maxSessionsPerTenant", "0"))) {
            EmbedConfig config = EmbedConfig.of(Map.of(bad.getKey(), bad.getValue()));
            RuntimeException e = assertThrows(
                    RuntimeException.class, () -> MemoryStore.open(config, clock, scheduler), bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
        MemoryStore defaults = MemoryStore.open(EmbedConfig.of(Map.of()), clock, scheduler);
        opened.add(defaults);
        assertEquals(
                Math.max(MemoryBudget.MIN_TOTAL_BYTES, Runtime.getRuntime().maxMemory() / 100 * 25),
                defaults.budget().maxBytes(),
                "a quarter of the heap");
    }

    @Test
    void sessionChargeWhenFlowBSessionThenAboveItsMeasuredHeapAndUnderOneKiB() {
        Instant now = clock.instant();
        // shaped as a flow B mint makes it: the same lengths of id, names and one frame origin
        EmbedSession flowB = new EmbedSession(
                "ses_" + "A".repeat(22),
                "demo",
                "demo",
                "support",
                "customer-0000001",
                "Customer 0000001",
                "chat",
                "session",
                now,
                now.plusSeconds(900),
                List.of("http://localhost:8080"),
                null);

        long charged = MemoryBudget.session(flowB);

        // SessionMemory measures such a session at about 420 bytes of heap (BENCHMARKS.md): the
        // charge must not be below what it takes, and 1,000,000 of them must fit a 1 GiB budget.
        assertTrue(charged >= 420, "charged " + charged);
        assertTrue(charged * 1_000_000 <= 1L << 30, "charged " + charged);
    }
}
