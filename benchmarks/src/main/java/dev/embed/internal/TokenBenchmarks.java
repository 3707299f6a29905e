package dev.embed.internal;

import dev.embed.token.EmbedClaims;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 7's JMH benchmarks, all in one run so that their ratios compare like with like: minting,
 * verifying a token the verified-token cache has not seen (cold) and one it has (warm), and as
 * anchors a bare jose4j {@link JwtConsumer} on the same token and a bare {@link Mac} HMAC-SHA256
 * over the same signing input. Every token is like the one the demo's flow B mint makes
 * (about 430 characters). Average time per operation, in nanoseconds.
 *
 * <p>Run with {@code java -jar benchmarks/target/benchmarks.jar} (see {@code dev.embed.bench.BenchMain}). It
 * lives in the library's internal package (in the benchmarks jar only: a split package on its class
 * path) because the token service is package-private there; {@code bench/compare-revisions.sh}
 * matches its results by the simple names, which did not change.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 2,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class TokenBenchmarks {
    private TokenService tokens;
    private TokenService uncached;
    private Credentials credentials;
    private TokenSpec spec;
    private String token;
    private String header;
    private List<String> headers;
    private byte[] signingInput;
    private Mac mac;
    private JwtConsumer jose4j;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException, InvalidJwtException {
        byte[] secret = Fixtures.randomSecret();
        Clock clock = Clock.systemUTC();
        tokens = Fixtures.tokenService(secret, clock, TokenService.DEFAULT_VERIFIED_CACHE_SIZE);
        uncached = Fixtures.tokenService(secret, clock, 0);
        // Only bearer tokens are read here: no API key is ever looked up.
        credentials = new Credentials(tokens, sha256 -> Optional.empty());
        spec = Fixtures.demoSpec("ses_" + TokenService.randomId());
        token = tokens.mint(spec).token();
        header = "Bearer " + token;
        headers = List.of(header);
        tokens.verify(token); // now cached

        signingInput = token.substring(0, token.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        byte[] signature = Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
        if (!MessageDigest.isEqual(signature, mac.doFinal(signingInput))) {
            throw new IllegalStateException("the HMAC anchor does not reproduce the token's signature");
        }

        // What an application verifying with jose4j alone would write: the same checks as ours.
        jose4j = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireNotBefore()
                .setRequireSubject()
                .setRequireJwtId()
                .setAllowedClockSkewInSeconds((int) Fixtures.SKEW_SECONDS)
                .setExpectedIssuer(Fixtures.ISSUER)
                .setExpectedAudience(Fixtures.AUDIENCE)
                .setVerificationKey(new HmacKey(secret))
                .setJwsAlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .build();
        jose4j.processToClaims(token);
    }

    /** Signs a new token (random jti, claims to JSON, HS256). */
    @Benchmark
    public MintedToken mint() {
        return tokens.mint(spec);
    }

    /**
     * Cache hit as a request sees it: the token is a fresh string cut from the {@code
     * Authorization} header (so its hash is computed anew), then looked up, then the clock and
     * revocation are checked.
     */
    @Benchmark
    public EmbedClaims verifyWarm() {
        return tokens.verify(header.substring(7));
    }

    /** Cache hit with the very same String instance (its hash code already cached): a lower bound. */
    @Benchmark
    public EmbedClaims verifyWarmSameString() {
        return tokens.verify(token);
    }

    /** What the filters run per request: parse the one Authorization header, then verify (a hit). */
    @Benchmark
    public EmbedClaims bearerAndVerifyWarm() {
        return credentials.embedToken(Credentials.bearer(headers, false));
    }

    /**
     * Cache miss: every call verifies a token the cache does not hold, so it pays the lookup, the
     * full verification and the insertion with an eviction. The tokens cycle through a pool of
     * 8,192 distinct ones against a cache of 64 (at most 64 of the pool are ever cached, so at
     * least 99.2% of the calls miss); the pool (about 4 MB) stays in the CPU's caches, as a token
     * just read from the network does.
     */
    @Benchmark
    public EmbedClaims verifyCold(ColdTokens cold) {
        return cold.tokens.verify(cold.next());
    }

    /** Full verification with the cache turned off (embed.tokens.verifiedCacheSize=0). */
    @Benchmark
    public EmbedClaims verifyUncached() {
        return uncached.verify(token);
    }

    /** Anchor: jose4j alone, configured for the same checks, on the same token. */
    @Benchmark
    public JwtClaims jose4jConsumer() throws InvalidJwtException {
        return jose4j.processToClaims(token);
    }

    /** Anchor: the HMAC-SHA256 alone, over the same signing input (header.payload). */
    @Benchmark
    public byte[] hmacSha256() {
        return mac.doFinal(signingInput);
    }

    /** Distinct valid tokens, more than the cache they are verified against can hold. */
    @State(Scope.Thread)
    public static class ColdTokens {
        static final int POOL = 1 << 13;
        static final int CACHE = 1 << 6;

        TokenService tokens;
        private String[] pool;
        private int next;

        @Setup(Level.Trial)
        public void setUp() {
            tokens = Fixtures.tokenService(Fixtures.randomSecret(), Clock.systemUTC(), CACHE);
            TokenSpec spec = Fixtures.demoSpec("ses_" + TokenService.randomId());
            pool = new String[POOL];
            for (int i = 0; i < POOL; i++) {
                pool[i] = tokens.mint(spec).token();
            }
        }

        String next() {
            String token = pool[next];
            next = (next + 1) & (POOL - 1);
            return token;
        }
    }
}
