package dev.embed.testing;

import dev.embed.apikey.ApiKeys;
import java.util.Base64;

/** Fixed secrets and keys for tests: never used outside them. */
public final class TestKeys {
    private TestKeys() {}

    /** A 32-byte HS256 secret, base64. */
    public static final String SECRET = Base64.getEncoder()
            .encodeToString("test-secret-0123456789abcdefghij".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    /** Another one, for rotation tests. */
    public static final String OTHER_SECRET = Base64.getEncoder()
            .encodeToString("another-secret-0123456789abcdefg".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    /** The API key of tenant {@code acme}, allowed {@code demo/*}, sources docs and faq. */
    public static final String ACME_KEY = "sk_acmeTestKey_0123456789abcdefghijklmnopqrstu";

    /** The API key of tenant {@code globex}, allowed {@code other/*} only. */
    public static final String GLOBEX_KEY = "sk_globexTestKey_0123456789abcdefghijklmnopqr";

    public static String acmeLine() {
        return "sha256:" + ApiKeys.sha256Hex(ACME_KEY)
                + ";tenant=acme;agents=demo/*;sources=docs,faq;origins=https://shop.example";
    }

    public static String globexLine() {
        return "sha256:" + ApiKeys.sha256Hex(GLOBEX_KEY) + ";tenant=globex;agents=other/*";
    }
}
