package dev.embed.testing;

import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeyStore;
import java.util.Optional;

/**
 * A host's key store whose back end is down: every lookup throws, as a collaborator with a bug or
 * an unreachable database does ({@code embed.apiKeyStore}). The library must answer its JSON 500,
 * never a container's error page.
 */
public final class FailingApiKeyStore implements ApiKeyStore {
    @Override
    public Optional<ApiKey> findBySha256(byte[] sha256) {
        throw new IllegalStateException("the key store's database cannot be reached");
    }
}
