package dev.embed.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.Headers;
import org.jose4j.lang.JoseException;

/**
 * The {@link JsonWebSignature} that {@link TokenService#mint} signs with: jose4j checks the key
 * against the algorithm, builds the signing input, signs and serializes, but the three base64url
 * encodings come from the JDK's encoder (jose4j's own codec was about half the time of a mint),
 * and the header, the same for every token of one signing key, is encoded once per key.
 *
 * <p>Each override returns exactly what jose4j would compute (RFC 7515 base64url without padding
 * of the same bytes; {@code TokenServiceTest} compares whole tokens byte for byte), so a jose4j
 * version that stopped calling them would change nothing but the speed.
 */
final class MintingSignature extends JsonWebSignature {
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final String encodedHeader;
    private final String encodedPayload;

    /**
     * @param encodedHeader the base64url text of {@link #headers(VerificationKey)} of the signing key
     * @param payload the claims, JSON text
     */
    MintingSignature(VerificationKey signer, String encodedHeader, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        this.encodedHeader = encodedHeader;
        this.encodedPayload = BASE64URL.encodeToString(bytes);
        setHeaders(this, signer);
        setPayloadBytes(bytes);
        setKey(signer.signingKey());
    }

    /**
     * The header every token of this key carries, {@code {"alg","kid","typ":"JWT"}}, as jose4j
     * builds it; its base64url text is already computed, and it is never modified again (so it can
     * be shared between threads, read-only).
     */
    static Headers headers(VerificationKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        setHeaders(jws, key);
        Headers headers = jws.getHeaders();
        headers.getEncodedHeader();
        return headers;
    }

    private static void setHeaders(JsonWebSignature jws, VerificationKey signer) {
        jws.setAlgorithmHeaderValue(signer.algorithm());
        jws.setKeyIdHeaderValue(signer.kid());
        jws.setHeader("typ", "JWT");
    }

    @Override
    protected String getEncodedHeader() {
        return encodedHeader;
    }

    @Override
    public String getEncodedPayload() {
        return encodedPayload;
    }

    @Override
    public String getEncodedSignature() {
        return BASE64URL.encodeToString(getSignature());
    }

    /** Signs and returns the compact serialization. */
    String serialize() throws JoseException {
        return getCompactSerialization();
    }
}
