package dev.embed.apikey;

import java.util.Optional;

/**
 * Where the host application keeps its API keys: implement it against your own database.
 *
 * <p>The library never hands a store the key a caller presented, only its SHA-256 digest, so a
 * store holds and indexes digests and never a key in clear. A store that scans candidates must
 * compare digests with {@link java.security.MessageDigest#isEqual} (constant time); looking a
 * digest up in an index is fine, since an attacker cannot steer the digest of a guess.
 *
 * <p>Throw an unchecked exception when the store cannot be reached: the request then answers 500,
 * never a misleading 401.
 *
 * <pre>{@code
 * public final class JdbcApiKeyStore implements ApiKeyStore {
 *     public Optional<ApiKey> findBySha256(byte[] digest) {
 *         // SELECT id, tenant, agents, sources, origins FROM api_keys WHERE sha256 = ?
 *     }
 * }
 * }</pre>
 *
 * Configure it with {@code embed.apiKeyStore=com.acme.JdbcApiKeyStore}.
 */
public interface ApiKeyStore {

    /**
     * The key whose SHA-256 digest this is.
     *
     * @param sha256 the 32-byte SHA-256 digest of the UTF-8 bytes of the presented key
     */
    Optional<ApiKey> findBySha256(byte[] sha256);
}
