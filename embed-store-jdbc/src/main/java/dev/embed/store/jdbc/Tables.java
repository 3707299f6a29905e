package dev.embed.store.jdbc;

/** The store's table names under one prefix, and the notification channel of its changes. */
record Tables(String prefix) {
    Tables {
        String problem = Scripts.prefixProblem(prefix);
        if (problem != null) {
            throw new IllegalArgumentException("table prefix " + prefix + " " + problem);
        }
    }

    String schemaVersion() {
        return prefix + "schema_version";
    }

    String session() {
        return prefix + "session";
    }

    String message() {
        return prefix + "message";
    }

    String turn() {
        return prefix + "turn";
    }

    String revocation() {
        return prefix + "revocation";
    }

    String link() {
        return prefix + "link";
    }

    String rateLimit() {
        return prefix + "rate_limit";
    }

    String change() {
        return prefix + "change";
    }

    /** The PostgreSQL {@code LISTEN} channel every node of this prefix listens on. */
    String channel() {
        return prefix + "change";
    }
}
