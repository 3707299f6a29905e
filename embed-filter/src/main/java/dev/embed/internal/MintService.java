package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.token.TokenKind;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Flows A and B of DESIGN §3.1: mints an iframe URL or a native token for one external user and
 * one session, and ends sessions. Adapter-neutral: it takes the authenticated key, the path's ids
 * and the parsed body, and returns the answer's JSON object or throws an {@link
 * dev.embed.error.EmbedException}.
 */
final class MintService {
    /** ISO-8601 UTC with milliseconds, as {@code expiresAt} is written. */
    public static final DateTimeFormatter EXPIRES_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Longest {@code ttlSeconds} of flows A and B (DESIGN §3.1). */
    static final long MAX_TTL_SECONDS = 86_400;

    private final TokenService tokens;
    private final EmbedStore store;
    private final AgentDirectory agents;
    private final long skewSeconds;
    private final Clock clock;

    MintService(TokenService tokens, EmbedStore store, AgentDirectory agents, long skewSeconds, Clock clock) {
        this.tokens = tokens;
        this.store = store;
        this.agents = agents;
        this.skewSeconds = skewSeconds;
        this.clock = clock;
    }

    /** Flow A: {@code {"embedUrl", "sessionId", "expiresAt"}}. */
    public Map<String, Object> mintEmbedUrl(
            ApiKey key, String spaceId, String agentId, Map<String, Object> body, String baseUrl) {
        return new Answer(mint(key, spaceId, agentId, body, TokenKind.EMBED_URL), baseUrl).embedUrl();
    }

    /** Flow A's answer as JSON text: what {@link Json#write} writes of {@link #mintEmbedUrl}'s. */
    public String mintEmbedUrlJson(
            ApiKey key, String spaceId, String agentId, Map<String, Object> body, String baseUrl) {
        return new Answer(mint(key, spaceId, agentId, body, TokenKind.EMBED_URL), baseUrl).embedUrlJson();
    }

    /** Flow B: {@code {"token", "sessionId", "expiresAt", "embedApi": {"sessionUrl", "messagesUrl"}}}. */
    public Map<String, Object> mintEmbedSession(
            ApiKey key, String spaceId, String agentId, Map<String, Object> body, String baseUrl) {
        return new Answer(mint(key, spaceId, agentId, body, TokenKind.EMBED_SESSION), baseUrl).embedSession();
    }

    /** Flow B's answer as JSON text: what {@link Json#write} writes of {@link #mintEmbedSession}'s. */
    public String mintEmbedSessionJson(
            ApiKey key, String spaceId, String agentId, Map<String, Object> body, String baseUrl) {
        return new Answer(mint(key, spaceId, agentId, body, TokenKind.EMBED_SESSION), baseUrl).embedSessionJson();
    }

    /**
     * The answer of flow A or B, as a map or as the same JSON text written straight into one
     * builder: a mint answer is small and flat, and jose4j's writer made a string and a builder
     * for every value it escaped (issue 12; {@code MintServiceTest} compares the two forms).
     */
    record Answer(MintedToken minted, String baseUrl) {
        Map<String, Object> embedUrl() {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("embedUrl", embedUrlValue());
            answer.put("sessionId", sessionId());
            answer.put("expiresAt", expiresAt());
            return answer;
        }

        String embedUrlJson() {
            StringBuilder json = new StringBuilder(160 + 2 * minted.token().length());
            JsonStrings.quote(JsonStrings.member(json.append('{'), true, "embedUrl"), embedUrlValue());
            JsonStrings.quote(JsonStrings.member(json, false, "sessionId"), sessionId());
            JsonStrings.quote(JsonStrings.member(json, false, "expiresAt"), expiresAt());
            return json.append('}').toString();
        }

        Map<String, Object> embedSession() {
            String sessionUrl = sessionUrl();
            Map<String, Object> api = new LinkedHashMap<>();
            api.put("sessionUrl", sessionUrl);
            api.put("messagesUrl", sessionUrl + "/messages");
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("token", minted.token());
            answer.put("sessionId", sessionId());
            answer.put("expiresAt", expiresAt());
            answer.put("embedApi", api);
            return answer;
        }

        String embedSessionJson() {
            String sessionUrl = sessionUrl();
            StringBuilder json = new StringBuilder(256 + minted.token().length() + 3 * sessionUrl.length());
            JsonStrings.quote(JsonStrings.member(json.append('{'), true, "token"), minted.token());
            JsonStrings.quote(JsonStrings.member(json, false, "sessionId"), sessionId());
            JsonStrings.quote(JsonStrings.member(json, false, "expiresAt"), expiresAt());
            JsonStrings.member(json, false, "embedApi").append('{');
            JsonStrings.quote(JsonStrings.member(json, true, "sessionUrl"), sessionUrl);
            JsonStrings.quote(JsonStrings.member(json, false, "messagesUrl"), sessionUrl + "/messages");
            return json.append("}}").toString();
        }

        private String sessionId() {
            return minted.claims().sessionId();
        }

        private String expiresAt() {
            return formatExpiresAt(minted.claims().expiresAt());
        }

        private String embedUrlValue() {
            return baseUrl + "/embed/chat/" + sessionId() + "#token=" + minted.token();
        }

        private String sessionUrl() {
            return baseUrl + "/api/v1/embed/chat-sessions/" + sessionId();
        }
    }

    /**
     * {@link #EXPIRES_AT}'s text of a time in whole epoch seconds, without a formatter's objects:
     * {@code yyyy-MM-ddTHH:mm:ss.000Z} for the years 1000 to 9999 (the formatter for any other).
     */
    static String formatExpiresAt(long epochSecond) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        if (time.getYear() < 1000 || time.getYear() > 9999) {
            return EXPIRES_AT.format(Instant.ofEpochSecond(epochSecond));
        }
        char[] text = "0000-00-00T00:00:00.000Z".toCharArray();
        digits(text, 0, 4, time.getYear());
        digits(text, 5, 2, time.getMonthValue());
        digits(text, 8, 2, time.getDayOfMonth());
        digits(text, 11, 2, time.getHour());
        digits(text, 14, 2, time.getMinute());
        digits(text, 17, 2, time.getSecond());
        return new String(text);
    }

    private static void digits(char[] text, int at, int width, int value) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Ends a session: from now on every token minted for it answers 401. */
    public void endSession(ApiKey key, String spaceId, String agentId, String sessionId) {
        agents.authorize(key, spaceId, agentId);
        Fields.pathId(sessionId, "sessionId");
        EmbedSession session = store.sessions()
                .find(sessionId)
                .orElseThrow(() -> EmbedError.notFound("no live session with this sessionId")
                        .toException());
        if (!session.tenant().equals(key.tenant())
                || !spaceId.equals(session.spaceId())
                || !agentId.equals(session.agentId())) {
            throw EmbedError.insufficientScope("this session belongs to another space, agent or tenant")
                    .toException();
        }
        end(session);
    }

    /**
     * {@code DELETE /api/v1/embed-sessions/{sessionId}} (DESIGN §3.4): ends a session of any flow
     * (A, B, C or D) that a key of the same tenant minted; from then on every token of it answers
     * 401 on every node.
     *
     * @throws dev.embed.error.EmbedException 404 for a session that is not live, 403 for another
     *     tenant's
     */
    public void endAnySession(ApiKey key, String sessionId) {
        Fields.pathId(sessionId, "sessionId");
        EmbedSession session = store.sessions()
                .find(sessionId)
                .orElseThrow(() -> EmbedError.notFound("no live session with this sessionId")
                        .toException());
        if (!session.tenant().equals(key.tenant())) {
            throw EmbedError.insufficientScope("this session belongs to another tenant")
                    .toException();
        }
        end(session);
    }

    private void end(EmbedSession session) {
        // Revoke first: once this returns, no request can pass with a token of the session. And for
        // as long as any token of it can live: a continuation that passed its revocation check just
        // before this line mints a token of up to MAX_TTL_SECONDS from now, beyond the session's
        // recorded expiry (issue 8; EndSessionRaceTest).
        Instant latest = clock.instant().plusSeconds(MAX_TTL_SECONDS);
        Instant until = session.expiresAt().isAfter(latest) ? session.expiresAt() : latest;
        store.revocations().revokeSession(session.id(), until.plusSeconds(skewSeconds + 1));
        store.sessions().end(session.id());
    }

    private MintedToken mint(ApiKey key, String spaceId, String agentId, Map<String, Object> body, TokenKind kind) {
        agents.authorize(key, spaceId, agentId);
        String externalUserId = Fields.requiredString(body, "externalUserId", 1, 256);
        String displayName = Fields.optionalString(body, "displayName", 256);
        long ttl = Fields.optionalInteger(body, "ttlSeconds", 60, MAX_TTL_SECONDS, 3_600);
        String mode = Objects.requireNonNullElse(Fields.optionalEnum(body, "mode", Fields.MODES, null), "chat");
        Object requestedSession = body.get("sessionId");
        if (requestedSession != null && !(requestedSession instanceof String)) {
            throw Fields.bad("sessionId must be a string");
        }

        Instant now = clock.instant();
        Instant expiresAt = Instant.ofEpochSecond(now.getEpochSecond() + ttl);
        String sid;
        if (requestedSession != null) {
            sid = Fields.pathId((String) requestedSession, "sessionId");
            Optional<EmbedSession> existing = store.sessions().find(sid);
            if (existing.isEmpty() || store.revocations().isSessionRevoked(sid)) {
                throw EmbedError.notFound("no live session with this sessionId").toException();
            }
            EmbedSession session = existing.get();
            if (!session.tenant().equals(key.tenant())
                    || !spaceId.equals(session.spaceId())
                    || !agentId.equals(session.agentId())
                    || !externalUserId.equals(session.externalUserId())) {
                throw EmbedError.insufficientScope("this session belongs to another space, agent or external user")
                        .toException();
            }
            // Ended since the lookup: nothing is minted (a revocation that came later than the extension
            // outlives any token minted here, EndSessionRaceTest).
            if (store.sessions().extend(sid, expiresAt).isEmpty()) {
                throw EmbedError.notFound("no live session with this sessionId").toException();
            }
        } else {
            sid = "ses_" + TokenService.randomId();
            store.sessions()
                    .create(new EmbedSession(
                            sid,
                            key.tenant(),
                            spaceId,
                            agentId,
                            externalUserId,
                            displayName,
                            mode,
                            kind.claim(),
                            now,
                            expiresAt,
                            key.frameAncestors(),
                            null));
        }
        return tokens.mint(
                new TokenSpec(kind, externalUserId, sid, ttl, spaceId, agentId, mode, displayName, List.of(), null));
    }
}
