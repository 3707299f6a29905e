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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * It answers the envelope of §3.2, {@code {"success": true, "data": {"token", "session_id",
 * "expires_in"}}}; the endpoint table authenticates the {@code api-secret} header, reads the body
 * and writes errors in the envelope {@code {"success": false, "error": {"code", "message"}}}.
 * Thread-safe.
 */
final class VisitorTokenService {
    /** The path of the endpoint. */
    public static final String PATH = "/v1/embed-tokens/request";

    /** The header that carries the API key. */
    public static final String API_SECRET_HEADER = "api-secret";

    /** A visitor token lives exactly this long (§3.2). */
    public static final long LIFETIME_SECONDS = 3_600;

    private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-Fa-f]{8,128}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final System.Logger LOG = System.getLogger("dev.embed.visitor");

    private final @Nullable TokenService signer;
    private final @Nullable String unavailable;
    private final EmbedStore store;
    private final MintService mint;
    private final Set<String> knownAgents;
    private final FingerprintHasher fingerprints;
    private final RateLimitStore.Limit limit;
    private final Clock clock;

    private VisitorTokenService(
            Builder b,
            @Nullable TokenService signer,
            @Nullable String unavailable,
            FingerprintHasher fingerprints,
            RateLimitStore.Limit limit) {
        this.signer = signer;
        this.unavailable = unavailable;
        // build() checked that every required collaborator is set.
        this.store = Objects.requireNonNull(b.store);
        this.mint = Objects.requireNonNull(b.mint);
        this.knownAgents = Set.copyOf(b.knownAgents);
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
     * @return the success envelope
     * @throws EmbedException for every refusal, before anything is created
     */
    public Map<String, Object> mint(ApiKey key, Map<String, Object> body) {
        String agentRef = Fields.requiredString(body, "agent_id", 1, 257);
        String fingerprint = fingerprint(body);
        String[] agent = resolveAgent(key, agentRef);
        if (signer == null) {
            LOG.log(System.Logger.Level.ERROR, "embed: a visitor token was requested but " + unavailable);
            throw EmbedError.serverError().toException();
        }
        String fp = fingerprints.hash(key.tenant(), fingerprint);
        String bucket = "visitor\u0000" + key.tenant() + '\u0000' + key.id() + '\u0000' + agent[0] + '/' + agent[1]
                + '\u0000' + fp;
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
                agent[0],
                agent[1],
                subject,
                null,
                "chat",
                TokenKind.VISITOR.claim(),
                now,
                expiresAt,
                key.frameAncestors(),
                null);
        store.sessions().create(session);
        MintedToken minted = signer.mint(new TokenSpec(
                TokenKind.VISITOR,
                subject,
                session.id(),
                LIFETIME_SECONDS,
                agent[0],
                agent[1],
                null,
                null,
                List.of(),
                fp));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token", minted.token());
        data.put("session_id", session.id());
        data.put("expires_in", LIFETIME_SECONDS);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("data", data);
        return answer;
    }

    /** Whether visitor tokens can be signed (HS256 is available). */
    public boolean available() {
        return signer != null;
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

    /** {@code [spaceId or null, agentId]} of {@code agent} or {@code space/agent}; 403/404/400 as §5 says. */
    private String[] resolveAgent(ApiKey key, String ref) {
        int slash = ref.indexOf('/');
        if (slash >= 0) {
            String space = ref.substring(0, slash);
            String agent = ref.substring(slash + 1);
            if (!ID.matcher(space).matches() || !ID.matcher(agent).matches()) {
                throw badAgentId();
            }
            mint.authorize(key, space, agent);
            return new String[] {space, agent};
        }
        if (!ID.matcher(ref).matches()) {
            throw badAgentId();
        }
        Set<String> spaces = new LinkedHashSet<>();
        boolean anySpace = false;
        if (!knownAgents.isEmpty()) {
            for (String pair : knownAgents) {
                if (pair.endsWith("/" + ref)) {
                    spaces.add(pair.substring(0, pair.length() - ref.length() - 1));
                }
            }
            if (spaces.isEmpty()) {
                throw EmbedError.notFound("no agent " + ref).toException();
            }
            spaces.removeIf(space -> !key.mayMintFor(space, ref));
        } else {
            for (String pattern : key.agents()) {
                int at = pattern.indexOf('/');
                if (at < 0) {
                    anySpace |= "*".equals(pattern);
                } else if (pattern.substring(at + 1).equals(ref)
                        || pattern.substring(at + 1).equals("*")) {
                    spaces.add(pattern.substring(0, at));
                }
            }
        }
        if (spaces.size() > 1) {
            throw EmbedError.invalidRequest("agent_id " + ref + " names an agent of several spaces this key may use ("
                            + String.join(", ", spaces) + "); send it as space/agent")
                    .toException();
        }
        if (spaces.isEmpty() && !anySpace) {
            throw EmbedError.insufficientScope("this API key may not mint for agent " + ref)
                    .toException();
        }
        return new String[] {spaces.isEmpty() ? null : spaces.iterator().next(), ref};
    }

    private static EmbedException badAgentId() {
        return EmbedError.invalidRequest("agent_id must be an agent id, or space/agent, of 1-128 letters, digits, '.',"
                        + " '_' or '-' each")
                .toException();
    }

    /** Assembles a {@link VisitorTokenService}; every collaborator is required. */
    public static final class Builder {
        private final EmbedConfig config;
        private @Nullable TokenService tokens;
        private @Nullable EmbedStore store;
        private @Nullable MintService mint;
        private Set<String> knownAgents = Set.of();
        private long skewSeconds = 30;
        private Clock clock = Clock.systemUTC();

        private Builder(EmbedConfig config) {
            this.config = config;
        }

        /** The application's token service: it verifies every token, and signs visitor tokens when it signs HS256. */
        public Builder tokens(TokenService tokens) {
            this.tokens = tokens;
            return this;
        }

        /** Where sessions and the visitors' rate-limit buckets are kept. */
        public Builder store(EmbedStore store) {
            this.store = store;
            return this;
        }

        /** Flows A/B's service: its agent authorization is reused. */
        public Builder mint(MintService mint) {
            this.mint = mint;
            return this;
        }

        /** {@code space/agent} pairs that exist; empty when any the key allows exists. */
        public Builder knownAgents(Set<String> knownAgents) {
            this.knownAgents = knownAgents;
            return this;
        }

        public Builder skewSeconds(long skewSeconds) {
            this.skewSeconds = skewSeconds;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Reads the flow's configuration, fails fast on a bad value, and finds the HS256 signer. */
        public VisitorTokenService build() {
            if (tokens == null || store == null || mint == null || clock == null) {
                throw new IllegalStateException("VisitorTokenService needs tokens, store, mint and clock");
            }
            int perMinute = config.getInt(ConfigKey.VISITOR_RATE_LIMIT_PER_MINUTE, 1, 100_000);
            int burst = config.getInt(ConfigKey.VISITOR_RATE_LIMIT_BURST, 1, 100_000);
            RateLimitStore.Limit limit = new RateLimitStore.Limit("mints", burst, perMinute, Duration.ofMinutes(1));
            byte[] secret = config.isSet(ConfigKey.SIGNING_SECRET)
                    ? KeyRing.decodeSecret(
                            Objects.requireNonNull(config.get(ConfigKey.SIGNING_SECRET)), ConfigKey.SIGNING_SECRET)
                    : null;
            FingerprintHasher fingerprints;
            if (secret != null) {
                fingerprints = FingerprintHasher.derivedFrom(secret);
            } else {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                fingerprints = FingerprintHasher.withKey(key);
                LOG.log(
                        System.Logger.Level.INFO,
                        "embed: no " + ConfigKey.SIGNING_SECRET.key() + " is configured: the fp"
                                + " claims of visitor tokens use an ephemeral key and change at restart");
            }
            TokenService signer = null;
            String unavailable = null;
            if (((List<?>) Objects.requireNonNull(tokens.keys().jwks().get("keys"))).isEmpty()) {
                signer = tokens; // an HS256-only ring: it signs HS256
            } else if (secret == null) {
                unavailable = "visitor tokens (flow C) must be HS256 and tokens are signed with "
                        + config.get(ConfigKey.SIGNING_ALGORITHM) + ": set " + ConfigKey.SIGNING_SECRET.key() + " (env "
                        + ConfigKey.SIGNING_SECRET.env() + ") as well; it then verifies, and signs visitor tokens only";
            } else {
                TokenService hs256 = new TokenService(
                        KeyRing.hs256(secret, List.of()),
                        Objects.requireNonNull(config.get(ConfigKey.ISSUER)),
                        Objects.requireNonNull(config.get(ConfigKey.AUDIENCE)),
                        skewSeconds,
                        clock,
                        store.revocations());
                try {
                    // The application's ring must accept what this one signs.
                    tokens.verify(hs256.mint(new TokenSpec(
                                    TokenKind.VISITOR,
                                    "probe",
                                    "probe",
                                    LIFETIME_SECONDS,
                                    null,
                                    null,
                                    null,
                                    null,
                                    List.of(),
                                    null))
                            .token());
                    signer = hs256;
                } catch (EmbedException e) {
                    unavailable = "the key ring does not verify HS256 tokens signed with "
                            + ConfigKey.SIGNING_SECRET.key() + "; visitor tokens (flow C) cannot be minted";
                }
            }
            if (unavailable != null) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "embed: " + unavailable + ". POST " + PATH + " answers 500 until then.");
            }
            return new VisitorTokenService(this, signer, unavailable, fingerprints, limit);
        }
    }
}
