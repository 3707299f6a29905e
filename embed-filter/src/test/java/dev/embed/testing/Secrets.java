package dev.embed.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every secret the tests of one JVM have used or been given: the fixed keys and signing secrets of
 * {@link TestKeys}, and each API key, embed token, cache key and raw device fingerprint that went
 * through {@link Http} (requests and answers alike) or that a test {@linkplain #add added}. {@link
 * LogCapture} checks the library's log against it, and {@link Http} checks every error answer.
 *
 * <p>Besides the exact values it knows, {@link #find} recognises the shapes no log or error may
 * ever show: a JWS compact serialization ({@code eyJ...} header) and an API key ({@code sk_}
 * followed by key characters). Thread-safe.
 */
public final class Secrets {
    /** A JOSE compact serialization: its header is base64url JSON, so it starts with {@code eyJ}. */
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*\\.?[A-Za-z0-9_-]*");

    private static final Pattern API_KEY = Pattern.compile("sk_[A-Za-z0-9_-]{16,}");
    /** Values shorter than this are not secrets worth a search (and would match by chance). */
    private static final int MIN_LENGTH = 8;

    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    static {
        add(TestKeys.SECRET);
        add(TestKeys.OTHER_SECRET);
        add(new String(Base64.getDecoder().decode(TestKeys.SECRET), StandardCharsets.ISO_8859_1));
        add(new String(Base64.getDecoder().decode(TestKeys.OTHER_SECRET), StandardCharsets.ISO_8859_1));
        add(TestKeys.ACME_KEY);
        add(TestKeys.GLOBEX_KEY);
    }

    private Secrets() {}

    /** Remembers a secret value (an API key, token, signing secret, private key part, fingerprint). */
    public static void add(String secret) {
        if (secret != null && secret.length() >= MIN_LENGTH) {
            KNOWN.add(secret);
        }
    }

    /** How many secrets are known (tests of this class use it to prove the registry is fed). */
    public static int size() {
        return KNOWN.size();
    }

    /** Whether this exact value is known. */
    public static boolean isKnown(String value) {
        return KNOWN.contains(value);
    }

    /**
     * What in {@code text} is a secret: known values and the shapes of tokens and API keys. The
     * findings are described, never quoted, so that a failing test does not print the secret
     * either.
     */
    public static List<String> find(String text) {
        List<String> found = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return found;
        }
        for (String secret : KNOWN) {
            if (text.contains(secret)) {
                found.add("a known secret of " + secret.length() + " characters starting " + preview(secret));
            }
        }
        Matcher jwt = JWT.matcher(text);
        while (jwt.find()) {
            found.add("a JWT-shaped value of " + jwt.group().length() + " characters at offset " + jwt.start());
        }
        Matcher key = API_KEY.matcher(text);
        while (key.find()) {
            found.add("an API-key-shaped value of " + key.group().length() + " characters at offset " + key.start());
        }
        return found;
    }

    /** Four characters of a secret: enough to tell which one, too few to use it. */
    static String preview(String secret) {
        return "'" + secret.substring(0, Math.min(4, secret.length())) + "…'";
    }
}
