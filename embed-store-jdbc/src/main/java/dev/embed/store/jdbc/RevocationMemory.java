package dev.embed.store.jdbc;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Every revocation in force, in this node's memory: the hot path of every embed request asks here
 * and never the database. Filled at start-up, then kept true by this node's own revocations (at
 * once), the change feed (the other nodes', within a second) and a periodic catch-up read. About
 * 200 bytes of heap per revocation; each is dropped when it expires.
 */
final class RevocationMemory {
    private final ConcurrentHashMap<String, Long> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> tokens = new ConcurrentHashMap<>();

    /** Records a revocation of a session ({@link Changes#REVOKED_SESSION}) or token, until then. */
    void remember(char kind, String id, long untilMillis) {
        map(kind).merge(id, untilMillis, Math::max);
    }

    boolean revoked(char kind, String id, long nowMillis) {
        Long until = map(kind).get(id);
        return until != null && until > nowMillis;
    }

    /** Forgets what expired. */
    void purge(long nowMillis) {
        sessions.values().removeIf(until -> until <= nowMillis);
        tokens.values().removeIf(until -> until <= nowMillis);
    }

    int size() {
        return sessions.size() + tokens.size();
    }

    private ConcurrentHashMap<String, Long> map(char kind) {
        if (kind == Changes.REVOKED_SESSION) {
            return sessions;
        }
        if (kind == Changes.REVOKED_TOKEN) {
            return tokens;
        }
        throw new IllegalArgumentException("not a revocation kind: " + kind);
    }
}
