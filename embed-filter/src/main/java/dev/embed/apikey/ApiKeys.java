package dev.embed.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Making and hashing API keys. Keys look like {@code sk_} followed by 43 base64url characters. */
public final class ApiKeys {
    public static final String PREFIX = "sk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One digest per thread, reused ({@link MessageDigest#digest} resets it): {@link
     * MessageDigest#getInstance} looks the algorithm up in the providers on every call, which costs
     * more than digesting a token. With the JDK's own providers key and value are JDK classes, so
     * a container's thread keeps no reference to the application's class loader.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });

    private ApiKeys() {}

    /** A new key: {@code sk_} + 256 random bits, base64url. Show it once; store only its digest. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * SHA-256 of a text's UTF-8 bytes: of an API key, and the library's one SHA-256 of text (the
     * verified-token cache's keys, flow D cache keys, rate-limit keys).
     */
    public static byte[] sha256(String key) {
        return SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** Whether the text has the shape of one of our keys (it may still be unknown). */
    public static boolean looksLikeKey(String text) {
        if (text == null || !text.startsWith(PREFIX) || text.length() < 20 || text.length() > 200) {
            return false;
        }
        for (int i = PREFIX.length(); i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
