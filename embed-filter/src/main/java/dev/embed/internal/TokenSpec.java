package dev.embed.internal;

import dev.embed.token.TokenKind;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What to put in a new token: everything but {@code iss}, {@code aud}, {@code iat}, {@code nbf},
 * {@code exp} and {@code jti}, which {@link TokenService} sets.
 */
record TokenSpec(
        TokenKind kind,
        String subject,
        String sessionId,
        long ttlSeconds,
        @Nullable String spaceId,
        @Nullable String agentId,
        @Nullable String mode,
        @Nullable String displayName,
        List<String> sources,
        @Nullable String fingerprintHash) {

    public TokenSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(sessionId, "sessionId");
        if (ttlSeconds <= 0 || ttlSeconds > kind.maxLifetimeSeconds()) {
            throw new IllegalArgumentException(
                    "ttlSeconds must be in 1.." + kind.maxLifetimeSeconds() + " for " + kind + ": " + ttlSeconds);
        }
        sources = sources == null ? List.of() : List.copyOf(sources);
    }
}
