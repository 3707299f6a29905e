package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeyStore;
import dev.embed.apikey.ApiKeys;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.token.EmbedClaims;
import java.util.List;

/**
 * Reads credentials from request headers the same way for every adapter: RFC 6750 §2.1 bearer
 * tokens in exactly one {@code Authorization} header, never in a URL.
 */
final class Credentials {
    /** The header that carries flow C's API key (DESIGN §3.2). */
    static final String API_SECRET_HEADER = "api-secret";

    private final TokenService tokens;
    private final ApiKeyStore apiKeys;

    public Credentials(TokenService tokens, ApiKeyStore apiKeys) {
        this.tokens = tokens;
        this.apiKeys = apiKeys;
    }

    /**
     * The bearer credential of the request.
     *
     * @param authorizationHeaders every {@code Authorization} header value the request carried
     * @param credentialInQuery whether the query string carried something that looks like a
     *     credential ({@code access_token}, {@code token}, {@code api_key}, ...)
     */
    public static String bearer(List<String> authorizationHeaders, boolean credentialInQuery) {
        if (credentialInQuery) {
            throw EmbedError.invalidRequest(
                            "credentials are accepted only in the Authorization header, never in the URL"
                                    + " (URLs are logged); send Authorization: Bearer <credential>")
                    .toException();
        }
        if (authorizationHeaders == null || authorizationHeaders.isEmpty()) {
            throw EmbedError.missingToken("send the credential as Authorization: Bearer <credential>")
                    .toException();
        }
        if (authorizationHeaders.size() > 1) {
            throw EmbedError.invalidRequest("send exactly one Authorization header")
                    .toException();
        }
        String header = authorizationHeaders.get(0);
        // RFC 7235 §2.1: the scheme is case-insensitive; RFC 6750 §2.1: one space, then a b64token.
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw EmbedError.missingToken(
                            "the Authorization header must use the Bearer scheme: Authorization: Bearer <credential>")
                    .toException();
        }
        String credential = header.substring(7);
        if (!isB64Token(credential)) {
            throw EmbedError.invalidToken(
                            "the Authorization header is malformed: Bearer, one space, then the credential"
                                    + " with no other whitespace")
                    .toException();
        }
        return credential;
    }

    /**
     * The API key of flow C's one {@code api-secret} header (DESIGN §3.2): 401 when missing or not
     * shaped like a key, 400 when repeated or when the URL carries a credential.
     */
    public static String apiSecret(List<String> apiSecretHeaders, boolean credentialInQuery) {
        if (credentialInQuery) {
            throw EmbedError.invalidRequest("credentials are accepted only in the api-secret header, never in the URL"
                            + " (URLs are logged)")
                    .toException();
        }
        if (apiSecretHeaders == null || apiSecretHeaders.isEmpty()) {
            throw EmbedError.missingToken("send the API key in the api-secret header: api-secret: sk_...")
                    .toException();
        }
        if (apiSecretHeaders.size() > 1) {
            throw EmbedError.invalidRequest("send exactly one api-secret header")
                    .toException();
        }
        String secret =
                apiSecretHeaders.get(0) == null ? "" : apiSecretHeaders.get(0).strip();
        if (!ApiKeys.looksLikeKey(secret)) {
            throw EmbedError.invalidToken(
                            "the api-secret header must hold an API key (sk_...); embed tokens are for the"
                                    + " embed endpoints")
                    .toException();
        }
        return secret;
    }

    /** Names of query parameters that would put a credential in a URL. */
    public static boolean isCredentialParameter(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "access_token",
                    "token",
                    "api_key",
                    "apikey",
                    "api-key",
                    "key",
                    "api_secret",
                    "api-secret",
                    "authorization" -> true;
            default -> false;
        };
    }

    /** Authenticates an API key (mint endpoints): 401 unless the store knows it; store failures propagate. */
    public ApiKey apiKey(String credential) {
        if (!ApiKeys.looksLikeKey(credential)) {
            throw EmbedError.invalidToken(
                            "this endpoint takes an API key (sk_...) in Authorization: Bearer; embed tokens"
                                    + " are for the embed endpoints")
                    .toException();
        }
        return apiKeys.findBySha256(ApiKeys.sha256(credential))
                .orElseThrow(() -> EmbedError.invalidToken("unknown API key").toException());
    }

    /** Verifies an embed token (embed endpoints): 401 for anything but a valid, unrevoked token. */
    public EmbedClaims embedToken(String credential) {
        if (credential.startsWith(ApiKeys.PREFIX)) {
            throw EmbedError.invalidToken("this endpoint takes an embed token, not an API key: API keys stay on the"
                            + " server; mint a token with one instead")
                    .toException();
        }
        return tokens.verify(credential);
    }

    /** 403 unless the token was minted for this session (DESIGN §4). */
    public static void requireSession(EmbedClaims claims, String sessionId) throws EmbedException {
        if (!claims.sessionId().equals(sessionId)) {
            throw EmbedError.insufficientScope("this token belongs to another session")
                    .toException();
        }
    }

    /** RFC 6750 b64token characters, by code: a table, because this runs over every token of every request. */
    private static final boolean[] B64TOKEN = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            B64TOKEN[c] = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~'
                    || c == '+'
                    || c == '/';
        }
    }

    private static boolean isB64Token(String s) {
        if (s.isEmpty()) {
            return false;
        }
        // One predictable branch per character: the chain of range tests it replaces mispredicted
        // on the random characters of a token, and cost more than a verified-cache hit.
        int i = 0;
        int length = s.length();
        while (i < length) {
            char c = s.charAt(i);
            if (c >= 128 || !B64TOKEN[c]) {
                break;
            }
            i++;
        }
        if (i == 0) {
            return false;
        }
        for (; i < s.length(); i++) {
            if (s.charAt(i) != '=') {
                return false;
            }
        }
        return true;
    }
}
