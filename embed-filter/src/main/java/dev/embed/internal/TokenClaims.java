package dev.embed.internal;

import static dev.embed.internal.CompactJws.reject;

import dev.embed.token.EmbedClaims;
import dev.embed.token.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwt.JwtClaims;
import org.jspecify.annotations.Nullable;

/**
 * The claims set of embed tokens (RFC 7519 §4, DESIGN §2): what a token says and the rules that
 * never change with time: {@code iss} and {@code aud}; {@code sub}, {@code sid}, {@code jti} and a
 * known {@code kty} required; {@code iat}, {@code exp} (and {@code nbf}, when present) non-negative
 * integers, {@code exp} after {@code iat} within the flow's maximum lifetime; {@code spc}, {@code
 * agt}, {@code mode}, {@code name}, {@code fp} strings and {@code src} a list of strings. It
 * writes the claims of a new token in the same terms. Thread-safe.
 */
final class TokenClaims {
    private static final int COMMON_LIMIT = 4096;

    private final String issuer;
    private final String audience;
    /** The few distinct values of spc, agt and mode, so that cached claims share one copy of each. */
    private final Map<String, String> common = new ConcurrentHashMap<>();

    TokenClaims(String issuer, String audience) {
        this.issuer = issuer;
        this.audience = audience;
    }

    /**
     * The claims of a new token of {@code spec}, issued at {@code now}, expiring at {@code exp}, as
     * JSON text: the same text as jose4j's {@code JwtClaims.toJson()} of them (members in the order
     * below, strings as {@link JsonStrings} writes them; {@code TokenClaimsTest} compares the two),
     * written into one builder instead of a claims map and jose4j's writer (issue 12).
     */
    String write(TokenSpec spec, String jti, long now, long exp) {
        StringBuilder json = new StringBuilder(384);
        JsonStrings.quote(JsonStrings.member(json.append('{'), true, "iss"), issuer);
        JsonStrings.quote(JsonStrings.member(json, false, "aud"), audience);
        JsonStrings.quote(JsonStrings.member(json, false, "sub"), spec.subject());
        JsonStrings.quote(JsonStrings.member(json, false, "sid"), spec.sessionId());
        JsonStrings.member(json, false, "iat").append(now);
        JsonStrings.member(json, false, "nbf").append(now);
        JsonStrings.member(json, false, "exp").append(exp);
        JsonStrings.quote(JsonStrings.member(json, false, "jti"), jti);
        JsonStrings.quote(JsonStrings.member(json, false, "kty"), spec.kind().claim());
        putIfPresent(json, "spc", spec.spaceId());
        putIfPresent(json, "agt", spec.agentId());
        putIfPresent(json, "mode", spec.mode());
        putIfPresent(json, "name", spec.displayName());
        if (!spec.sources().isEmpty()) {
            JsonStrings.member(json, false, "src").append('[');
            boolean first = true;
            for (String source : spec.sources()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                JsonStrings.quote(json, source);
            }
            json.append(']');
        }
        putIfPresent(json, "fp", spec.fingerprintHash());
        return json.append('}').toString();
    }

    /**
     * The claims of a signed token, read by the rules that never change with time.
     *
     * @throws dev.embed.error.EmbedException 401 {@code invalid_token}
     */
    EmbedClaims read(JwtClaims claims) {
        Map<String, Object> map = claims.getClaimsMap();
        String iss = string(map, "iss");
        if (!issuer.equals(iss)) {
            throw reject("the token has the wrong issuer (iss)");
        }
        if (!audienceMatches(map.get("aud"))) {
            throw reject("the token has the wrong audience (aud)");
        }
        String sub = requiredString(map, "sub");
        String sid = requiredString(map, "sid");
        String jti = requiredString(map, "jti");
        TokenKind kind =
                TokenKind.fromClaim(map.get("kty")).orElseThrow(() -> reject("the token has no known kty claim"));
        long iat = seconds(map, "iat");
        long exp = seconds(map, "exp");
        long nbf = map.containsKey("nbf") ? seconds(map, "nbf") : iat;
        if (exp <= iat) {
            throw reject("the token expires before it was issued");
        }
        if (exp - iat > kind.maxLifetimeSeconds()) {
            throw reject("the token lives longer than the " + kind.maxLifetimeSeconds() + " s its flow allows");
        }
        return new EmbedClaims(
                sub,
                sid,
                jti,
                kind,
                iat,
                nbf,
                exp,
                common(string(map, "spc")),
                common(string(map, "agt")),
                common(string(map, "mode")),
                string(map, "name"),
                stringList(map, "src"),
                string(map, "fp"));
    }

    /**
     * The shared copy of a claim value that few tokens differ in (space, agent, mode): a million
     * cached claims then hold one "demo" instead of a million. Only values of signed tokens come
     * here, and past {@link #COMMON_LIMIT} distinct values new ones are simply not shared.
     */
    private @Nullable String common(@Nullable String value) {
        if (value == null) {
            return null;
        }
        String known = common.get(value);
        if (known != null) {
            return known;
        }
        if (common.size() >= COMMON_LIMIT) {
            return value;
        }
        known = common.putIfAbsent(value, value);
        return known != null ? known : value;
    }

    private boolean audienceMatches(@Nullable Object aud) {
        if (aud instanceof String) {
            return audience.equals(aud);
        }
        if (aud instanceof List<?> audiences) {
            return audiences.contains(audience);
        }
        return false;
    }

    private static String requiredString(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (!(value instanceof String text) || text.isEmpty() || text.length() > 256) {
            throw reject("the token has no valid " + name + " claim");
        }
        return text;
    }

    private static @Nullable String string(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw reject("the token's " + name + " claim is not a string");
        }
        return text;
    }

    private static List<String> stringList(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw reject("the token's " + name + " claim is not a list");
        }
        List<String> out = new ArrayList<>();
        for (Object item : (List<?>) value) {
            if (!(item instanceof String text)) {
                throw reject("the token's " + name + " claim is not a list of strings");
            }
            out.add(text);
        }
        return out;
    }

    /**
     * NumericDate claims must be non-negative JSON integers: no strings, floats or numbers beyond a
     * long. Negative values are refused so that {@code exp - iat} and {@code nbf - skew} cannot
     * overflow past the lifetime and time checks.
     */
    private static long seconds(Map<String, Object> map, String name) {
        Object value = map.get(name);
        if (!(value instanceof Long seconds) || seconds < 0) {
            throw reject("the token has no valid " + name + " claim (an integer number of seconds)");
        }
        return seconds;
    }

    private static void putIfPresent(StringBuilder json, String name, @Nullable String value) {
        if (value != null) {
            JsonStrings.quote(JsonStrings.member(json, false, name), value);
        }
    }
}
