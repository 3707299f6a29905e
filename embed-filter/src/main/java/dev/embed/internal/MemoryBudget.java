package dev.embed.internal;

import dev.embed.chat.AgentContext;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The memory store's byte budgets (DESIGN §10): what the store holds in all, what one tenant may
 * hold of it, what one session's messages may hold, and how many sessions one tenant may have.
 * Nothing is evicted to make room: past a budget the caller gets {@code 429 rate_limited} with
 * {@code Retry-After}, and room comes back when sessions end or expire and when rate-limit states
 * would be full again.
 *
 * <p>The accounting is an estimate of the heap each thing takes, on the safe side: text counts two
 * bytes per {@code char} (a {@code String} of UTF-16 code units; Latin-1 text takes half that), and
 * every message, session and small entry a fixed overhead for its objects ({@link
 * #MESSAGE_OVERHEAD}, {@link #SESSION_OVERHEAD}, {@link #ENTRY_OVERHEAD}). A user message also
 * reserves room for the longest reply the library stores ({@link AgentTurns#MAX_REPLY_LENGTH}), so
 * the reply to an accepted message always fits; the reply's real size replaces the reservation.
 *
 * <p>Tenants are the API keys' tenants. Charges are atomic per tenant and in total; thread-safe.
 */
final class MemoryBudget {
    /** A {@link dev.embed.chat.ChatMessage}, its id and time, its slot in the history and turn queue. */
    static final long MESSAGE_OVERHEAD = 256;

    /**
     * A session's slot, record and history arrays, and its map entry; its strings count on top.
     * Measured (BENCHMARKS.md, {@code SessionMemory}): a flow B session takes about 420 bytes of heap
     * with its strings, which this charges 1,020 (640, its strings at two bytes a char, its frame
     * origin), so 1,000,000 sessions fit a 1 GiB budget, as they fit 1 GiB of heap (it was 2,048:
     * 2.4 KB charged per session, a 1 GiB budget refused the 440,000th).
     */
    static final long SESSION_OVERHEAD = 640;

    /** A revocation, a flow D link or a rate-limit key, with its map entry. */
    static final long ENTRY_OVERHEAD = 384;

    /** What a user message reserves for its reply: the longest reply the library stores. */
    static final long REPLY_RESERVATION = message(AgentTurns.MAX_REPLY_LENGTH);

    /** The least {@code embed.memory.maxSessionBytes}: a longest message and its reply, with room. */
    static final long MIN_SESSION_BYTES = 256 * 1024;

    /** The least {@code embed.memory.maxBytes}. */
    static final long MIN_TOTAL_BYTES = 4L * 1024 * 1024;

    /** The default session budget, as the JDBC store's {@code embed.store.jdbc.maxSessionBytes}. */
    static final long DEFAULT_SESSION_BYTES = 4L * 1024 * 1024;

    /** Default {@code embed.memory.maxBytes}: this fraction of the heap ({@code -Xmx}). */
    static final int DEFAULT_HEAP_PERCENT = 25;

    /** How long a caller refused for a full tenant share or store is asked to wait. */
    static final long FULL_RETRY_AFTER_SECONDS = 60;

    private final long maxBytes;
    private final long tenantBytes;
    private final long sessionBytes;
    private final int sessionsPerTenant;
    private final AtomicLong used = new AtomicLong();
    private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();

    /** One tenant's bytes and sessions. */
    private static final class Account {
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong sessions = new AtomicLong();
    }

    /**
     * @param maxBytes what the store may hold in all
     * @param tenantSharePercent what one tenant may hold of it, 1–100
     * @param sessionBytes what one session's messages (and reservations for replies) may hold
     * @param sessionsPerTenant most sessions of one tenant held at once (ended ones go at once)
     */
    MemoryBudget(long maxBytes, int tenantSharePercent, long sessionBytes, int sessionsPerTenant) {
        if (maxBytes < 1
                || tenantSharePercent < 1
                || tenantSharePercent > 100
                || sessionBytes < 1
                || sessionsPerTenant < 1) {
            throw new IllegalArgumentException("budgets must be positive, the share 1-100: " + maxBytes + ", "
                    + tenantSharePercent + ", " + sessionBytes + ", " + sessionsPerTenant);
        }
        this.maxBytes = maxBytes;
        this.tenantBytes = Math.max(1, maxBytes / 100 * tenantSharePercent);
        this.sessionBytes = sessionBytes;
        this.sessionsPerTenant = sessionsPerTenant;
    }

    /** Budgets so large that only the counts bound the store (tests of other behaviour). */
    static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE / 4, 100, Long.MAX_VALUE / 4, Integer.MAX_VALUE);
    }

    /**
     * The budgets {@code config} sets, validated: {@code embed.memory.maxBytes} (default {@value
     * #DEFAULT_HEAP_PERCENT}% of {@code heapBytes}, at least {@value #MIN_TOTAL_BYTES}, at most
     * the heap), {@code .tenantSharePercent}, {@code .maxSessionBytes} (default the smaller of 4
     * MiB and a tenant's share) and {@code .maxSessionsPerTenant} (default 100,000, or {@code
     * maxSessions} if smaller).
     */
    static MemoryBudget of(EmbedConfig config, long heapBytes, long maxSessions) {
        long total = config.isSet(ConfigKey.MEMORY_MAX_BYTES)
                ? bytes(config, ConfigKey.MEMORY_MAX_BYTES, MIN_TOTAL_BYTES, heapBytes)
                : Math.max(MIN_TOTAL_BYTES, heapBytes / 100 * DEFAULT_HEAP_PERCENT);
        int share = config.getInt(ConfigKey.MEMORY_TENANT_SHARE_PERCENT, 1, 100);
        long tenant = total / 100 * share;
        long session;
        if (config.isSet(ConfigKey.MEMORY_MAX_SESSION_BYTES)) {
            if (tenant < MIN_SESSION_BYTES) {
                throw config.invalid(
                        ConfigKey.MEMORY_TENANT_SHARE_PERCENT,
                        "leaves a tenant less than one session's least budget (" + MIN_SESSION_BYTES
                                + " bytes) of embed.memory.maxBytes=" + total);
            }
            session = bytes(config, ConfigKey.MEMORY_MAX_SESSION_BYTES, MIN_SESSION_BYTES, tenant);
        } else {
            session = Math.max(MIN_SESSION_BYTES, Math.min(DEFAULT_SESSION_BYTES, tenant));
        }
        int most = (int) Math.min(Integer.MAX_VALUE, maxSessions);
        int sessions = config.isSet(ConfigKey.MEMORY_MAX_SESSIONS_PER_TENANT)
                ? config.getInt(ConfigKey.MEMORY_MAX_SESSIONS_PER_TENANT, 1, most)
                : Math.min(most, config.getInt(ConfigKey.MEMORY_MAX_SESSIONS_PER_TENANT, 1, Integer.MAX_VALUE));
        return new MemoryBudget(total, share, session, sessions);
    }

    private static long bytes(EmbedConfig config, ConfigKey key, long min, long max) {
        String rule = "must be a whole number of bytes from " + min + " to " + max;
        try {
            long value = Long.parseLong(String.valueOf(config.get(key)).strip());
            if (value < min || value > max) {
                throw config.invalid(key, rule);
            }
            return value;
        } catch (NumberFormatException e) {
            throw config.invalid(key, rule);
        }
    }

    /** Bytes a text takes: two per {@code char}. */
    static long text(String text) {
        return 2L * text.length();
    }

    /** Bytes a session record takes: its fixed overhead and its strings (flow D's link data too). */
    static long session(EmbedSession session) {
        long bytes = SESSION_OVERHEAD
                + text(session.id())
                + text(session.tenant())
                + text(session.externalUserId())
                + nullable(session.spaceId())
                + nullable(session.agentId())
                + nullable(session.displayName());
        for (String origin : session.frameAncestors()) {
            bytes += ENTRY_OVERHEAD / 8 + text(origin);
        }
        EmbedSession.LinkData link = session.link();
        if (link != null) {
            bytes += ENTRY_OVERHEAD + nullable(link.model()) + value(link.settings()) + value(link.limits());
            for (String source : link.sources()) {
                bytes += ENTRY_OVERHEAD / 8 + text(source);
            }
            for (AgentContext.KnowledgeEntry entry : link.knowledgeEntries()) {
                bytes += ENTRY_OVERHEAD / 4 + nullable(entry.title()) + text(entry.content());
            }
            for (AgentContext.ReferenceQuery query : link.referenceQueries()) {
                bytes += ENTRY_OVERHEAD / 4 + text(query.title()) + text(query.query());
            }
        }
        return bytes;
    }

    /** Bytes a JSON-like value takes: strings, numbers, booleans, lists and maps of them. */
    private static long value(@Nullable Object value) {
        if (value instanceof String text) {
            return ENTRY_OVERHEAD / 8 + text(text);
        }
        if (value instanceof Map<?, ?> map) {
            long bytes = ENTRY_OVERHEAD / 4;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                bytes += ENTRY_OVERHEAD / 8 + value(entry.getKey()) + value(entry.getValue());
            }
            return bytes;
        }
        if (value instanceof Collection<?> list) {
            long bytes = ENTRY_OVERHEAD / 4;
            for (Object item : list) {
                bytes += value(item);
            }
            return bytes;
        }
        return ENTRY_OVERHEAD / 8;
    }

    private static long nullable(@Nullable String text) {
        return text == null ? 0 : ENTRY_OVERHEAD / 8 + text(text);
    }

    /** Bytes a stored message of {@code content} takes. */
    static long message(String content) {
        return message(content.length());
    }

    private static long message(int chars) {
        return MESSAGE_OVERHEAD + 2L * chars;
    }

    long maxBytes() {
        return maxBytes;
    }

    long tenantBytes() {
        return tenantBytes;
    }

    long sessionBytes() {
        return sessionBytes;
    }

    int sessionsPerTenant() {
        return sessionsPerTenant;
    }

    /** Bytes held in all now. */
    long used() {
        return used.get();
    }

    /** Bytes the tenant holds now. */
    long used(String tenant) {
        Account account = accounts.get(tenant);
        return account == null ? 0 : account.bytes.get();
    }

    /**
     * Charges {@code bytes} to the tenant if its share and the total have room.
     *
     * @return whether it was charged
     */
    boolean tryCharge(String tenant, long bytes) {
        Account account = account(tenant);
        if (!add(account.bytes, bytes, tenantBytes)) {
            return false;
        }
        if (!add(used, bytes, maxBytes)) {
            account.bytes.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /**
     * Charges a new session of {@code bytes} to the tenant if it has room for one more session and
     * the bytes.
     *
     * @return whether it was charged
     */
    boolean tryOpenSession(String tenant, long bytes) {
        Account account = account(tenant);
        if (!add(account.sessions, 1, sessionsPerTenant)) {
            return false;
        }
        if (!tryCharge(tenant, bytes)) {
            account.sessions.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Whether the tenant's refusal is for its count of sessions (else for bytes). */
    boolean sessionsFull(String tenant) {
        return account(tenant).sessions.get() >= sessionsPerTenant;
    }

    /**
     * Charges {@code bytes} whatever the budgets say: for what must be kept (a revocation, a reply
     * beyond its reservation), always small and bounded by what was charged before.
     */
    void charge(String tenant, long bytes) {
        account(tenant).bytes.addAndGet(bytes);
        used.addAndGet(bytes);
    }

    /** Gives back {@code bytes} the tenant was charged. */
    void credit(String tenant, long bytes) {
        account(tenant).bytes.addAndGet(-bytes);
        used.addAndGet(-bytes);
    }

    /** Gives back a session and its {@code bytes}. */
    void closeSession(String tenant, long bytes) {
        account(tenant).sessions.decrementAndGet();
        credit(tenant, bytes);
    }

    /** The 429 for a charge of {@code asked} bytes (or a session) that did not fit. */
    EmbedException full(String tenant, long asked) {
        String description;
        if (sessionsFull(tenant)) {
            description = "this tenant has as many live chat sessions as this server keeps for one tenant ("
                    + sessionsPerTenant + "); end sessions (DELETE /api/v1/embed-sessions/{sessionId}) or retry"
                    + " when some expire";
        } else if (used(tenant) + asked > tenantBytes) {
            description = "this tenant holds as much chat state as this server keeps for one tenant; end sessions"
                    + " (DELETE /api/v1/embed-sessions/{sessionId}) or retry when some expire";
        } else {
            description = "this server holds as much chat state as it may; retry later";
        }
        return EmbedError.rateLimited(description, FULL_RETRY_AFTER_SECONDS).toException();
    }

    /** What the store's {@code describe()} says of the budgets. */
    String describe() {
        return "at most " + mib(maxBytes) + " MiB in all, " + mib(tenantBytes) + " MiB and " + sessionsPerTenant
                + " sessions per tenant, " + mib(sessionBytes) + " MiB of messages per session";
    }

    private static String mib(long bytes) {
        return bytes >= Long.MAX_VALUE / 8 ? "unlimited" : String.valueOf(bytes / (1024 * 1024));
    }

    private Account account(String tenant) {
        return accounts.computeIfAbsent(tenant, t -> new Account());
    }

    /** Adds {@code delta} unless the sum would pass {@code limit}. */
    private static boolean add(AtomicLong counter, long delta, long limit) {
        while (true) {
            long current = counter.get();
            long next = current + delta;
            if (next > limit) {
                return false;
            }
            if (counter.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
