package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import dev.embed.chat.ChatMessage;
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
 * The memory store's sessions: one {@link Slot} per session in a Caffeine map bounded by count
 * ({@code embed.sessions.maximumSize}; the least recently used go first when it is full), each
 * expiring at its session's {@code expiresAt} on the library's clock. A slot also holds the
 * session's messages and turns ({@link MemoryMessages}), so they live and die with it.
 */
final class MemorySessions implements SessionStore {
    private final Clock clock;
    private final Cache<String, Slot> slots;
    /** Sessions that have (or had) user messages awaiting the agent: what {@code claimStale} visits. */
    private final Set<String> withTurns = ConcurrentHashMap.newKeySet();

    private final EmbedStore.Listener listeners;

    MemorySessions(Clock clock, long maximumSize, EmbedStore.Listener listeners) {
        this.clock = clock;
        this.listeners = listeners;
        this.slots = ExpireAt.cache(clock, maximumSize, Slot::expiresAt);
    }

    @Override
    public void create(EmbedSession session) {
        Slot previous = slots.asMap().putIfAbsent(session.id(), new Slot(session));
        if (previous != null) {
            throw new IllegalArgumentException("a session with this id exists already");
        }
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
            slot.history = null;
        }
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

    /** One session, with its history once it has one. Fields other than {@code session} are guarded by the slot. */
    static final class Slot {
        volatile EmbedSession session;
        boolean ended;

        @Nullable
        History history;

        Slot(EmbedSession session) {
            this.session = Objects.requireNonNull(session, "session");
        }

        Instant expiresAt() {
            return session.expiresAt();
        }

        boolean live(long nowMillis) {
            return !ended && nowMillis < session.expiresAt().toEpochMilli();
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

        /** Appends a message, dropping the oldest when full; returns its position. */
        long add(ChatMessage message) {
            if (messages.size() == messages.capacity()) {
                messages.removeFirst();
                first++;
            }
            messages.addLast(message);
            return ++last;
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

        void removeFirst() {
            items[head] = null;
            head = (head + 1) % items.length;
            size--;
        }
    }
}
