package dev.embed.demo.containers;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The two secrets a container's demo runs with, fresh for each test class: the demo API key
 * ({@code EMBED_DEMO_API_KEY}) and the HS256 signing secret ({@code EMBED_SIGNING_SECRET}). The
 * suite itself only ever uses the key; neither is printed: {@link #redact(String)} removes them,
 * and anything shaped like an API key or a JWT, from text that may end up in a log or a report.
 */
record DemoSecrets(String apiKey, String signingSecret) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern API_KEY = Pattern.compile("sk_[A-Za-z0-9_-]{8,}");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    @Override
    public String toString() {
        return "DemoSecrets[(redacted)]";
    }

    static DemoSecrets generate() {
        return new DemoSecrets(
                "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32)),
                Base64.getEncoder().encodeToString(bytes(32)));
    }

    /** The text without these secrets, API keys or JWTs. */
    String redact(String text) {
        return redactCredentials(text.replace(apiKey, "(redacted)").replace(signingSecret, "(redacted)"));
    }

    /** The text with anything shaped like an API key or a JWT replaced. */
    static String redactCredentials(String text) {
        if (text == null) {
            return null;
        }
        return JWT.matcher(API_KEY.matcher(text).replaceAll("sk_(redacted)")).replaceAll("(jwt redacted)");
    }

    private static byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
