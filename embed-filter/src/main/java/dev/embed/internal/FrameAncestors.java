package dev.embed.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The origins allowed to frame a hosted page, as CSP source expressions (CSP Level 3 §6.4.2,
 * {@code frame-ancestors}): {@code 'self'}, {@code 'none'} and {@code scheme://host[:port]} with an
 * optional {@code *.} host wildcard and {@code :*} port wildcard. The same list tells the page
 * which parent origins it may take a fresh credential from; {@code *} may frame (if configured)
 * but is never trusted with a credential.
 */
final class FrameAncestors {
    private static final Pattern ORIGIN =
            Pattern.compile("https?://(\\*\\.)?([a-z0-9-]+(\\.[a-z0-9-]+)*|\\[[0-9a-f:.]+\\])(:([0-9]{1,5}|\\*))?");

    private final List<String> sources;

    private FrameAncestors(List<String> sources) {
        this.sources = List.copyOf(sources);
    }

    /**
     * The valid source expressions of {@code origins}, in order; anything else (paths, quotes,
     * separators that would end the directive) is dropped. {@code 'none'} when nothing valid
     * remains.
     */
    public static FrameAncestors of(Collection<String> origins) {
        List<String> valid = new ArrayList<>();
        for (String origin : origins) {
            String source = normalize(origin);
            if (source != null && !valid.contains(source) && !"'none'".equals(source)) {
                valid.add(source);
            }
        }
        return new FrameAncestors(valid);
    }

    /** The entries of {@code origins} that {@link #of} drops. */
    public static List<String> invalid(Collection<String> origins) {
        List<String> invalid = new ArrayList<>();
        for (String origin : origins) {
            if (normalize(origin) == null) {
                invalid.add(origin);
            }
        }
        return invalid;
    }

    /** {@code origin} as a source expression, or null when it is not one we accept. */
    static @Nullable String normalize(@Nullable String origin) {
        if (origin == null) {
            return null;
        }
        String value = origin.strip();
        if (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if ("'self'".equals(lower) || "'none'".equals(lower) || "*".equals(lower)) {
            return lower;
        }
        return ORIGIN.matcher(lower).matches() ? lower : null;
    }

    /** The source expressions, empty when no one may frame. */
    public List<String> sources() {
        return sources;
    }

    /** The {@code frame-ancestors} directive's value: the sources, or {@code 'none'}. */
    public String directive() {
        return sources.isEmpty() ? "'none'" : String.join(" ", sources);
    }

    /** The sources a page may accept {@code postMessage} credentials from: all but {@code *}. */
    public List<String> messageOrigins() {
        List<String> trusted = new ArrayList<>(sources);
        trusted.remove("*");
        return List.copyOf(trusted);
    }
}
