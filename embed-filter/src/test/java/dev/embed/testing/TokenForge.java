package dev.embed.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes tokens the way an attacker (or a buggy issuer) would: any header and payload text, signed
 * with any key, or not at all. No library in between decides what may be sent.
 */
public final class TokenForge {
    private TokenForge() {}

    /** Base64url without padding of UTF-8 text. */
    public static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The JSON of a part of a compact token (0 header, 1 payload). */
    public static Map<String, Object> part(String token, int index) {
        return Json.parseObject(
                new String(Base64.getUrlDecoder().decode(token.split("\\.", -1)[index]), StandardCharsets.UTF_8));
    }

    /** {@code header.payload.HMAC-SHA256(key, header.payload)} over exactly these texts. */
    public static String hs256(String headerJson, String payloadJson, byte[] key) {
        String input = b64(headerJson) + "." + b64(payloadJson);
        return input + "." + b64(hmac(key, input));
    }

    /** {@code header.payload.ECDSA-P256-SHA256(key, header.payload)}, signature as r||s (RFC 7518 §3.4). */
    public static String es256(String headerJson, String payloadJson, PrivateKey key) {
        String input = b64(headerJson) + "." + b64(payloadJson);
        try {
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code header.payload.} with no signature at all. */
    public static String unsigned(String headerJson, String payloadJson) {
        return b64(headerJson) + "." + b64(payloadJson) + ".";
    }

    /** The header JSON of {@code alg} and {@code kid} (omitted when null), plus these members in order. */
    public static String header(String alg, String kid, Object... members) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", alg);
        if (kid != null) {
            header.put("kid", kid);
        }
        for (int i = 0; i < members.length; i += 2) {
            header.put((String) members[i], members[i + 1]);
        }
        return Json.write(header);
    }

    /** The claims JSON of a token for {@code sid} that follows every rule at {@code now} (epoch seconds). */
    public static Map<String, Object> claims(String sid, long now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "embed");
        claims.put("aud", "embed");
        claims.put("sub", "customer-123");
        claims.put("sid", sid);
        claims.put("jti", "forged-" + now + "-" + sid);
        claims.put("kty", "session");
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + 600);
        claims.put("spc", "demo");
        claims.put("agt", "support");
        return claims;
    }

    /** {@link #claims} with one member set to {@code value}, or removed when it is null. */
    public static String claimsWith(String sid, long now, String name, Object value) {
        Map<String, Object> claims = claims(sid, now);
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return Json.write(claims);
    }

    /** {@link #claims} with one member given as raw JSON text (a string, float or huge number). */
    public static String claimsWithRaw(String sid, long now, String name, String rawJson) {
        Map<String, Object> claims = claims(sid, now);
        claims.remove(name);
        String json = Json.write(claims);
        return json.substring(0, json.length() - 1) + ",\"" + name + "\":" + rawJson + "}";
    }

    static byte[] hmac(byte[] key, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // A zero-length key is what "kid: /dev/null" attacks sign with; HMAC pads keys with
            // zeros to its block size, so 64 zero bytes sign exactly as an empty key would.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[64] : key, "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
