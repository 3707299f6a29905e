package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedError;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.SessionStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's sessions: one {@link Slot} per session in a Caffeine map, each expiring at its
 * session's {@code expiresAt} on the library's clock. A slot also holds the session's messages and
 * turns ({@link MemoryMessages}), so they live and die with it.
 *
 * <p>No live session is ever evicted to make room (one tenant's flood would end another's
 * sessions, finding 5 of issue 13): a new session is refused with 429 when the store holds {@code
 * embed.sessions.maximumSize} sessions, or its tenant as many as {@link MemoryBudget} allows, in
 * count or bytes. A slot is charged to its tenant's budget when created and credited once, when it
 * ends or expires ({@link #release}).
 */
final class MemorySessions implements SessionStore {
    private final Clock clock;
    private final long maximumSize;
    private final MemoryBudget budget;
    private final Cache<String, Slot> slots;
    /** Sessions that have (or had) user messages awaiting the agent: what {@code claimStale} visits. */
    private final Set<String> withTurns = ConcurrentHashMap.newKeySet();

    private final EmbedStore.Listener listeners;

    MemorySessions(Clock clock, long maximumSize, MemoryBudget budget, EmbedStore.Listener listeners) {
        this.clock = clock;
        this.maximumSize = maximumSize;
        this.budget = budget;
        this.listeners = listeners;
        this.slots = ExpireAt.unboundedCache(clock, Slot::expiresAt, (id, slot) -> release(slot));
    }

    /**
     * {@inheritDoc}
     *
     * @throws dev.embed.error.EmbedException 429 when the store holds {@code
     *     embed.sessions.maximumSize} sessions, or the tenant as many sessions or bytes as its budget
     *     allows
     */
    @Override
    public void create(EmbedSession session) {
        Slot slot = new Slot(session, MemoryBudget.session(session));
        if (!admit(slot)) {
            sweep(); // expired sessions may still be charged; drop them and look again
            if (!admit(slot)) {
                throw slots.estimatedSize() >= maximumSize
                        ? EmbedError.rateLimited(
                                        "this server holds as many chat sessions as it may; retry later",
                                        MemoryBudget.FULL_RETRY_AFTER_SECONDS)
                                .toException()
                        : budget.full(slot.tenant, slot.fixedBytes);
            }
        }
        Slot previous = slots.asMap().putIfAbsent(session.id(), slot);
        if (previous != null) {
            release(slot);
            throw new IllegalArgumentException("a session with this id exists already");
        }
    }

    private boolean admit(Slot slot) {
        return slots.estimatedSize() < maximumSize && budget.tryOpenSession(slot.tenant, slot.fixedBytes);
    }

    /**
     * Gives the slot's bytes and session back to its tenant's budget, once: when the session ends
     * or expires. From then on nothing more is charged to it ({@link Slot#released}).
     */
    void release(Slot slot) {
        long bytes;
        synchronized (slot) {
            if (slot.released) {
                return;
            }
            slot.released = true;
            slot.history = null;
            bytes = slot.fixedBytes + slot.bytes;
            slot.bytes = 0;
        }
        budget.closeSession(slot.tenant, bytes);
    }

    MemoryBudget budget() {
        return budget;
    }

    @Override
    public Optional<EmbedSession> extend(String sessionId, Instant until) {
        EmbedSession[] extended = new EmbedSession[1];
        // compute(): an update, so the slot's expiry is read again; and atomic with end().
        slots.asMap().computeIfPresent(sessionId, (id, slot) -> {
            synchronized (slot) {
                if (slot.live(clock.millis())) {
                    slot.session = slot.session.extendedTo(until);
                    extended[0] = slot.session;
                }
            }
            return slot;
        });
        return Optional.ofNullable(extended[0]);
    }

    @Override
    public Optional<EmbedSession> find(String sessionId) {
        Slot slot = slots.getIfPresent(sessionId);
        if (slot == null) {
            return Optional.empty();
        }
        EmbedSession session = slot.session;
        return slot.ended || clock.millis() >= session.expiresAt().toEpochMilli()
                ? Optional.empty()
                : Optional.of(session);
    }

    @Override
    public Optional<EmbedSession> end(String sessionId) {
        Slot slot = slots.asMap().remove(sessionId);
        withTurns.remove(sessionId);
        if (slot == null) {
            return Optional.empty();
        }
        EmbedSession session;
        boolean wasLive;
        synchronized (slot) {
            wasLive = slot.live(clock.millis());
            session = slot.session;
            slot.ended = true;
        }
        release(slot);
        if (!wasLive) {
            return Optional.empty();
        }
        listeners.sessionEnded(sessionId);
        return Optional.of(session);
    }

    /** The slot of a live session (present, not ended, not expired), or null. */
    @Nullable
    Slot live(String sessionId) {
        Slot slot = slots.getIfPresent(sessionId);
        return slot != null && slot.live(clock.millis()) ? slot : null;
    }

    /** The tenant of the session, while its slot is held (live, or expired and not yet swept); else {@code ""}. */
    String tenantOf(String sessionId) {
        Slot slot = slots.asMap().get(sessionId);
        return slot == null ? "" : slot.tenant;
    }

    /** Notes that the session has turns awaiting the agent. */
    void hasTurns(String sessionId) {
        withTurns.add(sessionId);
    }

    /** Notes that the session has no more turns awaiting the agent. */
    void noTurns(String sessionId) {
        withTurns.remove(sessionId);
    }

    Set<String> sessionsWithTurns() {
        return withTurns;
    }

    /** Runs the maps' pending expiries and evictions now. */
    void sweep() {
        slots.cleanUp();
        withTurns.removeIf(id -> live(id) == null);
    }

    /** Live sessions, their messages and their turns awaiting the agent. */
    long entries() {
        long entries = 0;
        for (Slot slot : slots.asMap().values()) {
            synchronized (slot) {
                if (slot.live(clock.millis())) {
                    History history = slot.history;
                    entries += 1 + (history == null ? 0 : history.messages.size() + history.pending.size());
                }
            }
        }
        return entries;
    }

    /** Live sessions (approximate, for metrics and tests). */
    long size() {
        slots.cleanUp();
        return slots.estimatedSize();
    }

    /**
     * One session, with its history once it has one, and what it is charged: {@code fixedBytes}
     * for the session itself, {@code bytes} for its messages and the replies they await. Fields
     * other than {@code session} and the final ones are guarded by the slot.
     */
    static final class Slot {
        volatile EmbedSession session;
        final String tenant;
        final long fixedBytes;
        boolean ended;

        /** Credited to the budget (ended or expired): charge nothing more. */
        boolean released;

        long bytes;

        @Nullable
        History history;

        Slot(EmbedSession session, long fixedBytes) {
            this.session = Objects.requireNonNull(session, "session");
            this.tenant = session.tenant();
            this.fixedBytes = fixedBytes;
        }

        Instant expiresAt() {
            return session.expiresAt();
        }

        boolean live(long nowMillis) {
            return !ended && !released && nowMillis < session.expiresAt().toEpochMilli();
        }
    }

    /**
     * A session's messages in storage order, at most a fixed number of the newest (positions of the
     * kept ones are contiguous: only the oldest are ever dropped), and the user messages awaiting
     * the agent with the claim on the oldest of them.
     */
    static final class History {
        final Ring messages;
        /** Position of the first kept message: positions count every message ever stored, from 1. */
        long first = 1;
        /** Position of the last stored message; 0 before the first. */
        long last;

        final ArrayDeque<Pending> pending = new ArrayDeque<>();

        @Nullable
        String claimId;

        @Nullable
        String owner;

        long leaseUntilMillis;

        History(int capacity) {
            this.messages = new Ring(capacity);
        }

        /** Appends a message, dropping the oldest when full; returns the one dropped, or null. */
        @Nullable
        ChatMessage add(ChatMessage message) {
            ChatMessage dropped = null;
            if (messages.size() == messages.capacity()) {
                dropped = messages.removeFirst();
                first++;
            }
            messages.addLast(message);
            last++;
            return dropped;
        }
    }

    /** A user message awaiting the agent, with its own mode (or null for the session's). */
    record Pending(ChatMessage message, @Nullable String mode) {}

    /**
     * A queue of at most {@code capacity} messages with access by index: an array that grows (from
     * 8) as the history does, so a session with a few messages costs a few slots. Not thread-safe:
     * guarded by its slot.
     */
    static final class Ring {
        private final int capacity;
        private ChatMessage[] items = new ChatMessage[8];
        private int head;
        private int size;

        Ring(int capacity) {
            this.capacity = capacity;
        }

        int capacity() {
            return capacity;
        }

        int size() {
            return size;
        }

        ChatMessage get(int index) {
            Objects.checkIndex(index, size);
            return Objects.requireNonNull(items[(head + index) % items.length]);
        }

        void addLast(ChatMessage message) {
            if (size == items.length) {
                ChatMessage[] grown = new ChatMessage[Math.min(capacity, items.length * 2)];
                for (int i = 0; i < size; i++) {
                    grown[i] = items[(head + i) % items.length];
                }
                items = grown;
                head = 0;
            }
            items[(head + size) % items.length] = message;
            size++;
        }

        ChatMessage removeFirst() {
            ChatMessage first = Objects.requireNonNull(items[head]);
            items[head] = null;
            head = (head + 1) % items.length;
            size--;
            return first;
        }
    }
}
