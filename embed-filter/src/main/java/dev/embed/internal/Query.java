package dev.embed.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request's query string, read the same way on every adapter: split on {@code &} and {@code =},
 * each part percent-decoded as UTF-8; a part that does not decode (a malformed escape such as
 * {@code %zz}) is kept as sent, so that the field's own rule refuses it with a 400 (never a 500).
 */
final class Query {
    private static final Query EMPTY = new Query(List.of());

    private final List<String[]> pairs;

    private Query(List<String[]> pairs) {
        this.pairs = pairs;
    }

    static Query parse(@Nullable String raw) {
        if (raw == null || raw.isEmpty()) {
            return EMPTY;
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : raw.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            pairs.add(new String[] {name, value});
        }
        return new Query(pairs);
    }

    /** The first value of the parameter, or null. */
    @Nullable
    String first(String name) {
        for (String[] pair : pairs) {
            if (pair[0].equals(name)) {
                return pair[1];
            }
        }
        return null;
    }

    /** Whether a parameter is named like a credential ({@code access_token}, {@code api_key}, ...): URLs are logged. */
    boolean namesACredential() {
        for (String[] pair : pairs) {
            if (Credentials.isCredentialParameter(pair[0])) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
