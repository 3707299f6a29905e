package dev.embed.internal;

import dev.embed.Embed;
import dev.embed.apikey.ApiKeyStore;
import dev.embed.config.EmbedConfig;

/**
 * What tests outside the internal package (and the other modules' tests) may ask of the library's
 * implementation: it lives in the internal package, so that these stay package-private in the
 * library.
 */
public final class TestAccess {
    private TestAccess() {}

    /** The {@code kid} the application signs embed tokens with. */
    public static String signingKid(Embed embed) {
        return embed.core().tokens().keys().signingKid();
    }

    /** The default key store, of the {@code embed.apiKey.<id>} lines of {@code config}. */
    public static ApiKeyStore configuredKeys(EmbedConfig config) {
        return new PropertiesApiKeyStore(config);
    }
}
