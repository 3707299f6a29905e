package dev.embed.token;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Which flow minted a token (the {@code kty} claim), and the longest lifetime that flow allows. */
public enum TokenKind {
    /** Flow A: an iframe URL with the token in the fragment. */
    EMBED_URL("url", 86_400),
    /** Flow B: a native token for the client's own UI. */
    EMBED_SESSION("session", 86_400),
    /** Flow C: a per-device visitor token, exactly one hour. */
    VISITOR("visitor", 3_600),
    /** Flow D: a cached iframe link. */
    IFRAME("iframe", 3_600);

    private final String claim;
    private final long maxLifetimeSeconds;

    TokenKind(String claim, long maxLifetimeSeconds) {
        this.claim = claim;
        this.maxLifetimeSeconds = maxLifetimeSeconds;
    }

    public String claim() {
        return claim;
    }

    public long maxLifetimeSeconds() {
        return maxLifetimeSeconds;
    }

    public static Optional<TokenKind> fromClaim(@Nullable Object value) {
        for (TokenKind kind : values()) {
            if (kind.claim.equals(value)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
