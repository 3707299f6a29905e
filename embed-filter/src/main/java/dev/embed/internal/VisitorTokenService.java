package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import dev.embed.store.RateLimitStore;
import dev.embed.token.TokenKind;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Flow C of DESIGN §3.2, adapter-neutral: per-device visitor tokens, minted by a customer's backend
 * with {@code POST /v1/embed-tokens/request}, header {@code api-secret: sk_...} and body {@code
 * {"agent_id", "fingerprint"}}.
 *
 * <ul>
 *   <li>{@code agent_id} names an agent the key may mint for, as {@code agent} (its space is found
 *       among {@code embed.agents}, else among the key's own {@code space/agent} entries; 400 when
 *       that is ambiguous) or as {@code space/agent}.
 *   <li>{@code fingerprint} is hex, 8–128 characters (case does not matter). It never leaves this
 *       class: the token's {@code fp} claim and {@code sub} ({@code v_<fp>}) carry an HMAC-SHA256 of
 *       it keyed with a key derived from {@code embed.signing.secret}, scoped to the key's tenant.
 *   <li>Each mint creates a new session and an HS256 token that lives exactly {@value
 *       #LIFETIME_SECONDS} s. When tokens are otherwise signed with ES256/RS256, visitor tokens are
 *       still HS256, signed with {@code embed.signing.secret} (which the key ring then accepts for
 *       verification); without that secret the endpoint answers 500 and start-up logs why.
 *   <li>Mints are rate-limited per (key, agent, fingerprint) with a token bucket in the {@link
 *       RateLimitStore}: {@code embed.visitor.rateLimit.perMinute} permits a minute, at most
 *       {@code embed.visitor.rateLimit.burst} at once; then 429 with {@code Retry-After}. Each
 *       visitor has its own bucket, so a noisy one never slows another.
 * </ul>
 *
 * It answers the data {@code {"token", "session_id", "expires_in"}}; the endpoint table
 * authenticates the {@code api-secret} header, reads the body, and writes the answer in §3.2's
 * envelope {@code {"success": true, "data": ...}} and errors in {@code {"success": false, "error":
 * {"code", "message"}}}.
 * Thread-safe.
 */
final class VisitorTokenService {
    /** A visitor token lives exactly this long (§3.2). */
    public static final long LIFETIME_SECONDS = 3_600;

    private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-Fa-f]{8,128}");
    private static final System.Logger LOG = System.getLogger("dev.embed.visitor");

    private final TokenService tokens;
    private final @Nullable String unavailable;
    private final EmbedStore store;
    private final AgentDirectory agents;
    private final FingerprintHasher fingerprints;
    private final RateLimitStore.Limit limit;
    private final Clock clock;

    private VisitorTokenService(
            Builder b, @Nullable String unavailable, FingerprintHasher fingerprints, RateLimitStore.Limit limit) {
        // build() checked that every required collaborator is set.
        this.tokens = Objects.requireNonNull(b.tokens);
        this.unavailable = unavailable;
        this.store = Objects.requireNonNull(b.store);
        this.agents = Objects.requireNonNull(b.agents);
        this.fingerprints = fingerprints;
        this.limit = limit;
        this.clock = b.clock;
    }

    /** The collaborators, all required; {@link Builder#build()} reads the flow's configuration. */
    public static Builder builder(EmbedConfig config) {
        return new Builder(config);
    }

    /**
     * Mints for an authenticated key: validates the body, resolves and authorizes the agent, takes
     * a permit of the visitor's bucket, then creates the session and signs its token.
     *
     * @return {@code {"token", "session_id", "expires_in"}}, which the endpoint puts in §3.2's envelope
     * @throws EmbedException for every refusal, before anything is created
     */
    public Map<String, Object> mint(ApiKey key, Map<String, Object> body) {
        String agentRef = Fields.requiredString(body, "agent_id", 1, 257);
        String fingerprint = fingerprint(body);
        AgentDirectory.Agent agent = agents.resolve(key, agentRef);
        if (unavailable != null) {
            LOG.log(System.Logger.Level.ERROR, "embed: a visitor token was requested but " + unavailable);
            throw EmbedError.serverError().toException();
        }
        String fp = fingerprints.hash(key.tenant(), fingerprint);
        String bucket = "visitor\u0000" + key.tenant() + '\u0000' + key.id() + '\u0000' + agent.spaceId() + '/'
                + agent.agentId() + '\u0000' + fp;
        RateLimitStore.Decision decision = store.rateLimits().tryAcquire(bucket, List.of(limit));
        if (!decision.allowed()) {
            throw EmbedError.rateLimited(
                            "too many visitor tokens requested for this fingerprint and agent; retry after"
                                    + " the number of seconds in Retry-After (a visitor token lives an hour: reuse it)",
                            decision.retryAfterSeconds())
                    .toException();
        }
        Instant now = clock.instant();
        Instant expiresAt = Instant.ofEpochSecond(now.getEpochSecond() + LIFETIME_SECONDS);
        String subject = "v_" + fp;
        EmbedSession session = new EmbedSession(
                "ses_" + TokenService.randomId(),
                key.tenant(),
                agent.spaceId(),
                agent.agentId(),
                subject,
                null,
                "chat",
                TokenKind.VISITOR.claim(),
                now,
                expiresAt,
                key.frameAncestors(),
                null);
        store.sessions().create(session);
        MintedToken minted = tokens.mint(new TokenSpec(
                TokenKind.VISITOR,
                subject,
                session.id(),
                LIFETIME_SECONDS,
                agent.spaceId(),
                agent.agentId(),
                null,
                null,
                List.of(),
                fp));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token", minted.token());
        data.put("session_id", session.id());
        data.put("expires_in", LIFETIME_SECONDS);
        return data;
    }

    /** Whether visitor tokens can be signed (the key ring has an HS256 key for them). */
    public boolean available() {
        return unavailable == null;
    }

    private static String fingerprint(Map<String, Object> body) {
        Object value = body.get("fingerprint");
        if (value == null) {
            throw EmbedError.invalidRequest(
                            "fingerprint is required: 8-128 hex characters identifying the visitor's" + " device")
                    .toException();
        }
        if (!(value instanceof String fingerprint)
                || !FINGERPRINT.matcher(fingerprint).matches()) {
            throw EmbedError.invalidRequest("fingerprint must be a string of 8-128 hex characters (0-9, a-f)")
                    .toException();
        }
        return fingerprint;
    }

    /** Assembles a {@link VisitorTokenService}; every collaborator is required. */
    public static final class Builder {
        private final EmbedConfig config;
        private @Nullable TokenService tokens;
        private @Nullable EmbedStore store;
        private @Nullable AgentDirectory agents;
        private Clock clock = Clock.systemUTC();

        private Builder(EmbedConfig config) {
            this.config = config;
        }

        /** The application's token service: its key ring signs visitor tokens with its HS256 key. */
        public Builder tokens(TokenService tokens) {
            this.tokens = tokens;
            return this;
        }

        /** Where sessions and the visitors' rate-limit buckets are kept. */
        public Builder store(EmbedStore store) {
            this.store = store;
            return this;
        }

        /** The agents that exist and who may mint for them, shared with flows A and B. */
        Builder agents(AgentDirectory agents) {
            this.agents = agents;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Reads the flow's configuration, fails fast on a bad value, and says when visitor tokens cannot be signed. */
        public VisitorTokenService build() {
            if (tokens == null || store == null || agents == null || clock == null) {
                throw new IllegalStateException("VisitorTokenService needs tokens, store, agents and clock");
            }
            int perMinute = config.getInt(ConfigKey.VISITOR_RATE_LIMIT_PER_MINUTE, 1, 100_000);
            int burst = config.getInt(ConfigKey.VISITOR_RATE_LIMIT_BURST, 1, 100_000);
            RateLimitStore.Limit limit = new RateLimitStore.Limit("mints", burst, perMinute, Duration.ofMinutes(1));
            FingerprintHasher fingerprints;
            if (config.isSet(ConfigKey.SIGNING_SECRET)) {
                fingerprints = FingerprintHasher.derivedFrom(KeyRing.decodeSecret(
                        Objects.requireNonNull(config.get(ConfigKey.SIGNING_SECRET)), ConfigKey.SIGNING_SECRET));
            } else {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                fingerprints = FingerprintHasher.withKey(key);
                LOG.log(
                        System.Logger.Level.INFO,
                        "embed: no " + ConfigKey.SIGNING_SECRET.key() + " is configured: the fp"
                                + " claims of visitor tokens use an ephemeral key and change at restart");
            }
            String unavailable = null;
            if (tokens.keys().signerFor(TokenKind.VISITOR) == null) {
                unavailable = "visitor tokens (flow C) must be HS256 and tokens are signed with "
                        + config.get(ConfigKey.SIGNING_ALGORITHM) + ": set " + ConfigKey.SIGNING_SECRET.key() + " (env "
                        + ConfigKey.SIGNING_SECRET.env() + ") as well; it then verifies, and signs visitor tokens only";
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: " + unavailable + ". POST /v1/embed-tokens/request answers 500 until then.");
            }
            return new VisitorTokenService(this, unavailable, fingerprints, limit);
        }
    }
}
