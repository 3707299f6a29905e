package dev.embed.internal;

import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwx.HeaderParameterNames;
import org.jose4j.jwx.Headers;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;
import org.jspecify.annotations.Nullable;

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
    /** The HS256 signers among them, by kid. */
    private final Map<String, Hs256> hs256;

    CompactJws(KeyRing keys) {
        this.keys = keys;
        this.algorithms = new AlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT, keys.algorithms().toArray(new String[0]));
        Map<String, Headers> headers = new HashMap<>();
        Map<String, String> encoded = new HashMap<>();
        Map<String, Hs256> hmacs = new HashMap<>();
        for (VerificationKey key : keys.all()) {
            Headers parsed = MintingSignature.headers(key);
            headers.put(parsed.getEncodedHeader(), parsed);
            Key signingKey = key.signingKey();
            if (signingKey != null) {
                encoded.put(key.kid(), parsed.getEncodedHeader());
                Hs256 signer = Hs256.of(key.algorithm(), signingKey, parsed.getEncodedHeader());
                if (signer != null) {
                    hmacs.put(key.kid(), signer);
                }
            }
        }
        this.knownHeaders = Map.copyOf(headers);
        this.encodedHeaders = Map.copyOf(encoded);
        this.hs256 = Map.copyOf(hmacs);
    }

    /** Signs claims (JSON text) with {@code signer}, a signing key of the ring. */
    String sign(VerificationKey signer, String claimsJson) {
        String encodedHeader = encodedHeaders.get(signer.kid());
        if (encodedHeader == null) {
            throw new IllegalArgumentException("not a signing key of the ring: " + signer.kid());
        }
        Hs256 hmac = hs256.get(signer.kid());
        if (hmac != null) {
            return hmac.sign(claimsJson);
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

    /**
     * An HS256 signing key's compact serialization (RFC 7515 §7.1) written into one array: the
     * header's base64url text (the same for every token of the key), the claims' base64url, and the
     * HMAC-SHA256 of both (RFC 7518 §3.2), base64url (the JDK's encoder); the very bytes jose4j's {@link
     * JsonWebSignature} makes for the same header and claims ({@code TokenServiceTest} compares
     * whole tokens), without its per-token objects, JSON and a new {@link Mac} looked up and keyed
     * for every signature (issue 12). The key's {@link Mac}, keyed once, is only ever cloned
     * (read-only, so shared by every thread): each signature runs on its own clone.
     */
    private static final class Hs256 {
        private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
        /** Base64url characters of an HMAC-SHA256 (32 bytes), without padding. */
        private static final int SIGNATURE_CHARS = 43;

        /** The header's base64url text and the dot after it, ASCII. */
        private final byte[] head;

        private final Mac keyed;

        private Hs256(byte[] head, Mac keyed) {
            this.head = head;
            this.keyed = keyed;
        }

        /** The signer of an HS256 key, or null for other algorithms or a provider whose Mac cannot be cloned. */
        static @Nullable Hs256 of(String algorithm, Key key, String encodedHeader) {
            if (!AlgorithmIdentifiers.HMAC_SHA256.equals(algorithm)) {
                return null;
            }
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                Object probe = mac.clone(); // a provider whose Mac cannot be cloned: jose4j signs
                return probe instanceof Mac
                        ? new Hs256((encodedHeader + ".").getBytes(StandardCharsets.US_ASCII), mac)
                        : null;
            } catch (GeneralSecurityException | CloneNotSupportedException e) {
                return null;
            }
        }

        String sign(String claimsJson) {
            byte[] payload = ENCODER.encode(claimsJson.getBytes(StandardCharsets.UTF_8));
            int signingInput = head.length + payload.length;
            byte[] token = new byte[signingInput + 1 + SIGNATURE_CHARS];
            System.arraycopy(head, 0, token, 0, head.length);
            System.arraycopy(payload, 0, token, head.length, payload.length);
            token[signingInput] = '.';
            Mac mac;
            try {
                mac = (Mac) keyed.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the HS256 Mac could be cloned when it was made", e);
            }
            mac.update(token, 0, signingInput);
            byte[] signature = ENCODER.encode(mac.doFinal());
            System.arraycopy(signature, 0, token, signingInput + 1, SIGNATURE_CHARS);
            return new String(token, StandardCharsets.ISO_8859_1);
        }
    }

    static EmbedException reject(String description) {
        return EmbedError.invalidToken(description).toException();
    }
}
