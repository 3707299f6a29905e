package dev.embed.internal;

import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedError;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.MessageStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's messages and turns, kept in each session's {@link MemorySessions.Slot}: at
 * most {@code maxMessagesPerSession} messages per session ({@code embed.chat.maxMessagesPerSession};
 * the oldest go first), at most {@value #MAX_PENDING_TURNS} user messages awaiting the agent, and
 * at most {@link MemoryBudget#sessionBytes()} bytes of messages per session, counting for each
 * awaited reply the room the longest reply takes ({@link MemoryBudget#REPLY_RESERVATION}): the
 * reply to an accepted message is always stored. Past a budget (the session's, its tenant's, the
 * store's) a message answers 429 and nothing is stored.
 *
 * <p>Ids are {@code msg_} and the message's position in the session's history (every message
 * stored counts, from 1) in 12 base-36 digits, as the JDBC store writes them; a reply's id is
 * {@link MessageStore#replyId} of its message. A cursor whose message has since been dropped from
 * the kept history still counts, as a position before the kept messages.
 */
final class MemoryMessages implements MessageStore {
    /** User messages of one session that may await the agent at once; more answer 429. */
    static final int MAX_PENDING_TURNS = 32;

    private static final String PREFIX = "msg_";
    private static final int DIGITS = 12;
    private static final Pattern USER_ID = Pattern.compile("msg_[0-9a-z]{" + DIGITS + "}");
    private static final Pattern REPLY_ID = Pattern.compile("msg_[0-9a-z]{" + DIGITS + "}r");
    /** Retry-After of a session whose text fills its budget: its messages go only with it. */
    static final long SESSION_FULL_RETRY_AFTER_SECONDS = 3600;

    private static final Page EMPTY = new Page(List.of(), false, false);

    private final MemorySessions sessions;
    private final Clock clock;
    private final int maxMessagesPerSession;
    private final EmbedStore.Listener listeners;

    MemoryMessages(MemorySessions sessions, Clock clock, int maxMessagesPerSession, EmbedStore.Listener listeners) {
        if (maxMessagesPerSession < 2) {
            throw new IllegalArgumentException("maxMessagesPerSession must be at least 2: " + maxMessagesPerSession);
        }
        this.sessions = sessions;
        this.clock = clock;
        this.maxMessagesPerSession = maxMessagesPerSession;
        this.listeners = listeners;
    }

    @Override
    public ChatMessage appendUserMessage(
            EmbedSession session, String content, @Nullable String mode, Instant createdAt) {
        ChatMessage message = append(session, content, mode, createdAt, false);
        if (message == null) {
            sessions.sweep(); // expired sessions may still be charged; drop them and try once more
            message = append(session, content, mode, createdAt, true);
        }
        listeners.messageStored(session.id());
        return Objects.requireNonNull(message);
    }

    /** Appends the message, or returns null when the tenant's or the store's budget has no room (and {@code last} is false). */
    private @Nullable ChatMessage append(
            EmbedSession session, String content, @Nullable String mode, Instant createdAt, boolean last) {
        MemoryBudget budget = sessions.budget();
        MemorySessions.Slot slot = sessions.live(session.id());
        if (slot == null) {
            throw EmbedError.notFound(
                            "this chat session has ended or does not exist; mint a new token for a new session")
                    .toException();
        }
        ChatMessage message;
        synchronized (slot) {
            if (!slot.live(clock.millis())) {
                throw EmbedError.notFound(
                                "this chat session has ended or does not exist; mint a new token for a new session")
                        .toException();
            }
            MemorySessions.History history = slot.history;
            if (history == null) {
                history = new MemorySessions.History(maxMessagesPerSession);
                slot.history = history;
            }
            if (history.pending.size() >= MAX_PENDING_TURNS) {
                throw EmbedError.rateLimited(
                                "too many messages of this session are waiting for the agent's reply;"
                                        + " wait for the replies before sending more",
                                1)
                        .toException();
            }
            long cost = MemoryBudget.message(content) + MemoryBudget.REPLY_RESERVATION;
            if (slot.bytes + cost > budget.sessionBytes()) {
                throw EmbedError.rateLimited(
                                history.pending.isEmpty()
                                        ? "this chat session holds as much text as it may; start a new session"
                                        : "this chat session holds as much text as it may until the agent's replies"
                                                + " arrive; wait for them",
                                history.pending.isEmpty() ? SESSION_FULL_RETRY_AFTER_SECONDS : 5)
                        .toException();
            }
            if (!budget.tryCharge(slot.tenant, cost)) {
                if (!last) {
                    return null;
                }
                throw budget.full(slot.tenant, cost);
            }
            slot.bytes += cost;
            message = new ChatMessage(id(history.last + 1), ChatMessage.USER, content, createdAt);
            dropped(slot, history.add(message));
            history.pending.addLast(new MemorySessions.Pending(message, mode));
            sessions.hasTurns(session.id());
        }
        return message;
    }

    /** Credits a message the history dropped (its oldest, past the count) to the session's budget. */
    private void dropped(MemorySessions.Slot slot, @Nullable ChatMessage message) {
        if (message != null) {
            long bytes = MemoryBudget.message(message.content());
            slot.bytes -= bytes;
            sessions.budget().credit(slot.tenant, bytes);
        }
    }

    @Override
    public Optional<Page> page(String sessionId, @Nullable String afterId, @Nullable String beforeId, int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE_SIZE + ": " + limit);
        }
        boolean cursor = afterId != null || beforeId != null;
        MemorySessions.Slot slot = sessions.live(sessionId);
        if (slot == null) {
            return cursor ? Optional.empty() : Optional.of(EMPTY);
        }
        synchronized (slot) {
            MemorySessions.History history = slot.history;
            if (history == null || !slot.live(clock.millis())) {
                return cursor ? Optional.empty() : Optional.of(EMPTY);
            }
            int size = history.messages.size();
            int from;
            int to;
            boolean hasMore;
            if (afterId != null) {
                long position = position(history, afterId);
                if (position < 0) {
                    return Optional.empty();
                }
                from = (int) Math.max(0, position - history.first + 1);
                to = Math.min(size, from + limit);
                hasMore = to < size;
            } else if (beforeId != null) {
                long position = position(history, beforeId);
                if (position < 0) {
                    return Optional.empty();
                }
                to = (int) Math.max(0, Math.min(size, position - history.first));
                from = Math.max(0, to - limit);
                hasMore = from > 0;
            } else {
                to = size;
                from = Math.max(0, size - limit);
                hasMore = from > 0;
            }
            List<ChatMessage> messages = new ArrayList<>(Math.max(0, to - from));
            for (int i = from; i < to; i++) {
                messages.add(history.messages.get(i));
            }
            return Optional.of(new Page(messages, hasMore, !history.pending.isEmpty()));
        }
    }

    @Override
    public Optional<Turn> claimNext(String sessionId, String owner, Instant leaseUntil) {
        MemorySessions.Slot slot = sessions.live(sessionId);
        return slot == null ? Optional.empty() : claim(slot, sessionId, owner, clock.millis(), leaseUntil);
    }

    @Override
    public List<Turn> claimStale(String owner, Instant now, Instant leaseUntil, int max) {
        List<Turn> claimed = new ArrayList<>();
        for (Iterator<String> ids = sessions.sessionsWithTurns().iterator(); ids.hasNext() && claimed.size() < max; ) {
            String sessionId = ids.next();
            MemorySessions.Slot slot = sessions.live(sessionId);
            if (slot == null) {
                ids.remove();
                continue;
            }
            claim(slot, sessionId, owner, now.toEpochMilli(), leaseUntil).ifPresent(claimed::add);
        }
        return claimed;
    }

    /** Claims the slot's oldest pending turn unless a claim on it holds beyond {@code nowMillis}. */
    private Optional<Turn> claim(
            MemorySessions.Slot slot, String sessionId, String owner, long nowMillis, Instant leaseUntil) {
        synchronized (slot) {
            MemorySessions.History history = slot.history;
            if (history == null || !slot.live(clock.millis())) {
                return Optional.empty();
            }
            MemorySessions.Pending oldest = history.pending.peekFirst();
            if (oldest == null) {
                sessions.noTurns(sessionId);
                return Optional.empty();
            }
            if (history.claimId != null && history.leaseUntilMillis > nowMillis) {
                return Optional.empty();
            }
            history.claimId = UUID.randomUUID().toString();
            history.owner = owner;
            history.leaseUntilMillis = leaseUntil.toEpochMilli();
            return Optional.of(
                    new Turn(sessionId, oldest.message(), oldest.mode(), owner, history.claimId, leaseUntil));
        }
    }

    @Override
    public Optional<ChatMessage> reply(Turn turn, String content, Instant createdAt) {
        MemorySessions.Slot slot = sessions.live(turn.sessionId());
        if (slot == null) {
            return Optional.empty();
        }
        ChatMessage reply;
        synchronized (slot) {
            MemorySessions.History history = slot.history;
            if (history == null || !slot.live(clock.millis())) {
                return Optional.empty();
            }
            MemorySessions.Pending oldest = history.pending.peekFirst();
            if (oldest == null
                    || !oldest.message().id().equals(turn.message().id())
                    || !turn.claimId().equals(history.claimId)) {
                return Optional.empty();
            }
            reply = new ChatMessage(
                    MessageStore.replyId(turn.message().id()), ChatMessage.ASSISTANT, content, createdAt);
            // The reply takes the place of the room its message reserved; a longer one (not from
            // AgentTurns, which cuts replies at MAX_REPLY_LENGTH) is still kept: it was accepted.
            long delta = MemoryBudget.message(content) - MemoryBudget.REPLY_RESERVATION;
            slot.bytes += delta;
            if (delta >= 0) {
                sessions.budget().charge(slot.tenant, delta);
            } else {
                sessions.budget().credit(slot.tenant, -delta);
            }
            dropped(slot, history.add(reply));
            history.pending.removeFirst();
            history.claimId = null;
            history.owner = null;
            history.leaseUntilMillis = 0;
            if (history.pending.isEmpty()) {
                sessions.noTurns(turn.sessionId());
            }
        }
        listeners.messageStored(turn.sessionId());
        return Optional.of(reply);
    }

    /** {@code msg_} and the position in 12 base-36 digits. */
    static String id(long position) {
        String digits = Long.toString(position, 36);
        return PREFIX + "0".repeat(Math.max(0, DIGITS - digits.length())) + digits;
    }

    /**
     * The position of the message with this id in the session's history, or -1 when it is not the
     * id of a message the session stored. A message dropped from the kept history still has its
     * position (a reply's, unknown once dropped, counts as just before the kept messages).
     */
    private static long position(MemorySessions.History history, String id) {
        boolean reply = REPLY_ID.matcher(id).matches();
        if (!reply && !USER_ID.matcher(id).matches()) {
            return -1;
        }
        long stored = parse(id.substring(PREFIX.length(), PREFIX.length() + DIGITS));
        if (stored < 1 || stored > history.last) {
            return -1;
        }
        int size = history.messages.size();
        if (!reply) {
            if (stored < history.first) {
                return stored;
            }
            return history.messages.get((int) (stored - history.first)).id().equals(id) ? stored : -1;
        }
        // A reply follows its message: look from there on (or from the first kept one).
        for (int i = (int) Math.max(0, stored - history.first + 1); i < size; i++) {
            if (history.messages.get(i).id().equals(id)) {
                return history.first + i;
            }
        }
        return stored < history.first ? history.first - 1 : -1;
    }

    private static long parse(String digits) {
        try {
            return Long.parseLong(digits.toLowerCase(Locale.ROOT), 36);
        } catch (NumberFormatException e) {
            return -1; // beyond Long.MAX_VALUE
        }
    }
}
