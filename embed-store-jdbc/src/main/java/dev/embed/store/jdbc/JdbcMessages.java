package dev.embed.store.jdbc;

import dev.embed.chat.ChatMessage;
import dev.embed.error.EmbedError;
import dev.embed.store.EmbedSession;
import dev.embed.store.MessageStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Messages in the {@code message} table, in storage order ({@code seq}, counted per session on the
 * session's row, which every write of the session locks first); user messages awaiting the agent
 * in the {@code turn} table, claimed with a lease by a conditional {@code UPDATE}, so that of any
 * number of nodes exactly one holds a turn. Only the oldest turn of a session is ever claimed:
 * turns of one session are answered one at a time, in order.
 *
 * <p>Ids are {@code msg_} and the session's sequence number in 12 base-36 digits; a reply's id is
 * {@link MessageStore#replyId} of its message, unique by a constraint, so a message is never
 * answered twice.
 *
 * <p>A page comes from this node's copy of the session's newest {@value LocalCache#TAIL_SIZE}
 * messages when it holds the answer (the repeated {@code after} read of a polling client always
 * does), else from the database: a cursor the copy does not hold is looked up there, since another
 * node may have stored it before this node heard of it.
 */
final class JdbcMessages implements MessageStore {
    /** Most user messages of one session awaiting the agent at once. */
    static final int MAX_PENDING_TURNS = 32;

    private static final int MAX_STALE_CLAIMS = 1000;
    private static final String PREFIX = "msg_";
    private static final int DIGITS = 12;

    private final Db db;
    private final Clock clock;
    private final LocalCache cache;
    private final Changes changes;
    private final JdbcSessions sessions;
    private final long maxSessionBytes;
    private final SecureRandom random = new SecureRandom();

    private final String lockForAppend;
    private final String lockForReply;
    private final String updateSession;
    private final String insertMessage;
    private final String insertTurn;
    private final String deleteTurn;
    private final String cursor;
    private final String latest;
    private final String after;
    private final String before;
    private final String respondingSql;
    private final String nextTurn;
    private final String staleTurns;
    private final String claim;

    JdbcMessages(
            Db db,
            Tables tables,
            Clock clock,
            LocalCache cache,
            Changes changes,
            JdbcSessions sessions,
            long maxSessionBytes) {
        this.db = db;
        this.clock = clock;
        this.cache = cache;
        this.changes = changes;
        this.sessions = sessions;
        this.maxSessionBytes = maxSessionBytes;
        String s = tables.session();
        String m = tables.message();
        String t = tables.turn();
        this.lockForAppend = "SELECT s.last_seq, s.stored_bytes, s.expires_at, (SELECT COUNT(*) FROM " + t
                + " t WHERE t.session_id = s.id) FROM " + s + " s WHERE s.id = ? FOR UPDATE";
        this.lockForReply = "SELECT last_seq, stored_bytes, expires_at FROM " + s + " WHERE id = ? FOR UPDATE";
        this.updateSession = "UPDATE " + s + " SET last_seq = ?, stored_bytes = ? WHERE id = ?";
        this.insertMessage =
                "INSERT INTO " + m + " (session_id, seq, id, role, content, created_at) VALUES (?, ?, ?, ?, ?, ?)";
        this.insertTurn =
                "INSERT INTO " + t + " (session_id, seq, message_id, mode, lease_until) VALUES (?, ?, ?, ?, 0)";
        this.deleteTurn = "DELETE FROM " + t + " WHERE session_id = ? AND message_id = ? AND claim_id = ?";
        this.cursor = "SELECT seq FROM " + m + " WHERE session_id = ? AND id = ?";
        String columns = "SELECT m.id, m.role, m.content, m.created_at, CASE WHEN EXISTS (SELECT 1 FROM " + t
                + " r WHERE r.session_id = m.session_id) THEN 1 ELSE 0 END FROM " + m + " m WHERE m.session_id = ?";
        this.latest = columns + " ORDER BY m.seq DESC LIMIT ?";
        this.after = columns + " AND m.seq > ? ORDER BY m.seq LIMIT ?";
        this.before = columns + " AND m.seq < ? ORDER BY m.seq DESC LIMIT ?";
        this.respondingSql = "SELECT COUNT(*) FROM " + t + " WHERE session_id = ?";
        String turns = "SELECT t.session_id, t.seq, t.message_id, t.mode, t.lease_until, m.content, m.created_at FROM "
                + t + " t JOIN " + m + " m ON m.session_id = t.session_id AND m.seq = t.seq JOIN " + s
                + " s ON s.id = t.session_id WHERE s.expires_at > ? AND NOT EXISTS (SELECT 1 FROM " + t
                + " o WHERE o.session_id = t.session_id AND o.seq < t.seq)";
        this.nextTurn = turns + " AND t.session_id = ?" + db.database().claimLock("t");
        this.staleTurns = turns + " AND t.lease_until <= ? ORDER BY t.lease_until, t.session_id LIMIT ?"
                + db.database().claimLock("t");
        this.claim = "UPDATE " + t + " SET owner = ?, claim_id = ?, lease_until = ?"
                + " WHERE session_id = ? AND seq = ? AND lease_until <= ?";
    }

    @Override
    public ChatMessage appendUserMessage(
            EmbedSession session, String content, @Nullable String mode, Instant createdAt) {
        String sessionId = session.id();
        long bytes = utf8Length(content);
        ChatMessage message = db.transaction("store a message", connection -> {
            long lastSeq;
            long storedBytes;
            try (PreparedStatement statement = db.prepare(connection, lockForAppend)) {
                statement.setString(1, sessionId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next() || rows.getLong(3) <= clock.millis()) {
                        throw EmbedError.notFound("the chat session does not exist or has ended")
                                .toException();
                    }
                    lastSeq = rows.getLong(1);
                    storedBytes = rows.getLong(2);
                    if (rows.getLong(4) >= MAX_PENDING_TURNS) {
                        throw EmbedError.rateLimited(
                                        "too many messages of this session await the agent's reply; send this one"
                                                + " after a reply",
                                        5)
                                .toException();
                    }
                }
            }
            if (storedBytes + bytes > maxSessionBytes) {
                throw EmbedError.rateLimited(
                                "this chat session holds as much text as it may (" + maxSessionBytes
                                        + " bytes); start a new session",
                                3600)
                        .toException();
            }
            long seq = lastSeq + 1;
            ChatMessage stored = new ChatMessage(format(seq), ChatMessage.USER, content, millis(createdAt));
            updateSession(connection, sessionId, seq, storedBytes + bytes);
            insertMessage(connection, sessionId, seq, stored);
            try (PreparedStatement statement = db.prepare(connection, insertTurn)) {
                statement.setString(1, sessionId);
                statement.setLong(2, seq);
                statement.setString(3, stored.id());
                JdbcSessions.setNullable(statement, 4, mode);
                statement.executeUpdate();
            }
            changes.record(connection, Changes.MESSAGE, sessionId, null);
            return stored;
        });
        changes.committed(Changes.MESSAGE, sessionId, null);
        return message;
    }

    @Override
    public Optional<Page> page(String sessionId, @Nullable String afterId, @Nullable String beforeId, int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE_SIZE + ": " + limit);
        }
        if (afterId != null && beforeId != null) {
            throw new IllegalArgumentException("a page is read after a message or before one, not both");
        }
        if (sessions.find(sessionId).isEmpty()) {
            return afterId == null && beforeId == null
                    ? Optional.of(new Page(List.of(), false, false))
                    : Optional.empty();
        }
        LocalCache.Tail tail = cache.tail(sessionId);
        if (tail == null && beforeId == null && limit <= LocalCache.TAIL_SIZE && cache.usable()) {
            long generation = cache.generation(sessionId);
            tail = db.read("read messages", connection -> loadTail(connection, sessionId));
            cache.putTail(sessionId, tail, generation);
        }
        Page answer = tail == null ? null : fromTail(tail, afterId, beforeId, limit);
        if (answer != null) {
            return Optional.of(answer);
        }
        return db.read("read messages", connection -> fromDatabase(connection, sessionId, afterId, beforeId, limit));
    }

    /**
     * The tail's answer, or null when only the database knows: among them a cursor the tail does
     * not hold, which may be a message another node stored before this node heard of it.
     */
    private static @Nullable Page fromTail(
            LocalCache.Tail tail, @Nullable String afterId, @Nullable String beforeId, int limit) {
        List<ChatMessage> messages = tail.messages();
        int size = messages.size();
        if (afterId == null && beforeId == null) {
            if (limit < size) {
                return new Page(messages.subList(size - limit, size), true, tail.responding());
            }
            return tail.truncated() ? null : new Page(messages, false, tail.responding());
        }
        int at = indexOf(messages, afterId != null ? afterId : beforeId);
        if (at < 0) {
            return null;
        }
        if (afterId != null) {
            int rest = size - at - 1;
            int to = at + 1 + Math.min(rest, limit);
            return new Page(messages.subList(at + 1, to), rest > limit, tail.responding());
        }
        if (at > limit) {
            return new Page(messages.subList(at - limit, at), true, tail.responding());
        }
        return tail.truncated() ? null : new Page(messages.subList(0, at), false, tail.responding());
    }

    private static int indexOf(List<ChatMessage> messages, @Nullable String id) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private LocalCache.Tail loadTail(Connection connection, String sessionId) throws SQLException {
        List<ChatMessage> newestFirst = new ArrayList<>();
        boolean[] responding = new boolean[1];
        try (PreparedStatement statement = db.prepare(connection, latest)) {
            statement.setString(1, sessionId);
            statement.setInt(2, LocalCache.TAIL_SIZE + 1);
            readMessages(statement, newestFirst, responding);
        }
        boolean truncated = newestFirst.size() > LocalCache.TAIL_SIZE;
        List<ChatMessage> messages =
                new ArrayList<>(newestFirst.subList(0, Math.min(newestFirst.size(), LocalCache.TAIL_SIZE)));
        Collections.reverse(messages);
        return new LocalCache.Tail(messages, truncated, responding[0]);
    }

    private Optional<Page> fromDatabase(
            Connection connection, String sessionId, @Nullable String afterId, @Nullable String beforeId, int limit)
            throws SQLException {
        String cursorId = afterId != null ? afterId : beforeId;
        long cursorSeq = 0;
        if (cursorId != null) {
            try (PreparedStatement statement = db.prepare(connection, cursor)) {
                statement.setString(1, sessionId);
                statement.setString(2, cursorId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    cursorSeq = rows.getLong(1);
                }
            }
        }
        List<ChatMessage> read = new ArrayList<>();
        boolean[] responding = new boolean[1];
        String sql = afterId != null ? after : beforeId != null ? before : latest;
        try (PreparedStatement statement = db.prepare(connection, sql)) {
            statement.setString(1, sessionId);
            int index = 2;
            if (cursorId != null) {
                statement.setLong(index++, cursorSeq);
            }
            statement.setInt(index, limit + 1);
            readMessages(statement, read, responding);
        }
        boolean hasMore = read.size() > limit;
        List<ChatMessage> page = new ArrayList<>(read.subList(0, Math.min(read.size(), limit)));
        if (afterId == null) {
            Collections.reverse(page);
        }
        if (read.isEmpty()) {
            try (PreparedStatement statement = db.prepare(connection, respondingSql)) {
                statement.setString(1, sessionId);
                try (ResultSet rows = statement.executeQuery()) {
                    responding[0] = rows.next() && rows.getLong(1) > 0;
                }
            }
        }
        return Optional.of(new Page(page, hasMore, responding[0]));
    }

    private static void readMessages(PreparedStatement statement, List<ChatMessage> into, boolean[] responding)
            throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                into.add(new ChatMessage(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        Instant.ofEpochMilli(rows.getLong(4))));
                responding[0] = rows.getInt(5) == 1;
            }
        }
    }

    @Override
    public Optional<Turn> claimNext(String sessionId, String owner, Instant leaseUntil) {
        long now = clock.millis();
        return db.transaction("claim a turn", connection -> {
            List<Turn> turns = new ArrayList<>();
            try (PreparedStatement statement = db.prepare(connection, nextTurn)) {
                statement.setLong(1, now);
                statement.setString(2, sessionId);
                claimRows(connection, statement, owner, now, leaseUntil, turns);
            }
            return turns.isEmpty() ? Optional.<Turn>empty() : Optional.of(turns.get(0));
        });
    }

    @Override
    public List<Turn> claimStale(String owner, Instant now, Instant leaseUntil, int max) {
        if (max < 1) {
            return List.of();
        }
        long nowMillis = now.toEpochMilli();
        return db.transaction("claim stale turns", connection -> {
            List<Turn> turns = new ArrayList<>();
            try (PreparedStatement statement = db.prepare(connection, staleTurns)) {
                statement.setLong(1, nowMillis);
                statement.setLong(2, nowMillis);
                statement.setInt(3, Math.min(max, MAX_STALE_CLAIMS));
                claimRows(connection, statement, owner, nowMillis, leaseUntil, turns);
            }
            return List.copyOf(turns);
        });
    }

    /** Claims each candidate row whose lease has run out; the conditional UPDATE decides races. */
    private void claimRows(
            Connection connection,
            PreparedStatement candidates,
            String owner,
            long now,
            Instant leaseUntil,
            List<Turn> into)
            throws SQLException {
        record Candidate(
                String sessionId,
                long seq,
                String messageId,
                @Nullable String mode,
                String content,
                long createdAt) {}
        List<Candidate> found = new ArrayList<>();
        try (ResultSet rows = candidates.executeQuery()) {
            while (rows.next()) {
                if (rows.getLong(5) <= now) {
                    found.add(new Candidate(
                            rows.getString(1),
                            rows.getLong(2),
                            rows.getString(3),
                            rows.getString(4),
                            rows.getString(6),
                            rows.getLong(7)));
                }
            }
        }
        Instant lease = millis(leaseUntil);
        for (Candidate candidate : found) {
            String claimId = newClaimId();
            try (PreparedStatement statement = db.prepare(connection, claim)) {
                statement.setString(1, owner);
                statement.setString(2, claimId);
                statement.setLong(3, lease.toEpochMilli());
                statement.setString(4, candidate.sessionId());
                statement.setLong(5, candidate.seq());
                statement.setLong(6, now);
                if (statement.executeUpdate() == 1) {
                    into.add(new Turn(
                            candidate.sessionId(),
                            new ChatMessage(
                                    candidate.messageId(),
                                    ChatMessage.USER,
                                    candidate.content(),
                                    Instant.ofEpochMilli(candidate.createdAt())),
                            candidate.mode(),
                            owner,
                            claimId,
                            lease));
                }
            }
        }
    }

    @Override
    public Optional<ChatMessage> reply(Turn turn, String content, Instant createdAt) {
        String sessionId = turn.sessionId();
        long bytes = utf8Length(content);
        Optional<ChatMessage> reply = db.transaction("store a reply", connection -> {
            long lastSeq;
            long storedBytes;
            try (PreparedStatement statement = db.prepare(connection, lockForReply)) {
                statement.setString(1, sessionId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next() || rows.getLong(3) <= clock.millis()) {
                        return Optional.<ChatMessage>empty();
                    }
                    lastSeq = rows.getLong(1);
                    storedBytes = rows.getLong(2);
                }
            }
            try (PreparedStatement statement = db.prepare(connection, deleteTurn)) {
                statement.setString(1, sessionId);
                statement.setString(2, turn.message().id());
                statement.setString(3, turn.claimId());
                if (statement.executeUpdate() != 1) {
                    return Optional.<ChatMessage>empty();
                }
            }
            long seq = lastSeq + 1;
            ChatMessage stored = new ChatMessage(
                    MessageStore.replyId(turn.message().id()), ChatMessage.ASSISTANT, content, millis(createdAt));
            updateSession(connection, sessionId, seq, storedBytes + bytes);
            insertMessage(connection, sessionId, seq, stored);
            changes.record(connection, Changes.MESSAGE, sessionId, null);
            return Optional.of(stored);
        });
        if (reply.isPresent()) {
            changes.committed(Changes.MESSAGE, sessionId, null);
        }
        return reply;
    }

    private void updateSession(Connection connection, String sessionId, long seq, long storedBytes)
            throws SQLException {
        try (PreparedStatement statement = db.prepare(connection, updateSession)) {
            statement.setLong(1, seq);
            statement.setLong(2, storedBytes);
            statement.setString(3, sessionId);
            statement.executeUpdate();
        }
    }

    private void insertMessage(Connection connection, String sessionId, long seq, ChatMessage message)
            throws SQLException {
        try (PreparedStatement statement = db.prepare(connection, insertMessage)) {
            statement.setString(1, sessionId);
            statement.setLong(2, seq);
            statement.setString(3, message.id());
            statement.setString(4, message.role());
            statement.setString(5, message.content());
            statement.setLong(6, message.createdAt().toEpochMilli());
            statement.executeUpdate();
        }
    }

    private String newClaimId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String format(long seq) {
        String digits = Long.toString(seq, 36);
        return PREFIX + "0".repeat(Math.max(0, DIGITS - digits.length())) + digits;
    }

    private static Instant millis(Instant instant) {
        return Instant.ofEpochMilli(instant.toEpochMilli());
    }

    /** The UTF-8 length of a text, without encoding it. */
    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
