package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeys;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.LinkStore;
import dev.embed.token.TokenKind;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Flow D of DESIGN §3.3, adapter-neutral: iframe links whose JWT is never kept, nor put in a URL.
 *
 * <ul>
 *   <li>{@link #create} ({@code POST /api/v1/iframe/create}, API key) checks every field, requires
 *       {@code srcs} ⊆ the key's sources (403), creates a session holding the link's
 *       session-scoped data ({@link EmbedSession.LinkData}) and keeps a {@link LinkStore.Link} (the
 *       claims of the token to sign, never a token) under the SHA-256 of a random cache key of 256
 *       bits, until it expires. It answers {@code {"iframe_url", "cache_key", "expires_in"}}; the URL
 *       holds the key, which is not stored anywhere.
 *   <li>{@link #redeem} ({@code POST /api/v1/iframe/token}, no API key: the hosted page calls it)
 *       trades the key for a JWT signed then, expiring when the link does: atomically and once
 *       across nodes (or, with {@code embed.iframe.singleUse=false}, as often as asked until the
 *       link expires). Unknown, used and expired keys, and keys whose session has ended, get the
 *       same 404.
 * </ul>
 *
 * Thread-safe.
 */
final class IframeLinkService {
    /** Where the hosted page of a link is served, below the public base URL. */
    public static final String PAGE_PATH = "/embed/iframe/";

    private static final Pattern CACHE_KEY = Pattern.compile("[A-Za-z0-9_-]{22,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TokenService tokens;
    private final EmbedStore store;
    private final boolean singleUse;
    private final Clock clock;

    /**
     * @param singleUse whether a cache key redeems once ({@code embed.iframe.singleUse}, default
     *     true), else until the link expires
     */
    public IframeLinkService(TokenService tokens, EmbedStore store, boolean singleUse, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.store = Objects.requireNonNull(store, "store");
        this.singleUse = singleUse;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * {@code POST /api/v1/iframe/create}.
     *
     * @param baseUrl the public base URL (with the context path, no trailing slash)
     * @return {@code {"iframe_url", "cache_key", "expires_in"}}
     * @throws EmbedException 400 for a bad field, 403 when {@code srcs} names a source the key may
     *     not use; nothing is created then
     */
    public Map<String, Object> create(ApiKey key, Map<String, Object> body, String baseUrl) {
        IframeRequest request = IframeRequest.parse(body);
        if (!key.mayUseSources(request.sources())) {
            List<String> refused = new ArrayList<>();
            for (String source : request.sources()) {
                if (!key.mayUseSources(List.of(source))) {
                    refused.add(source);
                }
            }
            throw EmbedError.insufficientScope(
                            "this API key may not use the sources " + String.join(", ", refused) + " named in srcs")
                    .toException();
        }
        Instant now = clock.instant();
        Instant expiresAt = Instant.ofEpochSecond(now.getEpochSecond() + request.ttlSeconds());
        EmbedSession.LinkData data = new EmbedSession.LinkData(
                request.sources(),
                request.knowledgeEntries(),
                request.referenceQueries(),
                request.model(),
                request.display(),
                request.limits());
        EmbedSession session = new EmbedSession(
                "ses_" + TokenService.randomId(),
                key.tenant(),
                null,
                null,
                request.uid(),
                null,
                "chat",
                TokenKind.IFRAME.claim(),
                now,
                expiresAt,
                key.frameAncestors(),
                data);
        store.sessions().create(session);
        String cacheKey = newCacheKey();
        store.links()
                .put(
                        sha256Hex(cacheKey),
                        new LinkStore.Link(session.id(), request.uid(), request.sources(), now, expiresAt));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("iframe_url", baseUrl + PAGE_PATH + cacheKey);
        answer.put("cache_key", cacheKey);
        answer.put("expires_in", request.ttlSeconds());
        return answer;
    }

    /**
     * {@code POST /api/v1/iframe/token} with {@code {"cache_key"}}.
     *
     * @return {@code {"token", "session_id", "expires_at", "expires_in", "settings"}}: a JWT signed
     *     now that expires with the link, its session, when it expires (ISO-8601 UTC with
     *     milliseconds, and seconds from now), and the hosted page's settings ({@code
     *     response_mode}, {@code show_sidebar}, {@code show_dashboards}, and {@code theme_mode},
     *     {@code custom_css_vars}, {@code start_message} or {@code theme_id} when the link set them)
     * @throws EmbedException 400 when {@code cache_key} is missing or not a string; 404 {@code
     *     not_found}, always the same, when the key is unknown, used or expired, or its session ended
     */
    public Map<String, Object> redeem(Map<String, Object> body) {
        Object value = body.get("cache_key");
        if (value == null) {
            throw EmbedError.invalidRequest("cache_key is required").toException();
        }
        if (!(value instanceof String key)) {
            throw EmbedError.invalidRequest("cache_key must be a string").toException();
        }
        if (!CACHE_KEY.matcher(key).matches()) {
            throw gone();
        }
        String keyHash = sha256Hex(key);
        LinkStore.Link link = (singleUse
                        ? store.links().take(keyHash)
                        : store.links().peek(keyHash))
                .orElseThrow(IframeLinkService::gone);
        EmbedSession session = live(link.sessionId()).orElseThrow(IframeLinkService::gone);
        MintedToken minted;
        try {
            minted = tokens.mintUntil(
                    new TokenSpec(
                            TokenKind.IFRAME,
                            link.subject(),
                            link.sessionId(),
                            TokenKind.IFRAME.maxLifetimeSeconds(),
                            null,
                            null,
                            null,
                            null,
                            link.sources(),
                            null),
                    link.expiresAt());
        } catch (IllegalArgumentException e) {
            throw gone(); // expires within this second
        }
        EmbedSession.LinkData data = session.link();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token", minted.token());
        answer.put("session_id", link.sessionId());
        answer.put("expires_at", MintService.EXPIRES_AT.format(minted.claims().expiresAtInstant()));
        answer.put(
                "expires_in",
                Math.max(0, minted.claims().expiresAt() - clock.instant().getEpochSecond()));
        answer.put("settings", data == null ? Map.of() : data.settings());
        return answer;
    }

    /** The live session of a link: found, and not revoked. */
    Optional<EmbedSession> live(String sessionId) {
        return store.revocations().isSessionRevoked(sessionId)
                ? Optional.empty()
                : store.sessions().find(sessionId);
    }

    /** The session of a cache key's link, left in place: for the hosted page's frame ancestors. */
    Optional<EmbedSession> sessionOfKey(String cacheKey) {
        if (!CACHE_KEY.matcher(cacheKey).matches()) {
            return Optional.empty();
        }
        return store.links().peek(sha256Hex(cacheKey)).flatMap(link -> live(link.sessionId()));
    }

    /** Whether a cache key redeems once (else until its link expires). */
    public boolean singleUse() {
        return singleUse;
    }

    /** 256 random bits, base64url (43 characters). */
    static String newCacheKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The lowercase hex SHA-256 of a cache key: what the store keeps a link under. */
    static String sha256Hex(String cacheKey) {
        return ApiKeys.sha256Hex(cacheKey);
    }

    private static EmbedException gone() {
        return EmbedError.notFound("no iframe link with this cache_key: it is unknown, already used or expired;"
                        + " create a new link")
                .toException();
    }
}
