package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.EmbedConfig;
import dev.embed.testing.TestKeys;
import dev.embed.token.TokenKind;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
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

    /**
     * Issue 13 finding 7: the JWKS document publishes only the public members of each key type,
     * whatever else the configured private JWK holds.
     */
    @Test
    void jwksWhenPrivateJwksCarryExtraMembersThenOnlyPublicMembersArePublished() throws Exception {
        Map<String, Object> ec =
                new LinkedHashMap<>(withExtras(EcJwkGenerator.generateJwk(EllipticCurves.P256), "ec-1"));
        Map<String, Object> rsa = new LinkedHashMap<>(withExtras(RsaJwkGenerator.generateJwk(2048), "rsa-1"));
        rsa.put("oth", List.of(Map.of("r", "b3RoLXI", "d", "b3RoLWQtcHJpdmF0ZQ", "t", "b3RoLXQ")));
        String jwks = JsonUtil.toJson(Map.of("keys", List.of(ec, rsa)));
        KeyRing ring = KeyRing.fromConfig(EmbedConfig.of(
                Map.of("embed.signing.algorithm", "ES256", "embed.signing.jwks", jwks, "embed.signing.kid", "ec-1")));

        String published = JsonUtil.toJson(ring.jwks());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> keys = (List<Map<String, Object>>) ring.jwks().get("keys");

        assertEquals(2, keys.size(), published);
        for (Map<String, Object> key : keys) {
            Set<String> allowed = "EC".equals(key.get("kty"))
                    ? Set.of("kty", "crv", "x", "y", "kid", "alg", "use", "key_ops")
                    : Set.of("kty", "n", "e", "kid", "alg", "use", "key_ops");
            assertTrue(allowed.containsAll(key.keySet()), "published " + key.keySet());
        }
        for (String secret : List.of(
                "note_private_backup",
                "backup-of-d",
                "\"k\"",
                "c2VjcmV0LWs",
                "oth",
                "b3RoLWQtcHJpdmF0ZQ",
                "\"d\"",
                "\"p\"",
                "\"q\"",
                "\"dp\"",
                "\"dq\"",
                "\"qi\"",
                (String) ec.get("d"),
                (String) rsa.get("d"))) {
            assertFalse(published.contains(secret), secret + " published: " + published);
        }
        Map<String, Map<String, Object>> byKid = new LinkedHashMap<>();
        keys.forEach(key -> byKid.put((String) key.get("kid"), key));
        assertEquals(ec.get("x"), byKid.get("ec-1").get("x"));
        assertEquals(ec.get("y"), byKid.get("ec-1").get("y"));
        assertEquals(rsa.get("n"), byKid.get("rsa-1").get("n"));
        assertEquals(rsa.get("e"), byKid.get("rsa-1").get("e"));
    }

    /** A private JWK's members, with a custom member and an octet key's {@code k}. */
    private static Map<String, Object> withExtras(PublicJsonWebKey jwk, String kid) {
        jwk.setKeyId(kid);
        Map<String, Object> members = new LinkedHashMap<>(jwk.toParams(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
        members.put("note_private_backup", "backup-of-d");
        members.put("k", "c2VjcmV0LWs");
        return members;
    }
}
