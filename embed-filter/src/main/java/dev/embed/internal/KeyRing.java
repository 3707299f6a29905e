package dev.embed.internal;

import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;
import org.jspecify.annotations.Nullable;

/**
 * The keys of the token service: one signs, every one verifies (rotation without downtime), and the
 * ring chooses which key signs a token of each kind: flow C's visitor tokens are always HS256
 * (DESIGN §3.2), signed with {@code embed.signing.secret} even where the other tokens are ES256 or
 * RS256. Each key is bound to one algorithm, so a token can never choose how it is checked (no
 * algorithm confusion).
 */
final class KeyRing {
    static final int MIN_SECRET_BYTES = 32;
    private static final System.Logger LOG = System.getLogger("dev.embed.token");

    private final VerificationKey signer;
    private final @Nullable VerificationKey visitorSigner;
    private final Map<String, VerificationKey> byKid;

    private KeyRing(VerificationKey signer, @Nullable VerificationKey visitorSigner, List<VerificationKey> keys) {
        this.signer = signer;
        this.visitorSigner = visitorSigner;
        Map<String, VerificationKey> map = new LinkedHashMap<>();
        for (VerificationKey key : keys) {
            if (map.putIfAbsent(key.kid(), key) != null) {
                throw new ConfigException(
                        "embed: two signing keys share the kid '" + key.kid()
                                + "'; every key needs its own kid (check embed.signing.previousSecrets and embed.signing.jwks)");
            }
        }
        this.byKid = Map.copyOf(map);
    }

    /** A ring that signs with this HS256 secret and also verifies the earlier ones. */
    public static KeyRing hs256(byte[] secret, List<byte[]> previousSecrets) {
        VerificationKey signer = hmacKey(secret, true);
        List<VerificationKey> keys = new ArrayList<>();
        keys.add(signer);
        for (byte[] previous : previousSecrets) {
            keys.add(hmacKey(previous, false));
        }
        return new KeyRing(signer, signer, keys);
    }

    /**
     * A ring that signs with the asymmetric key {@code signingKid} of the set (ES256 for P-256 EC
     * keys, RS256 for RSA keys of at least 2048 bits); all keys of the set, and any HS256 secrets
     * given, verify.
     */
    public static KeyRing asymmetric(JsonWebKeySet set, @Nullable String signingKid, List<byte[]> hmacSecrets) {
        return asymmetric(set, signingKid, hmacSecrets, null);
    }

    /**
     * As {@link #asymmetric(JsonWebKeySet, String, List)}, where {@code visitorSecret} (when not
     * null) signs the HS256 visitor tokens of flow C and verifies them.
     */
    static KeyRing asymmetric(
            JsonWebKeySet set, @Nullable String signingKid, List<byte[]> hmacSecrets, byte @Nullable [] visitorSecret) {
        List<VerificationKey> keys = new ArrayList<>();
        VerificationKey signer = null;
        for (JsonWebKey jwk : set.getJsonWebKeys()) {
            VerificationKey key = asymmetricKey(jwk);
            keys.add(key);
            if (signer == null && (signingKid == null || signingKid.isBlank() || signingKid.equals(key.kid()))) {
                signer = key;
            }
        }
        if (signer == null) {
            throw new ConfigException("embed: " + ConfigKey.SIGNING_KID.key() + " names a kid that "
                    + ConfigKey.SIGNING_JWKS.key() + " does not contain: '" + signingKid + "'");
        }
        if (signer.signingKey() == null) {
            throw new ConfigException("embed: the signing JWK '" + signer.kid() + "' in " + ConfigKey.SIGNING_JWKS.key()
                    + " has no private part (d); the signing key must be a private JWK");
        }
        for (byte[] secret : hmacSecrets) {
            keys.add(hmacKey(secret, false));
        }
        VerificationKey visitorSigner = visitorSecret == null ? null : hmacKey(visitorSecret, true);
        if (visitorSigner != null) {
            keys.add(visitorSigner);
        }
        return new KeyRing(signer, visitorSigner, keys);
    }

    /** Builds the ring the configuration describes, failing start-up with a message naming the key. */
    public static KeyRing fromConfig(EmbedConfig config) {
        String algorithm = Objects.requireNonNull(config.get(ConfigKey.SIGNING_ALGORITHM))
                .strip()
                .toUpperCase(java.util.Locale.ROOT);
        List<byte[]> previous = new ArrayList<>();
        for (String text : config.getList(ConfigKey.SIGNING_PREVIOUS_SECRETS)) {
            previous.add(decodeSecret(text, ConfigKey.SIGNING_PREVIOUS_SECRETS));
        }
        switch (algorithm) {
            case AlgorithmIdentifiers.HMAC_SHA256 -> {
                byte[] secret;
                if (config.isSet(ConfigKey.SIGNING_SECRET)) {
                    secret = decodeSecret(
                            Objects.requireNonNull(config.get(ConfigKey.SIGNING_SECRET)), ConfigKey.SIGNING_SECRET);
                } else if (config.getBoolean(ConfigKey.DEV_MODE)) {
                    secret = new byte[MIN_SECRET_BYTES];
                    new SecureRandom().nextBytes(secret);
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "embed: " + ConfigKey.DEV_MODE.key() + "=true and no "
                                    + ConfigKey.SIGNING_SECRET.key()
                                    + " is set: generated an ephemeral HS256 signing secret."
                                    + " Tokens will not survive a restart. Never run production like this.");
                } else {
                    throw new ConfigException("embed: no signing secret. Set " + ConfigKey.SIGNING_SECRET.key()
                            + " (context-param, system property or env " + ConfigKey.SIGNING_SECRET.env()
                            + ") to base64 text of at least " + MIN_SECRET_BYTES + " random bytes, e.g. the output of"
                            + " `openssl rand -base64 32`. Only " + ConfigKey.DEV_MODE.key()
                            + "=true may run without one.");
                }
                return hs256(secret, previous);
            }
            case AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.RSA_USING_SHA256 -> {
                if (!config.isSet(ConfigKey.SIGNING_JWKS)) {
                    throw new ConfigException("embed: " + ConfigKey.SIGNING_ALGORITHM.key() + "=" + algorithm
                            + " needs " + ConfigKey.SIGNING_JWKS.key() + " (env " + ConfigKey.SIGNING_JWKS.env()
                            + "): a JWK Set with the private key, as JSON text or file:/path");
                }
                JsonWebKeySet set = readJwks(Objects.requireNonNull(config.get(ConfigKey.SIGNING_JWKS)));
                byte[] visitorSecret = config.isSet(ConfigKey.SIGNING_SECRET)
                        ? decodeSecret(
                                Objects.requireNonNull(config.get(ConfigKey.SIGNING_SECRET)), ConfigKey.SIGNING_SECRET)
                        : null;
                KeyRing ring = asymmetric(
                        set, Objects.requireNonNull(config.get(ConfigKey.SIGNING_KID)), previous, visitorSecret);
                if (!ring.signer.algorithm().equals(algorithm)) {
                    throw new ConfigException(
                            "embed: " + ConfigKey.SIGNING_ALGORITHM.key() + "=" + algorithm + " but the signing JWK '"
                                    + ring.signer.kid() + "' is a " + ring.signer.algorithm() + " key");
                }
                return ring;
            }
            default -> throw config.invalid(ConfigKey.SIGNING_ALGORITHM, "must be HS256, ES256 or RS256");
        }
    }

    /** The key that signs every token but flow C's. */
    VerificationKey signer() {
        return signer;
    }

    /**
     * The key that signs flow C's visitor tokens, which are HS256 (DESIGN §3.2): the signer of an
     * HS256 ring; in an ES256/RS256 ring, {@code embed.signing.secret}, or null without one.
     */
    @Nullable
    VerificationKey visitorSigner() {
        return visitorSigner;
    }

    /** The key that signs a token of {@code kind}, or null when the ring has none for it. */
    @Nullable
    VerificationKey signerFor(dev.embed.token.TokenKind kind) {
        return kind == dev.embed.token.TokenKind.VISITOR ? visitorSigner : signer;
    }

    @Nullable
    VerificationKey find(@Nullable String kid) {
        return kid == null ? null : byKid.get(kid);
    }

    /** Every key of the ring, the signer included. */
    java.util.Collection<VerificationKey> all() {
        return byKid.values();
    }

    /** The JWS algorithms some key of the ring verifies: the allow-list. */
    Set<String> algorithms() {
        Set<String> algorithms = new TreeSet<>();
        byKid.values().forEach(k -> algorithms.add(k.algorithm()));
        return algorithms;
    }

    /** The kid of the signing key. */
    public String signingKid() {
        return signer.kid();
    }

    /**
     * The members a published JWK may have, by key type (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2), and
     * of any type: nothing else of the configured JWK is ever published (issue 13 finding 7:
     * jose4j's public view keeps every member it does not know, such as {@code k}, RSA's {@code
     * oth} with its {@code d}, or a custom {@code note_private_backup}).
     */
    private static final Map<String, Set<String>> PUBLIC_MEMBERS = Map.of(
            "EC", Set.of("kty", "crv", "x", "y"),
            "RSA", Set.of("kty", "n", "e"),
            "OKP", Set.of("kty", "crv", "x"));

    private static final Set<String> ANY_TYPE_MEMBERS = Set.of("kid", "alg", "use", "key_ops");

    /** The public members of a JWK, in the order jose4j writes them, by the allow-list of its type. */
    static Map<String, Object> publicMembers(PublicJsonWebKey jwk) {
        Set<String> allowed = PUBLIC_MEMBERS.getOrDefault(jwk.getKeyType(), Set.of());
        Map<String, Object> json = new LinkedHashMap<>();
        jwk.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY).forEach((name, value) -> {
            if (allowed.contains(name) || ANY_TYPE_MEMBERS.contains(name)) {
                json.put(name, value);
            }
        });
        return json;
    }

    /** The public keys as a JWK Set document (RFC 7517 §5); empty for HS256-only rings. */
    public Map<String, Object> jwks() {
        List<Object> keys = new ArrayList<>();
        for (VerificationKey key : byKid.values()) {
            PublicJsonWebKey jwk = key.jwk();
            if (jwk != null) {
                Map<String, Object> json = publicMembers(jwk);
                json.put("kid", key.kid());
                json.put("alg", key.algorithm());
                json.put("use", "sig");
                keys.add(json);
            }
        }
        return Map.of("keys", keys);
    }

    /** Decodes base64 or base64url text (padding optional) of at least 32 bytes. */
    public static byte[] decodeSecret(String text, ConfigKey key) {
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(text.strip().replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "embed: " + key.key() + " (env " + key.env()
                            + ") must be base64 or base64url text; the value could not be decoded (value hidden: it is a secret)");
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new ConfigException("embed: " + key.key() + " (env " + key.env() + ") decodes to " + secret.length
                    + " bytes; HS256 needs at least " + MIN_SECRET_BYTES + " (256 bits). Generate one with"
                    + " `openssl rand -base64 32`.");
        }
        return secret;
    }

    private static VerificationKey hmacKey(byte[] secret, boolean signs) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("an HS256 secret needs at least " + MIN_SECRET_BYTES + " bytes");
        }
        SecretKeySpec key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        return new VerificationKey(hmacKid(secret), AlgorithmIdentifiers.HMAC_SHA256, key, signs ? key : null, null);
    }

    /** A stable kid derived from the secret: a truncated hash, which reveals nothing usable about it. */
    static String hmacKid(byte[] secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("embed-kid:".getBytes(StandardCharsets.US_ASCII));
            byte[] hash = digest.digest(secret);
            return "hs-"
                    + Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(hash)
                            .substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static VerificationKey asymmetricKey(JsonWebKey jwk) {
        if (!(jwk instanceof PublicJsonWebKey pub)) {
            throw new ConfigException("embed: " + ConfigKey.SIGNING_JWKS.key()
                    + " may only hold EC (P-256) or RSA keys; found kty=" + jwk.getKeyType());
        }

        String algorithm;
        if (jwk instanceof EllipticCurveJsonWebKey ec
                && ec.getECPublicKey().getParams().getCurve().equals(EllipticCurves.P256.getCurve())) {
            algorithm = AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256;
        } else if (jwk instanceof RsaJsonWebKey rsa
                && rsa.getRsaPublicKey().getModulus().bitLength() >= 2048) {
            algorithm = AlgorithmIdentifiers.RSA_USING_SHA256;
        } else {
            throw new ConfigException("embed: " + ConfigKey.SIGNING_JWKS.key()
                    + " holds a key that is neither P-256 EC nor RSA of 2048 bits or more");
        }
        String kid = jwk.getKeyId();
        if (kid == null || kid.isBlank()) {
            kid = jwk.calculateBase64urlEncodedThumbprint("SHA-256");
        }
        return new VerificationKey(kid, algorithm, pub.getPublicKey(), pub.getPrivateKey(), pub);
    }

    private static JsonWebKeySet readJwks(String value) {
        String json = value.strip();
        if (json.startsWith("file:")) {
            Path path = Path.of(json.substring("file:".length()));
            try {
                json = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(
                        "embed: cannot read " + ConfigKey.SIGNING_JWKS.key() + " file " + path.toAbsolutePath(), e);
            }
        }
        try {
            return new JsonWebKeySet(json);
        } catch (JoseException | RuntimeException e) {
            throw new ConfigException(
                    "embed: " + ConfigKey.SIGNING_JWKS.key()
                            + " is not a JWK Set (JSON {\"keys\": [...]}, or file:/path to one); value hidden: it holds private keys");
        }
    }
}
