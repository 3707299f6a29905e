package dev.embed.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A token's exact text as the verified-token cache of {@link TokenService} keys it: its bytes,
 * hashed on its last characters only.
 *
 * <p>Why not the String itself: each request brings the token as a new String (cut from its
 * header), whose {@code hashCode()} walks all of its ~450 characters one dependent step at a
 * time; that walk alone cost more than the rest of a cache hit. The last {@value #HASHED}
 * characters of a cached token are part of its signature, as random as a hash of it, and only
 * signed tokens are ever stored, so they spread the entries as well as the whole text would.
 * Equality still compares every byte ({@link Arrays#equals(byte[], byte[])}, vectorized), so only
 * the exact same text finds an entry. Stored, the key costs what the String would have (one small
 * object and one Latin-1 array).
 *
 * <p>Tokens are ASCII once verified; an incoming text with other characters is encoded with
 * {@code '?'} in their place, which no stored key contains, so it can never match.
 */
final class TokenKey {
    static final int HASHED = 16;

    private final byte[] text;
    private final int hash;

    TokenKey(String token) {
        this.text = token.getBytes(StandardCharsets.ISO_8859_1);
        int h = text.length;
        for (int i = Math.max(0, text.length - HASHED); i < text.length; i++) {
            h = 31 * h + text[i];
        }
        this.hash = h;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenKey that && that.hash == hash && Arrays.equals(that.text, text);
    }

    @Override
    public String toString() {
        // Never print the credential.
        return "TokenKey[" + text.length + " bytes]";
    }
}
