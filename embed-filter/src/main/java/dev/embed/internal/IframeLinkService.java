package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.token.EmbedClaims;
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
 * Flow D of DESIGN §3.3, adapter-neutral: iframe links whose JWT stays on the server.
 *
 * <ul>
 *   <li>{@link #create} ({@code POST /api/v1/iframe/create}, API key) checks every field, requires
 *       {@code srcs} ⊆ the key's sources (403), creates a session holding the link's
 *       session-scoped data, signs an {@code iframe} token ({@code sub} = {@code uid}, {@code src}
 *       = {@code srcs}, living {@code ttl} s) and keeps it in the {@link CredentialCache} under a
 *       random key of 256 bits until it expires. It answers {@code {"iframe_url", "cache_key",
 *       "expires_in"}}; the URL holds the key, never the JWT.
 *   <li>{@link #redeem} ({@code POST /api/v1/iframe/token}, no API key: the hosted page calls it)
 *       trades the key for the JWT, atomically and once (or, with {@code embed.iframe.singleUse=false},
 *       as often as asked until the token expires). Unknown, used and expired keys, and keys whose
 *       session has ended, get the same 404.
 *   <li>{@link #messageGate} applies the link's {@code limits} to each message the session sends,
 *       counted per uid of the tenant across all its links.
 * </ul>
 *
 * The session's {@link EmbedSession#attributes()} carry {@value #SOURCES}, {@value #KNOWLEDGE},
 * {@value #REFERENCE_QUERIES}, {@value #MODEL}, {@value #DISPLAY}, {@value #LIMITS} and the key's
 * frame ancestors; the agent receives them as {@code AgentContext.attributes()}. They live in
 * memory exactly as long as the session and are never written anywhere durable by the defaults.
 * Thread-safe.
 */
public final class IframeLinkService {
    /** Session attribute: the link's source ids ({@code List<String>}). */
    public static final String SOURCES = "sources";
    /** Session attribute: {@code knowledge_base_entries} ({@code List<String>}), when given. */
    public static final String KNOWLEDGE = "knowledgeBaseEntries";
    /** Session attribute: {@code reference_queries} ({@code List<Map>} of {@code title}, {@code query}), when given. */
    public static final String REFERENCE_QUERIES = "referenceQueries";
    /** Session attribute: {@code model}, when given. */
    public static final String MODEL = "model";
    /** Session attribute: the hosted page's settings ({@code Map}), as {@link #redeem} answers them. */
    public static final String DISPLAY = "display";
    /** Session attribute: {@code limits} ({@code Map} window → most messages), when given. */
    public static final String LIMITS = "limits";

    /** Where the hosted page of a link is served, below the public base URL. */
    public static final String PAGE_PATH = "/embed/iframe/";

    private static final Pattern CACHE_KEY = Pattern.compile("[A-Za-z0-9_-]{22,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TokenService tokens;
    private final SessionRegistry sessions;
    private final CredentialCache cache;
    private final boolean singleUse;
    private final Clock clock;
    private final MessageGate gate;

    /**
     * @param singleUse whether a cache key redeems once ({@code embed.iframe.singleUse}, default
     *     true), else until its token expires
     */
    public IframeLinkService(
            TokenService tokens, SessionRegistry sessions, CredentialCache cache, boolean singleUse, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.singleUse = singleUse;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.gate = new UidLimits(cache);
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
        Map<String, Object> attributes = new LinkedHashMap<>(MintService.sessionAttributes(key));
        attributes.put(SOURCES, request.sources());
        if (!request.knowledgeBaseEntries().isEmpty()) {
            attributes.put(KNOWLEDGE, request.knowledgeBaseEntries());
        }
        if (!request.referenceQueries().isEmpty()) {
            attributes.put(REFERENCE_QUERIES, request.referenceQueries());
        }
        if (request.model() != null) {
            attributes.put(MODEL, request.model());
        }
        attributes.put(DISPLAY, request.display());
        if (!request.limits().isEmpty()) {
            attributes.put(LIMITS, request.limits());
        }
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
                attributes);
        sessions.save(session);
        MintedToken minted = tokens.mint(new TokenSpec(
                TokenKind.IFRAME,
                request.uid(),
                session.id(),
                request.ttlSeconds(),
                null,
                null,
                null,
                null,
                request.sources(),
                null));
        String cacheKey = newCacheKey();
        cache.putCredential(cacheKey, minted.token(), minted.claims().expiresAtInstant());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("iframe_url", baseUrl + PAGE_PATH + cacheKey);
        answer.put("cache_key", cacheKey);
        answer.put("expires_in", request.ttlSeconds());
        return answer;
    }

    /**
     * {@code POST /api/v1/iframe/token} with {@code {"cache_key"}}.
     *
     * @return {@code {"token", "session_id", "expires_at", "expires_in", "settings"}}: the JWT,
     *     its session, when it expires (ISO-8601 UTC with milliseconds, and seconds from now), and
     *     the hosted page's settings ({@code response_mode}, {@code show_sidebar}, {@code
     *     show_dashboards}, and {@code theme_mode}, {@code custom_css_vars}, {@code start_message}
     *     or {@code theme_id} when the link set them)
     * @throws EmbedException 400 when {@code cache_key} is missing or not a string; 404 {@code
     *     not_found}, always the same, when the key is unknown, used or expired
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
        Optional<String> token = singleUse ? cache.takeCredential(key) : cache.peekCredential(key);
        if (token.isEmpty()) {
            throw gone();
        }
        EmbedClaims claims;
        try {
            claims = tokens.verify(token.get());
        } catch (EmbedException e) {
            throw gone(); // its session was ended, or it expired within the skew
        }
        EmbedSession session = sessions.find(claims.sessionId()).orElseThrow(IframeLinkService::gone);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token", token.get());
        answer.put("session_id", claims.sessionId());
        answer.put("expires_at", MintService.EXPIRES_AT.format(claims.expiresAtInstant()));
        answer.put(
                "expires_in", Math.max(0, claims.expiresAt() - clock.instant().getEpochSecond()));
        Object display = session.attributes().get(DISPLAY);
        answer.put("settings", display instanceof Map ? display : Map.of());
        return answer;
    }

    /** The gate that applies each session's {@code limits}; {@code Embed} hands it to the chat. */
    public MessageGate messageGate() {
        return gate;
    }

    /** Whether a cache key redeems once (else until its token expires). */
    public boolean singleUse() {
        return singleUse;
    }

    /** 256 random bits, base64url (43 characters). */
    static String newCacheKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static EmbedException gone() {
        return EmbedError.notFound("no iframe link with this cache_key: it is unknown, already used or expired;"
                        + " create a new link")
                .toException();
    }
}
