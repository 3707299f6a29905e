package dev.embed.internal;

import java.util.Set;

/** A request whose method the path does not take: 405 with {@code Allow}, written by the dispatcher. */
final class MethodNotAllowed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Set<String> allowed;

    MethodNotAllowed(Set<String> allowed) {
        super("method not allowed", null, false, false);
        this.allowed = Set.copyOf(allowed);
    }

    /** The {@code Allow} header: the methods in a stable order. */
    String allow() {
        return String.join(
                ", ", allowed.stream().sorted(MethodNotAllowed::byUse).toList());
    }

    /** {@code use GET or HEAD on this endpoint}. */
    String description() {
        return "use " + allow().replace(", ", " or ") + " on this endpoint";
    }

    private static int byUse(String a, String b) {
        return Integer.compare(rank(a), rank(b));
    }

    private static int rank(String method) {
        int rank = java.util.List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
                .indexOf(method);
        return rank < 0 ? 99 : rank;
    }
}
