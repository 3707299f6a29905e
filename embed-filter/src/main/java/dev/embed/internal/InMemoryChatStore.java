package dev.embed.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.embed.chat.ChatMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link ChatStore}: in memory, never persisted. Bounded twice: at most {@code
 * maximumSessions} histories (the least recently used go first), and at most {@code
 * maxMessagesPerSession} messages per session, beyond which the oldest are dropped (the endpoints
 * and the agent then see only the newest ones). A history expires with its session's {@code
 * expiresAt}, read on the library's clock.
 *
 * <p>Message ids are {@code msg_} followed by the session's sequence number in 12 base-36 digits
 * ({@code msg_000000000001}, ...), so they sort as strings in the order they were appended.
 */
public final class InMemoryChatStore implements ChatStore {
    private static final String PREFIX = "msg_";
    private static final int DIGITS = 12;
    private static final Pattern ID = Pattern.compile("msg_[0-9a-z]{" + DIGITS + "}");

    private final Cache<String, History> histories;
    private final int maxMessagesPerSession;

    /**
     * @param clock the library's clock (expiry is measured on it)
     * @param maximumSessions most histories kept
     * @param maxMessagesPerSession most messages kept per session (at least 2)
     */
    public InMemoryChatStore(Clock clock, long maximumSessions, int maxMessagesPerSession) {
        if (maximumSessions < 1) {
            throw new IllegalArgumentException("maximumSessions must be positive: " + maximumSessions);
        }
        if (maxMessagesPerSession < 2) {
            throw new IllegalArgumentException("maxMessagesPerSession must be at least 2: " + maxMessagesPerSession);
        }
        this.maxMessagesPerSession = maxMessagesPerSession;
        this.histories = Caffeine.newBuilder()
                .maximumSize(maximumSessions)
                .ticker(CaffeineCredentialCache.tickerOf(clock))
                .expireAfter(new ExpireAt<String, History>(History::expiresAt))
                .build();
    }

    @Override
    public ChatMessage append(
            String sessionId, Instant sessionExpiresAt, String role, String content, Instant createdAt) {
        ChatMessage[] appended = new ChatMessage[1];
        // compute() makes the sequence atomic per session; returning the same History still counts
        // as an update, so ExpireAt re-reads a later expiresAt.
        histories.asMap().compute(sessionId, (id, history) -> {
            History h = history != null ? history : new History();
            synchronized (h) {
                if (h.expiresAt == null || sessionExpiresAt.isAfter(h.expiresAt)) {
                    h.expiresAt = sessionExpiresAt;
                }
                long sequence = ++h.lastSequence;
                appended[0] = new ChatMessage(format(sequence), role, content, createdAt);
                h.messages.addLast(appended[0]);
                while (h.messages.size() > maxMessagesPerSession) {
                    h.messages.removeFirst();
                }
            }
            return h;
        });
        return appended[0];
    }

    @Override
    public Optional<List<ChatMessage>> messagesAfter(String sessionId, @Nullable String afterId) {
        History h = histories.getIfPresent(sessionId);
        long after = 0;
        if (afterId != null) {
            after = parse(afterId);
            if (after < 1) {
                return Optional.empty();
            }
        }
        if (h == null) {
            return afterId == null ? Optional.of(List.of()) : Optional.empty();
        }
        synchronized (h) {
            if (after > h.lastSequence) {
                return Optional.empty();
            }
            // Sequences of the kept messages are contiguous: only the oldest are ever dropped.
            long first = h.lastSequence - h.messages.size() + 1;
            long skip = Math.max(0, after - first + 1);
            List<ChatMessage> out = new ArrayList<>(h.messages.size());
            for (ChatMessage message : h.messages) {
                if (skip > 0) {
                    skip--;
                } else {
                    out.add(message);
                }
            }
            return Optional.of(List.copyOf(out));
        }
    }

    @Override
    public void remove(String sessionId) {
        histories.invalidate(sessionId);
    }

    /** Histories kept (approximate, for metrics and tests); runs pending evictions first. */
    public long size() {
        histories.cleanUp();
        return histories.estimatedSize();
    }

    private static String format(long sequence) {
        String digits = Long.toString(sequence, 36);
        return PREFIX + "0".repeat(Math.max(0, DIGITS - digits.length())) + digits;
    }

    /** The sequence number of an id, or -1 when it is not one of ours. */
    private static long parse(String id) {
        if (!ID.matcher(id).matches()) {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(PREFIX.length()).toLowerCase(Locale.ROOT), 36);
        } catch (NumberFormatException e) {
            return -1; // beyond Long.MAX_VALUE
        }
    }

    /** One session's messages; guarded by its own monitor. */
    private static final class History {
        private final ArrayDeque<ChatMessage> messages = new ArrayDeque<>();
        private long lastSequence;
        private @Nullable Instant expiresAt;

        synchronized @Nullable Instant expiresAt() {
            return expiresAt;
        }
    }
}
