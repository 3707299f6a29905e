package dev.embed.internal;

import dev.embed.apikey.ApiKeys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A token as the verified-token cache of {@link TokenService} keys it: the SHA-256 of its exact
 * text, held as four longs.
 *
 * <p>Why not the text itself: a cached token's text (about 470 bytes with its String) was two
 * thirds of what a live session costs the heap (issue 12's budget: 1 KiB per session), and it is a
 * bearer credential, which a heap dump would then hand to whoever reads it. The digest is 48 bytes
 * in all and lets nobody present the token. Two different texts share a key only if SHA-256
 * collides, so only the exact text that was verified finds an entry, as before. The cost is one
 * SHA-256 of the text per lookup (a few hundred nanoseconds with the CPU's SHA instructions), in
 * place of the text's copy and comparison.
 *
 * <p>The text is digested as UTF-8 ({@link ApiKeys#sha256}, the library's one SHA-256 of text).
 * Tokens are ASCII once verified; an incoming text with other characters has bytes of 0x80 and
 * above, which no verified token has, so it can never match one.
 */
final class TokenKey {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final long d0;
    private final long d1;
    private final long d2;
    private final long d3;

    TokenKey(String token) {
        byte[] digest = ApiKeys.sha256(token);
        this.d0 = (long) LONGS.get(digest, 0);
        this.d1 = (long) LONGS.get(digest, 8);
        this.d2 = (long) LONGS.get(digest, 16);
        this.d3 = (long) LONGS.get(digest, 24);
    }

    @Override
    public int hashCode() {
        // The digest's bits are uniformly spread already.
        return (int) d0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenKey that && that.d0 == d0 && that.d1 == d1 && that.d2 == d2 && that.d3 == d3;
    }

    @Override
    public String toString() {
        // Nothing of the credential, not even its digest.
        return "TokenKey[sha-256]";
    }
}
