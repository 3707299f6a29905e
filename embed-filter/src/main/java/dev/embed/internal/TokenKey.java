package dev.embed.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

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
 * <p>Tokens are ASCII once verified; an incoming text with other characters is digested with
 * {@code '?'} in their place, which no verified token contains, so it can never match one.
 */
final class TokenKey {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * One digest per thread, reused: {@link MessageDigest#getInstance} looks the algorithm up in
     * the providers on every call, which costs more than the digest. Key and value are JDK classes,
     * so a container's thread keeps no reference to the application's class loader.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(TokenKey::newDigest);

    private final long d0;
    private final long d1;
    private final long d2;
    private final long d3;

    TokenKey(String token) {
        MessageDigest sha256 = SHA256.get();
        byte[] digest = sha256.digest(token.getBytes(StandardCharsets.ISO_8859_1));
        this.d0 = (long) LONGS.get(digest, 0);
        this.d1 = (long) LONGS.get(digest, 8);
        this.d2 = (long) LONGS.get(digest, 16);
        this.d3 = (long) LONGS.get(digest, 24);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must have SHA-256 (MessageDigest's specification).
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
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
