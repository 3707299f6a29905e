package dev.embed.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The library's configuration: immutable, built once at start-up from layered sources, and
 * validated there with messages that name the key, where the value came from and (unless it is a
 * secret) the bad value.
 *
 * <p>Precedence, later overriding earlier: context-params, init-params, the properties file named
 * by {@code embed.configFile}, system properties, {@code EMBED_*} environment variables. Keys are
 * listed in {@link ConfigKey}.
 *
 * <pre>{@code
 * EmbedConfig config = EmbedConfig.builder()
 *     .layer("context-param", contextParams)
 *     .systemProperties(System.getProperties())
 *     .environment(System.getenv())
 *     .build();
 * }</pre>
 */
public final class EmbedConfig {
    private final Map<String, String> values;
    private final Map<String, String> origins;

    private EmbedConfig(Map<String, String> values, Map<String, String> origins) {
        this.values = Collections.unmodifiableMap(values);
        this.origins = Collections.unmodifiableMap(origins);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configuration from the given properties only (tests, programmatic set-up). */
    public static EmbedConfig of(Map<String, String> properties) {
        return builder().layer("properties", properties).build();
    }

    /** The value, or the key's default (which may be {@code null}). */
    public @Nullable String get(ConfigKey key) {
        String value = values.get(key.key());
        // A blank value (EMBED_ISSUER=) means "not set", never "set to nothing".
        return value != null && !value.isBlank() ? value : key.defaultValue();
    }

    /** Whether the value was set by some source (rather than defaulted). */
    public boolean isSet(ConfigKey key) {
        String value = values.get(key.key());
        return value != null && !value.isBlank();
    }

    public String get(ConfigKey key, String fallback) {
        String value = values.get(key.key());
        return value == null || value.isBlank() ? fallback : value;
    }

    public int getInt(ConfigKey key, int min, int max) {
        String raw = get(key);
        try {
            int value = Integer.parseInt(Objects.requireNonNull(raw, key.key()).strip());
            if (value < min || value > max) {
                throw invalid(key, "must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(key, "must be an integer between " + min + " and " + max);
        }
    }

    public boolean getBoolean(ConfigKey key) {
        String raw = Objects.requireNonNull(get(key), key.key()).strip().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "must be true or false");
        };
    }

    /** Comma- or whitespace-separated values, without blanks. */
    public List<String> getList(ConfigKey key) {
        String value = get(key);
        return value == null ? List.of() : split(value);
    }

    /** Every entry whose name starts with the prefix (after precedence), e.g. the API keys. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Which source a key's value came from, for messages. */
    public String origin(String key) {
        return origins.getOrDefault(key, "default");
    }

    /** A start-up error for a bad value, naming the key, its source and (unless secret) the value. */
    public ConfigException invalid(ConfigKey key, String rule) {
        String shown = key.secret() ? "(value hidden: it is a secret)" : "'" + get(key) + "'";
        return new ConfigException("embed: configuration key " + key.key() + " (" + origin(key.key()) + ", or env "
                + key.env() + ") " + rule + "; got " + shown);
    }

    public static List<String> split(String raw) {
        List<String> out = new ArrayList<>();
        for (String part : raw.split("[,\\s]+", -1)) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return List.copyOf(out);
    }

    /** Assembles the layers in precedence order; see the class comment. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Map<String, String> origins = new LinkedHashMap<>();
        private Map<String, String> systemProperties = Map.of();
        private Map<String, String> environment = Map.of();

        private Builder() {}

        /** Adds a layer of {@code embed.*} entries (context-params, init-params, a map). */
        public Builder layer(String sourceName, Map<String, String> entries) {
            entries.forEach((k, v) -> {
                if (k != null && k.startsWith("embed.") && v != null) {
                    values.put(k, v.strip());
                    origins.put(k, sourceName);
                }
            });
            return this;
        }

        public Builder systemProperties(Properties properties) {
            Map<String, String> map = new LinkedHashMap<>();
            for (String name : properties.stringPropertyNames()) {
                map.put(name, properties.getProperty(name));
            }
            this.systemProperties = map;
            return this;
        }

        public Builder systemProperties(Map<String, String> properties) {
            this.systemProperties = Map.copyOf(properties);
            return this;
        }

        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        public EmbedConfig build() {
            // The properties file may be named by any layer, including the two highest.
            Map<String, String> envAsKeys = fromEnvironment(environment);
            String file = firstNonBlank(
                    envAsKeys.get(ConfigKey.CONFIG_FILE.key()),
                    systemProperties.get(ConfigKey.CONFIG_FILE.key()),
                    values.get(ConfigKey.CONFIG_FILE.key()));
            if (file != null) {
                layer("properties file " + file, readProperties(file));
            }
            layer("system property", systemProperties);
            layer("environment variable", envAsKeys);
            return new EmbedConfig(new LinkedHashMap<>(values), new LinkedHashMap<>(origins));
        }

        private static Map<String, String> fromEnvironment(Map<String, String> env) {
            Map<String, String> out = new LinkedHashMap<>();
            for (ConfigKey key : ConfigKey.values()) {
                String value = env.get(key.env());
                if (value != null) {
                    out.put(key.key(), value);
                }
            }
            env.forEach((name, value) -> {
                // EMBED_API_KEY_STORE is embed.apiKeyStore, not an API key with the id "store".
                if (name.startsWith(ConfigKey.API_KEY_ENV_PREFIX)
                        && name.length() > ConfigKey.API_KEY_ENV_PREFIX.length()
                        && !isKeyEnv(name)) {
                    String id = name.substring(ConfigKey.API_KEY_ENV_PREFIX.length())
                            .toLowerCase(Locale.ROOT);
                    out.put(ConfigKey.API_KEY_PREFIX + id, value);
                }
            });
            return out;
        }

        private static boolean isKeyEnv(String name) {
            for (ConfigKey key : ConfigKey.values()) {
                if (key.env().equals(name)) {
                    return true;
                }
            }
            return false;
        }

        private static Map<String, String> readProperties(String file) {
            Path path = Path.of(file);
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(path)) {
                properties.load(in);
            } catch (IOException e) {
                throw new ConfigException(
                        "embed: cannot read the properties file named by " + ConfigKey.CONFIG_FILE.key() + ": "
                                + path.toAbsolutePath() + " (" + e.getClass().getSimpleName() + ")",
                        e);
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (String name : properties.stringPropertyNames()) {
                map.put(name, properties.getProperty(name));
            }
            return map;
        }

        private static @Nullable String firstNonBlank(@Nullable String... candidates) {
            for (String c : candidates) {
                if (c != null && !c.isBlank()) {
                    return c.strip();
                }
            }
            return null;
        }
    }
}
