package dev.embed.store.jdbc;

import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code embed.store.jdbc.*} settings, read and checked once at start-up.
 *
 * @param dataSource the JNDI name of the container's DataSource, or null when {@code url} is set
 * @param url the JDBC URL the library pools, or null when {@code dataSource} is set
 * @param upgrade whether the library may apply missing schema versions itself
 * @param cacheBytes heap for the local caches; 0 turns them off
 */
record JdbcSettings(
        @Nullable String dataSource,
        @Nullable String url,
        @Nullable String user,
        @Nullable String password,
        String tablePrefix,
        boolean upgrade,
        int poolSize,
        int timeoutSeconds,
        int pollMillis,
        int sweepSeconds,
        long cacheBytes,
        long maxSessionBytes) {

    static JdbcSettings from(EmbedConfig config) {
        String dataSource = config.isSet(ConfigKey.STORE_JDBC_DATA_SOURCE)
                ? config.get(ConfigKey.STORE_JDBC_DATA_SOURCE, "").strip()
                : null;
        String url = config.isSet(ConfigKey.STORE_JDBC_URL)
                ? config.get(ConfigKey.STORE_JDBC_URL, "").strip()
                : null;
        if (dataSource == null && url == null) {
            throw new ConfigException("embed: embed.store=jdbc needs a database: set "
                    + ConfigKey.STORE_JDBC_DATA_SOURCE.key() + " (a JNDI name such as java:comp/env/jdbc/embed, env "
                    + ConfigKey.STORE_JDBC_DATA_SOURCE.env() + ") or " + ConfigKey.STORE_JDBC_URL.key() + " (env "
                    + ConfigKey.STORE_JDBC_URL.env() + ")");
        }
        if (dataSource != null && url != null) {
            throw config.invalid(
                    ConfigKey.STORE_JDBC_DATA_SOURCE,
                    "cannot be set together with " + ConfigKey.STORE_JDBC_URL.key() + ": choose the container's"
                            + " pool or a URL the library pools");
        }
        if (url != null && Database.byUrl(url).isEmpty()) {
            throw config.invalid(
                    ConfigKey.STORE_JDBC_URL, "must be a PostgreSQL (jdbc:postgresql:...) or H2 (jdbc:h2:...) URL");
        }
        // Both keys have a default: get(key) is never null for them.
        String prefix = Objects.requireNonNull(
                        config.get(ConfigKey.STORE_JDBC_TABLE_PREFIX), ConfigKey.STORE_JDBC_TABLE_PREFIX.key())
                .strip();
        String problem = Scripts.prefixProblem(prefix);
        if (problem != null) {
            throw config.invalid(ConfigKey.STORE_JDBC_TABLE_PREFIX, problem);
        }
        String schema = Objects.requireNonNull(
                        config.get(ConfigKey.STORE_JDBC_SCHEMA), ConfigKey.STORE_JDBC_SCHEMA.key())
                .strip()
                .toLowerCase(Locale.ROOT);
        if (!schema.equals("validate") && !schema.equals("upgrade")) {
            throw config.invalid(ConfigKey.STORE_JDBC_SCHEMA, "must be validate or upgrade");
        }
        return new JdbcSettings(
                dataSource,
                url,
                config.isSet(ConfigKey.STORE_JDBC_USER) ? config.get(ConfigKey.STORE_JDBC_USER) : null,
                config.isSet(ConfigKey.STORE_JDBC_PASSWORD) ? config.get(ConfigKey.STORE_JDBC_PASSWORD) : null,
                prefix,
                schema.equals("upgrade"),
                config.getInt(ConfigKey.STORE_JDBC_POOL_SIZE, 1, 1000),
                config.getInt(ConfigKey.STORE_JDBC_TIMEOUT_SECONDS, 1, 300),
                config.getInt(ConfigKey.STORE_JDBC_POLL_MILLIS, 50, 1000),
                config.getInt(ConfigKey.STORE_JDBC_SWEEP_SECONDS, 1, 86_400),
                config.getInt(ConfigKey.STORE_JDBC_CACHE_MEGABYTES, 0, 65_536) * 1024L * 1024L,
                config.getInt(ConfigKey.STORE_JDBC_MAX_SESSION_BYTES, 65_536, 1_073_741_824));
    }

    /** Where the connections come from, for messages: never the password. */
    String source() {
        return dataSource != null ? "JNDI " + dataSource : "URL " + redact(url);
    }

    /** A URL without its query string or properties, which may hold a password. */
    static String redact(@Nullable String url) {
        if (url == null) {
            return "(none)";
        }
        int cut = url.length();
        for (char c : new char[] {'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return cut < url.length() ? url.substring(0, cut) + "..." : url;
    }

    /** The record's text without the password. */
    @Override
    public String toString() {
        return "JdbcSettings[" + source() + ", tablePrefix=" + tablePrefix + ", upgrade=" + upgrade + "]";
    }
}
