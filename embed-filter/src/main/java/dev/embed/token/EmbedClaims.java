package dev.embed.token;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The verified claims of an embed token (DESIGN §2), as the library hands them to the host (the
 * {@link EmbedPrincipal} of an embed request): the library builds them only from a token it signed
 * or verified, so holding one from it means the token was good when it was checked.
 *
 * @param subject {@code sub}: the external user id (flow A/B), uid (D) or visitor (C)
 * @param sessionId {@code sid}
 * @param tokenId {@code jti}
 * @param kind {@code kty}
 * @param issuedAt {@code iat}, epoch seconds
 * @param notBefore {@code nbf}, epoch seconds
 * @param expiresAt {@code exp}, epoch seconds
 * @param spaceId {@code spc}, or null
 * @param agentId {@code agt}, or null
 * @param mode {@code mode}, or null
 * @param displayName {@code name}, or null
 * @param sources {@code src} (flow D), empty otherwise
 * @param fingerprintHash {@code fp} (flow C): a keyed hash, never the raw fingerprint; or null
 */
public record EmbedClaims(
        String subject,
        String sessionId,
        String tokenId,
        TokenKind kind,
        long issuedAt,
        long notBefore,
        long expiresAt,
        @Nullable String spaceId,
        @Nullable String agentId,
        @Nullable String mode,
        @Nullable String displayName,
        List<String> sources,
        @Nullable String fingerprintHash) {

    public EmbedClaims {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    public Instant expiresAtInstant() {
        return Instant.ofEpochSecond(expiresAt);
    }
}
