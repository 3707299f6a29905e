package dev.embed.internal;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code fp} claim: HMAC-SHA256 of the tenant and the (lower-cased) fingerprint under a key
 * derived from the signing secret, base64url. Keyed, so a fingerprint cannot be recovered by
 * hashing candidates; per tenant, so two customers cannot correlate their visitors.
 */
final class FingerprintHasher {
    private static final String LABEL = "embed/visitor-fingerprint/v1";

    private final SecretKeySpec key;

    private FingerprintHasher(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /** A hasher whose key is derived from {@code secret} (HMAC of a fixed label), never the secret itself. */
    static FingerprintHasher derivedFrom(byte[] secret) {
        return new FingerprintHasher(hmac(new SecretKeySpec(secret, "HmacSHA256"), LABEL));
    }

    static FingerprintHasher withKey(byte[] key) {
        return new FingerprintHasher(key.clone());
    }

    /** The keyed hash of one visitor's fingerprint, for one tenant. */
    String hash(String tenant, String fingerprint) {
        byte[] mac = hmac(key, tenant + '\u0000' + fingerprint.toLowerCase(Locale.ROOT));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    private static byte[] hmac(SecretKeySpec key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }
}
