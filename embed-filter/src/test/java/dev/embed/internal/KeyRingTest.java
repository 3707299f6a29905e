package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.embed.config.EmbedConfig;
import dev.embed.testing.TestKeys;
import dev.embed.token.TokenKind;
import java.util.Base64;
import java.util.Map;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.keys.EllipticCurves;
import org.junit.jupiter.api.Test;

/** The ring chooses the key that signs each kind of token: flow C's visitor tokens are always HS256. */
class KeyRingTest {
    private static String es256Jwks() throws Exception {
        EllipticCurveJsonWebKey jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        jwk.setKeyId("ec-1");
        return "{\"keys\": [" + jwk.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE) + "]}";
    }

    @Test
    void signerForWhenHs256RingThenItsSignerSignsEveryKind() {
        KeyRing ring = KeyRing.fromConfig(EmbedConfig.of(Map.of("embed.signing.secret", TestKeys.SECRET)));

        for (TokenKind kind : TokenKind.values()) {
            assertSame(ring.signer(), ring.signerFor(kind), kind.toString());
        }
    }

    @Test
    void signerForWhenEs256RingWithASecretThenVisitorTokensAreSignedWithTheSecretAndVerified() throws Exception {
        KeyRing ring = KeyRing.fromConfig(EmbedConfig.of(Map.of(
                "embed.signing.algorithm",
                "ES256",
                "embed.signing.jwks",
                es256Jwks(),
                "embed.signing.secret",
                TestKeys.SECRET)));

        VerificationKey visitor = ring.signerFor(TokenKind.VISITOR);
        assertNotNull(visitor);
        assertEquals("HS256", visitor.algorithm());
        assertNotNull(visitor.signingKey());
        assertEquals(KeyRing.hmacKid(Base64.getDecoder().decode(TestKeys.SECRET)), visitor.kid());
        assertSame(visitor, ring.find(visitor.kid()), "the ring verifies what it signs");
        assertEquals("ES256", ring.signerFor(TokenKind.EMBED_SESSION).algorithm());
        assertEquals("ES256", ring.signerFor(TokenKind.EMBED_URL).algorithm());
    }

    @Test
    void signerForWhenEs256RingWithoutASecretThenNoVisitorSigner() throws Exception {
        KeyRing ring = KeyRing.fromConfig(
                EmbedConfig.of(Map.of("embed.signing.algorithm", "ES256", "embed.signing.jwks", es256Jwks())));

        assertNull(ring.signerFor(TokenKind.VISITOR));
        assertNull(ring.visitorSigner());
        assertEquals("ES256", ring.signerFor(TokenKind.EMBED_SESSION).algorithm());
    }
}
