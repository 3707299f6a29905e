package dev.embed.internal;

import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import java.security.Key;
import java.util.HashMap;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwx.HeaderParameterNames;
import org.jose4j.jwx.Headers;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * The JWS compact serialization of embed tokens (RFC 7515 §3.1, §7.1) over a {@link KeyRing}:
 * signing claims with a key of the ring, and, for verification, everything up to the signed
 * payload: size, the three base64url parts in canonical form (RFC 4648 §3.5), an algorithm some key
 * of the ring uses ({@code none} never), the key its {@code kid} names and that key's own
 * algorithm, no nested JWT or unencoded payload, and the signature, checked before the payload's
 * JSON is parsed. What the claims say is {@link TokenClaims}'s. jose4j's messages never reach the
 * client. Immutable and thread-safe.
 */
final class CompactJws {
    private final KeyRing keys;
    /** The JWS algorithms of the ring's keys: nothing else (never {@code none}) is accepted. */
    private final AlgorithmConstraints algorithms;
    /** Parsed headers of the tokens the ring's keys mint, by their base64url text (read-only). */
    private final Map<String, Headers> knownHeaders;
    /** The base64url header of the tokens each signing key signs, by kid. */
    private final Map<String, String> encodedHeaders;

    CompactJws(KeyRing keys) {
        this.keys = keys;
        this.algorithms = new AlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT, keys.algorithms().toArray(new String[0]));
        Map<String, Headers> headers = new HashMap<>();
        Map<String, String> encoded = new HashMap<>();
        for (VerificationKey key : keys.all()) {
            Headers parsed = MintingSignature.headers(key);
            headers.put(parsed.getEncodedHeader(), parsed);
            if (key.signingKey() != null) {
                encoded.put(key.kid(), parsed.getEncodedHeader());
            }
        }
        this.knownHeaders = Map.copyOf(headers);
        this.encodedHeaders = Map.copyOf(encoded);
    }

    /** Signs claims (JSON text) with {@code signer}, a signing key of the ring. */
    String sign(VerificationKey signer, String claimsJson) {
        String encodedHeader = encodedHeaders.get(signer.kid());
        if (encodedHeader == null) {
            throw new IllegalArgumentException("not a signing key of the ring: " + signer.kid());
        }
        try {
            return new MintingSignature(signer, encodedHeader, claimsJson).serialize();
        } catch (JoseException e) {
            throw new IllegalStateException("embed: signing failed with the configured key " + signer.kid(), e);
        }
    }

    /**
     * The signed claims of a token, once its form, algorithm, key and signature are checked.
     *
     * @throws EmbedException 401 {@code invalid_token} with a description safe to show a client
     */
    JwtClaims verify(String token) {
        if (token == null || token.isEmpty()) {
            throw reject("no token");
        }
        if (token.length() > TokenService.MAX_TOKEN_LENGTH) {
            throw reject("the token is longer than " + TokenService.MAX_TOKEN_LENGTH + " characters");
        }
        int dots = 0;
        int segmentStart = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
                requireCanonical(token, segmentStart, i);
                segmentStart = i + 1;
            } else if (!isBase64Url(c)) {
                throw reject(
                        "the token is malformed: a JWS compact serialization has only base64url characters and dots");
            }
        }
        if (dots != 2) {
            throw reject("the token is malformed: expected a signed JWT (three dot-separated parts)");
        }
        requireCanonical(token, segmentStart, token.length());
        // jose4j's JWS, as its JwtConsumer would use it for a signed JWT, but for nested JWTs and
        // unencoded payloads (never minted here), and with the signature checked before the
        // payload's JSON is parsed.
        try {
            VerifyingSignature jws = new VerifyingSignature(knownHeaders);
            jws.setCompactSerialization(token);
            if (jws.getHeaders().getObjectHeaderValue(HeaderParameterNames.BASE64URL_ENCODE_PAYLOAD) != null
                    || jws.getContentTypeHeaderValue() != null) {
                throw reject("the token is malformed: it is not a plain signed JWT");
            }
            jws.setAlgorithmConstraints(algorithms);
            jws.setKey(resolve(jws));
            if (!jws.verifySignature()) {
                throw reject("the token's signature is not valid");
            }
            return JwtClaims.parse(jws.getPayload());
        } catch (EmbedException e) {
            throw e;
        } catch (UnresolvableKeyException e) {
            throw reject("the token's key id (kid) is unknown or used with the wrong algorithm");
        } catch (InvalidAlgorithmException e) {
            throw reject("the token's algorithm (alg) is not accepted");
        } catch (JoseException | InvalidJwtException | RuntimeException e) {
            // jose4j's own messages may quote the token: never passed on.
            throw reject("the token is malformed");
        }
    }

    private Key resolve(JsonWebSignature jws) throws UnresolvableKeyException {
        VerificationKey key = keys.find(jws.getKeyIdHeaderValue());
        if (key == null) {
            throw new UnresolvableKeyException("unknown kid");
        }
        if (!key.algorithm().equals(jws.getAlgorithmHeaderValue())) {
            throw new UnresolvableKeyException("kid used with another algorithm");
        }
        return key.verificationKey();
    }

    /**
     * Refuses a segment whose last character carries bits beyond its last byte (RFC 4648 §3.5):
     * a lenient decoder maps up to 16 texts to the same bytes, so without this one signed token
     * would have many accepted spellings, each a separate entry of the verified-token cache. What
     * this library (and any RFC 7515 encoder) mints is canonical.
     */
    private static void requireCanonical(String token, int start, int end) {
        int rest = (end - start) % 4;
        if (rest == 0) {
            return;
        }
        int last = base64UrlValue(token.charAt(end - 1));
        if (rest == 1 || (rest == 2 && (last & 0x0F) != 0) || (rest == 3 && (last & 0x03) != 0)) {
            throw reject("the token is malformed: a part is not canonical base64url");
        }
    }

    private static int base64UrlValue(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : 63;
    }

    /** Base64url characters by code: a table lookup does not mispredict on a token's random characters. */
    private static final boolean[] BASE64URL = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            BASE64URL[c] =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        }
    }

    private static boolean isBase64Url(char c) {
        return c < 128 && BASE64URL[c];
    }

    static EmbedException reject(String description) {
        return EmbedError.invalidToken(description).toException();
    }
}
