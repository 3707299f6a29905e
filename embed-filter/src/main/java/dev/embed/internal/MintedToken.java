package dev.embed.internal;

import dev.embed.token.EmbedClaims;

/** A freshly signed token (JWS compact serialization) and the claims it carries. */
record MintedToken(String token, EmbedClaims claims) {
    @Override
    public String toString() {
        // Never print the credential itself.
        return "MintedToken[sid=" + claims.sessionId() + ", jti=" + claims.tokenId() + "]";
    }
}
