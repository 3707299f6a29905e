package dev.embed.internal;

import java.util.Base64;
import java.util.Map;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.Headers;
import org.jose4j.lang.JoseException;
import org.jspecify.annotations.Nullable;

/**
 * The {@link JsonWebSignature} that {@link TokenService} verifies with: jose4j checks the
 * algorithm against the allow-list, validates the key, checks {@code crit} and the signature over
 * the token's exact header and payload text. Two decodings are done without jose4j's own codec
 * and parser, which were most of a verification:
 *
 * <ul>
 *   <li>a header that is exactly one this library's key ring mints ({@code {"alg","kid","typ"}} of
 *       one of its keys) takes its already-parsed {@link Headers} (shared, never modified) instead
 *       of being decoded and parsed again; any other header is decoded and parsed by jose4j;
 *   <li>the payload's base64url is decoded by the JDK.
 * </ul>
 *
 * The signing input is the token's own text either way, so what is verified does not change.
 */
final class VerifyingSignature extends JsonWebSignature {
    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

    private final Map<String, Headers> knownHeaders;
    private @Nullable String encodedHeader;
    private @Nullable String encodedPayload;

    /** @param knownHeaders parsed headers by their base64url text; read-only, shared between threads */
    VerifyingSignature(Map<String, Headers> knownHeaders) {
        this.knownHeaders = knownHeaders;
    }

    @Override
    protected void setEncodedHeader(String encoded) throws JoseException {
        Headers known = knownHeaders.get(encoded);
        if (known != null) {
            headers = known;
        } else {
            super.setEncodedHeader(encoded);
        }
        encodedHeader = encoded;
    }

    @Override
    protected String getEncodedHeader() {
        return encodedHeader != null ? encodedHeader : super.getEncodedHeader();
    }

    /** @throws IllegalArgumentException when the text is not base64url */
    @Override
    public void setEncodedPayload(String encoded) {
        setPayloadBytes(BASE64URL.decode(encoded));
        encodedPayload = encoded;
    }

    @Override
    public String getEncodedPayload() {
        return encodedPayload != null ? encodedPayload : super.getEncodedPayload();
    }
}
