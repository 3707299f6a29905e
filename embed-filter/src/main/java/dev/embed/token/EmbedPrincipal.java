package dev.embed.token;

import java.security.Principal;

/**
 * The caller of an embed endpoint, as {@code HttpServletRequest.getUserPrincipal()} and the JAX-RS
 * {@code SecurityContext} show it: its name is the token's subject (the external user), and it
 * carries the verified claims.
 */
public record EmbedPrincipal(EmbedClaims claims) implements Principal {
    @Override
    public String getName() {
        return claims.subject();
    }
}
