package dev.embed.internal;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A path prefix the library answers under (what {@code web.xml} maps a servlet to, and what the
 * JAX-RS feature registers a resource at), with the rules for every request under it, its rows
 * included: which credential is checked before anything else, what browsers may do, which methods
 * are answered at all, how errors are written and what an unknown path answers.
 *
 * @param prefix the path, or the prefix of the paths ({@code exact} false: the prefix itself and
 *     everything below it)
 * @param authFirst the credential every request needs before its path is looked at (a library
 *     prefix protected as a whole), or {@link Endpoint.Auth#NONE} when each row says
 * @param cors what browsers may do with paths that match no row
 * @param methods the only methods answered under the prefix (405 before anything else), or null
 *     when each row says
 * @param visitorEnvelope whether errors use flow C's envelope {@code {"success": false, "error"}}
 * @param notFound the {@code error_description} of a path that matches no row
 * @param rows the rows under the prefix, in the order they are matched
 */
record Mount(
        String prefix,
        boolean exact,
        Endpoint.Auth authFirst,
        Endpoint.Cors cors,
        @Nullable Set<String> methods,
        boolean visitorEnvelope,
        String notFound,
        List<Endpoint> rows) {

    Mount {
        rows = List.copyOf(rows);
    }

    /** Whether {@code path} is under this mount. */
    boolean covers(String path) {
        return path.equals(prefix) || (!exact && path.startsWith(prefix) && path.charAt(prefix.length()) == '/');
    }
}
