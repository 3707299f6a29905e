package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.token.TokenKind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Flows A and B of DESIGN §3.1: mints an iframe URL or a native token for one external user and
 * one session, and ends sessions. Adapter-neutral: it takes the authenticated key, the path's ids
 * and the parsed body, and returns the answer's JSON object or throws an {@link
 * dev.embed.error.EmbedException}.
 */
public final class MintService {
    /** ISO-8601 UTC with milliseconds, as {@code expiresAt} is written. */
    public static final DateTimeFormatter EXPIRES_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Longest {@code ttlSeconds} of flows A and B (DESIGN §3.1). */
    static final long MAX_TTL_SECONDS = 86_400;

    private final TokenService tokens;
    private final SessionRegistry sessions;
    private final CredentialCache credentials;
    private final Set<String> knownAgents;
    private final long skewSeconds;
    private final Clock clock;

    /**
     * @param knownAgents {@code space/agent} pairs that exist; empty means every agent a key may
     *     mint for exists
     */
    public MintService(
            TokenService tokens,
            SessionRegistry sessions,
            CredentialCache credentials,
            Set<String> knownAgents,
            long skewSeconds,
            Clock clock) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.credentials = credentials;
        this.knownAgents = Set.copyOf(knownAgents);
        this.skewSeconds = skewSeconds;
        this.clock = clock;
    }

    /** Flow A: {@code {"embedUrl", "sessionId", "expiresAt"}}. */
    public Map<String, Object> mintEmbedUrl(
            ApiKey key, String spaceId, String agentId, Map<String, Object> body, String baseUrl) {
        MintedToken minted = mint(key, spaceId, agentId, body, TokenKind.EMBED_URL);
        String sid = minted.claims().sessionId();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("embedUrl", baseUrl + "/embed/chat/" + sid + "#token=" + minted.token());
        answer.put("sessionId", sid);
        answer.put("expiresAt", EXPIRES_AT.format(minted.claims().expiresAtInstant()));
        return answer;
    }

    /** Flow B: {@code {"token", "sessionId", "expiresAt", "embedApi": {"sessionUrl", "messagesUrl"}}}. */
    public Map<String, Object> mintEmbedSession(
            ApiKey key, String spaceId, String agentId, Map<String, Object> body, String baseUrl) {
        MintedToken minted = mint(key, spaceId, agentId, body, TokenKind.EMBED_SESSION);
        String sid = minted.claims().sessionId();
        String sessionUrl = baseUrl + "/api/v1/embed/chat-sessions/" + sid;
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("sessionUrl", sessionUrl);
        api.put("messagesUrl", sessionUrl + "/messages");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token", minted.token());
        answer.put("sessionId", sid);
        answer.put("expiresAt", EXPIRES_AT.format(minted.claims().expiresAtInstant()));
        answer.put("embedApi", api);
        return answer;
    }

    /** Ends a session: from now on every token minted for it answers 401. */
    public void endSession(ApiKey key, String spaceId, String agentId, String sessionId) {
        authorize(key, spaceId, agentId);
        Fields.pathId(sessionId, "sessionId");
        EmbedSession session = sessions.find(sessionId)
                .orElseThrow(() -> EmbedError.notFound("no live session with this sessionId")
                        .toException());
        if (!session.tenant().equals(key.tenant())
                || !spaceId.equals(session.spaceId())
                || !agentId.equals(session.agentId())) {
            throw EmbedError.insufficientScope("this session belongs to another space, agent or tenant")
                    .toException();
        }
        // Revoke first: once this returns, no request can pass with a token of the session. And for
        // as long as any token of it can live: a continuation that passed its revocation check just
        // before this line mints a token of up to MAX_TTL_SECONDS from now, beyond the session's
        // recorded expiry (issue 8; EndSessionRaceTest).
        Instant latest = clock.instant().plusSeconds(MAX_TTL_SECONDS);
        Instant until = session.expiresAt().isAfter(latest) ? session.expiresAt() : latest;
        credentials.revokeSession(sessionId, until.plusSeconds(skewSeconds + 1));
        sessions.end(sessionId);
    }

    /** 403 unless the key may mint for the agent; 404 for an agent that does not exist. */
    public void authorize(ApiKey key, String spaceId, String agentId) {
        Fields.pathId(spaceId, "spaceId");
        Fields.pathId(agentId, "agentId");
        if (!key.mayMintFor(spaceId, agentId)) {
            throw EmbedError.insufficientScope(
                            "this API key may not mint for agent " + agentId + " of space " + spaceId)
                    .toException();
        }
        if (!knownAgents.isEmpty() && !knownAgents.contains(spaceId + "/" + agentId)) {
            throw EmbedError.notFound("no agent " + agentId + " in space " + spaceId)
                    .toException();
        }
    }

    /** Session attribute: the origins allowed to frame the hosted page of the session (a {@code List<String>}). */
    public static final String FRAME_ANCESTORS = "frameAncestors";

    /** What every new session records of the key that minted it. */
    public static Map<String, Object> sessionAttributes(ApiKey key) {
        return key.frameAncestors().isEmpty() ? Map.of() : Map.of(FRAME_ANCESTORS, key.frameAncestors());
    }

    private MintedToken mint(ApiKey key, String spaceId, String agentId, Map<String, Object> body, TokenKind kind) {
        authorize(key, spaceId, agentId);
        String externalUserId = Fields.requiredString(body, "externalUserId", 1, 256);
        String displayName = Fields.optionalString(body, "displayName", 256);
        long ttl = Fields.optionalInteger(body, "ttlSeconds", 60, MAX_TTL_SECONDS, 3_600);
        String mode = Fields.optionalEnum(body, "mode", Fields.MODES, "chat");
        Object requestedSession = body.get("sessionId");
        if (requestedSession != null && !(requestedSession instanceof String)) {
            throw Fields.bad("sessionId must be a string");
        }

        Instant now = clock.instant();
        Instant expiresAt = Instant.ofEpochSecond(now.getEpochSecond() + ttl);
        EmbedSession session;
        if (requestedSession != null) {
            String sid = Fields.pathId((String) requestedSession, "sessionId");
            Optional<EmbedSession> existing = sessions.find(sid);
            if (existing.isEmpty() || credentials.isSessionRevoked(sid)) {
                throw EmbedError.notFound("no live session with this sessionId").toException();
            }
            session = existing.get();
            if (!session.tenant().equals(key.tenant())
                    || !spaceId.equals(session.spaceId())
                    || !agentId.equals(session.agentId())
                    || !externalUserId.equals(session.externalUserId())) {
                throw EmbedError.insufficientScope("this session belongs to another space, agent or external user")
                        .toException();
            }
            session = session.extendedTo(expiresAt);
        } else {
            session = new EmbedSession(
                    "ses_" + TokenService.randomId(),
                    key.tenant(),
                    spaceId,
                    agentId,
                    externalUserId,
                    displayName,
                    mode,
                    kind.claim(),
                    now,
                    expiresAt,
                    sessionAttributes(key));
        }
        sessions.save(session);
        return tokens.mint(new TokenSpec(
                kind, externalUserId, session.id(), ttl, spaceId, agentId, mode, displayName, List.of(), null));
    }
}
