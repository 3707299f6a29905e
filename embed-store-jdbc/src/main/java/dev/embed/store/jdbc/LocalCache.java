package dev.embed.store.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.embed.chat.ChatMessage;
import dev.embed.store.EmbedSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * This node's copies of sessions and of the newest messages of each session, so that a repeated
 * embed GET reads no database. Both are bounded by bytes and are used only while the change feed
 * is fresh (it read the other nodes' changes less than a second ago); otherwise every read goes to
 * the database.
 *
 * <p>A copy read from the database is kept only if nothing invalidated its session while it was
 * being read: every invalidation first bumps a per-stripe generation, and a copy is put only if the
 * generation it was read under is still current. A writer bumps after its commit and then removes
 * the entry, so a copy read before the write can never outlive it.
 */
final class LocalCache {
    private static final int STRIPES = 1024;
    /** The newest messages a session's tail holds: a default page of the embed GET. */
    static final int TAIL_SIZE = 100;

    /**
     * The newest messages of a session, oldest first.
     *
     * @param truncated whether older messages exist than the first one held
     * @param responding whether a user message awaits the agent's reply
     */
    record Tail(List<ChatMessage> messages, boolean truncated, boolean responding) {
        Tail {
            messages = List.copyOf(messages);
        }
    }

    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
    private final @Nullable Cache<String, EmbedSession> sessions;
    private final @Nullable Cache<String, Tail> tails;
    private final BooleanSupplier fresh;

    /**
     * @param bytes the heap both caches may use together; 0 turns them off
     * @param fresh whether the change feed is fresh enough to trust local copies
     */
    LocalCache(long bytes, BooleanSupplier fresh) {
        this.fresh = fresh;
        if (bytes <= 0) {
            this.sessions = null;
            this.tails = null;
        } else {
            this.sessions = Caffeine.newBuilder()
                    .maximumWeight(bytes / 2)
                    .weigher((String id, EmbedSession session) -> weight(session))
                    .expireAfterAccess(Duration.ofMinutes(10))
                    .build();
            this.tails = Caffeine.newBuilder()
                    .maximumWeight(bytes / 2)
                    .weigher((String id, Tail tail) -> weight(tail))
                    .expireAfterAccess(Duration.ofMinutes(10))
                    .build();
        }
    }

    /** Whether copies can be used now: caches on and the change feed fresh. */
    boolean usable() {
        return tails != null && fresh.getAsBoolean();
    }

    /** The generation to read a session's data under (see the class comment). */
    long generation(String sessionId) {
        return generations.get(stripe(sessionId));
    }

    /** The cached session, or null (not cached, caches off, or the feed is not fresh). */
    @Nullable
    EmbedSession session(String sessionId) {
        return sessions != null && fresh.getAsBoolean() ? sessions.getIfPresent(sessionId) : null;
    }

    /** The cached tail of a session's history, or null. */
    @Nullable
    Tail tail(String sessionId) {
        return tails != null && fresh.getAsBoolean() ? tails.getIfPresent(sessionId) : null;
    }

    void putSession(EmbedSession session, long generation) {
        if (sessions != null) {
            sessions.asMap().compute(session.id(), (id, old) -> generation(id) == generation ? session : old);
        }
    }

    void putTail(String sessionId, Tail tail, long generation) {
        if (tails != null) {
            tails.asMap().compute(sessionId, (id, old) -> generation(id) == generation ? tail : old);
        }
    }

    /** The session changed (extended): drop its copy. */
    void invalidateSession(String sessionId) {
        generations.incrementAndGet(stripe(sessionId));
        if (sessions != null) {
            sessions.invalidate(sessionId);
        }
    }

    /** The session has a new message: drop its tail. */
    void invalidateMessages(String sessionId) {
        generations.incrementAndGet(stripe(sessionId));
        if (tails != null) {
            tails.invalidate(sessionId);
        }
    }

    /** The session ended: drop everything of it. */
    void invalidate(String sessionId) {
        generations.incrementAndGet(stripe(sessionId));
        if (sessions != null) {
            sessions.invalidate(sessionId);
        }
        if (tails != null) {
            tails.invalidate(sessionId);
        }
    }

    /** Changes may have been missed (the feed fell behind): drop every copy. */
    void invalidateAll() {
        for (int i = 0; i < STRIPES; i++) {
            generations.incrementAndGet(i);
        }
        if (sessions != null) {
            sessions.invalidateAll();
        }
        if (tails != null) {
            tails.invalidateAll();
        }
    }

    /** Entries held (tests). */
    long size() {
        long size = 0;
        if (sessions != null) {
            sessions.cleanUp();
            size += sessions.estimatedSize();
        }
        if (tails != null) {
            tails.cleanUp();
            size += tails.estimatedSize();
        }
        return size;
    }

    private static int stripe(String sessionId) {
        int h = sessionId.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** Approximate heap of a session: object headers plus two bytes a character. */
    static int weight(EmbedSession session) {
        long chars = (long) session.id().length()
                + session.tenant().length()
                + length(session.spaceId())
                + length(session.agentId())
                + session.externalUserId().length()
                + length(session.displayName())
                + session.mode().length()
                + session.kind().length();
        for (String origin : session.frameAncestors()) {
            chars += origin.length() + 24;
        }
        EmbedSession.LinkData link = session.link();
        if (link != null) {
            chars += JsonText.sessionData(List.of(), link).length() * 2L;
        }
        return (int) Math.min(Integer.MAX_VALUE, 400 + 2 * chars);
    }

    static int weight(Tail tail) {
        long bytes = 120;
        for (ChatMessage message : tail.messages()) {
            bytes += 160 + 2L * (message.id().length() + message.content().length());
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    private static int length(@Nullable String text) {
        return text == null ? 0 : text.length();
    }
}
