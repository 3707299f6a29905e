package dev.embed.internal;

import java.security.Key;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jspecify.annotations.Nullable;

/**
 * One key of the {@link KeyRing}: its {@code kid}, the one JWS algorithm it may be used with,
 * the key that verifies, the key that signs (null for verify-only keys) and, for asymmetric keys,
 * the JWK whose public half the JWKS document shows.
 */
record VerificationKey(
        String kid,
        String algorithm,
        Key verificationKey,
        @Nullable Key signingKey,
        @Nullable PublicJsonWebKey jwk) {}
