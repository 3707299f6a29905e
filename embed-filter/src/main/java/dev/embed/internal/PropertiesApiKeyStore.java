package dev.embed.internal;

import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeyStore;
import dev.embed.apikey.ApiKeyTool;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.ConfigException;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The default {@link ApiKeyStore}: keys from configuration entries, one line each, holding only
 * the SHA-256 digest of the key:
 *
 * <pre>
 * embed.apiKey.acme=sha256:9f86d0...;tenant=acme;agents=demo/support,demo/sales;sources=docs,faq;origins=https://app.acme.com
 * </pre>
 *
 * ({@code EMBED_API_KEY_ACME=...} in the environment.) {@code agents} takes {@code space/agent},
 * {@code space/*} or {@code *}; {@code sources} and {@code origins} are optional. Print a new line
 * with {@link ApiKeyTool}.
 *
 * <p>A lookup compares the presented digest with every stored one, with {@link
 * MessageDigest#isEqual}, and never stops early: its timing says nothing about which key, or how
 * much of one, matched.
 */
final class PropertiesApiKeyStore implements ApiKeyStore {
    private final List<Entry> entries;
    private final DigestComparison comparison;

    /**
     * How a presented digest is compared with a stored one: {@link MessageDigest#isEqual}, whose
     * time depends on the lengths only. A seam for tests, which count the comparisons.
     */
    @FunctionalInterface
    interface DigestComparison {
        boolean equal(byte[] stored, byte[] presented);
    }

    /** A configured key and its digest (a class, not a record: an array has no value equality). */
    private static final class Entry {
        final byte[] digest;
        final ApiKey key;

        Entry(byte[] digest, ApiKey key) {
            this.digest = digest;
            this.key = key;
        }
    }

    PropertiesApiKeyStore(EmbedConfig config) {
        this(config, (stored, presented) -> MessageDigest.isEqual(stored, presented));
    }

    PropertiesApiKeyStore(EmbedConfig config, DigestComparison comparison) {
        this.comparison = comparison;
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<String, String> e :
                config.withPrefix(ConfigKey.API_KEY_PREFIX).entrySet()) {
            Entry entry = parse(e.getKey(), e.getValue());
            for (Entry other : list) {
                if (MessageDigest.isEqual(other.digest, entry.digest)) {
                    throw new ConfigException("embed: " + ConfigKey.API_KEY_PREFIX + other.key.id() + " and "
                            + ConfigKey.API_KEY_PREFIX + entry.key.id()
                            + " hold the same key digest; a key must have one"
                            + " entry (one tenant, one set of permissions)");
                }
            }
            list.add(entry);
        }
        this.entries = List.copyOf(list);
    }

    /** Number of keys configured. */
    int size() {
        return entries.size();
    }

    // Error Prone's ShortCircuitBoolean would have '&&' here: '&' compares every entry's digest whatever
    // the outcome, so the time taken says nothing about which key matched.
    @Override
    @SuppressWarnings("ShortCircuitBoolean")
    public Optional<ApiKey> findBySha256(byte[] sha256) {
        ApiKey found = null;
        for (Entry entry : entries) {
            // No early exit: every entry is compared whatever the outcome.
            if (comparison.equal(entry.digest, sha256) & found == null) {
                found = entry.key;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Quotes a bad part of a line for a message, unless it may be a clear key pasted by mistake. */
    private static String shown(String text) {
        return text.contains(ApiKeys.PREFIX)
                ? "(a value hidden: it looks like an API key, which never belongs in"
                        + " configuration; put its sha256 digest there)"
                : "'" + text + "'";
    }

    /** Parses one {@code sha256:<hex>;tenant=...;agents=...;sources=...;origins=...} line. */
    static Entry parse(String id, String line) {
        String where = ConfigKey.API_KEY_PREFIX + id;
        String[] parts = line.strip().split(";", -1);
        String first = parts[0].strip();
        if (!first.startsWith("sha256:")) {
            throw new ConfigException(
                    "embed: " + where + " must start with sha256:<64 hex digits> (the digest of the key,"
                            + " never the key itself); generate a line with: java -jar embed-filter-"
                            + Objects.requireNonNullElse(
                                    PropertiesApiKeyStore.class.getPackage().getImplementationVersion(), "<version>")
                            + ".jar --tenant <tenant> --agents <space/agent>");
        }
        byte[] digest;
        try {
            digest = HexFormat.of().parseHex(first.substring("sha256:".length()).toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            digest = new byte[0];
        }
        if (digest.length != 32) {
            throw new ConfigException("embed: " + where + " has a sha256 digest that is not 64 hex digits");
        }
        String tenant = null;
        LinkedHashSet<String> agents = new LinkedHashSet<>();
        LinkedHashSet<String> sources = new LinkedHashSet<>();
        List<String> origins = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new ConfigException("embed: " + where + " has " + shown(part) + " where name=value was expected");
            }
            String name = part.substring(0, eq).strip();
            List<String> values = EmbedConfig.split(part.substring(eq + 1));
            switch (name) {
                case "tenant" -> {
                    if (values.size() > 1) {
                        throw new ConfigException(
                                "embed: " + where + " names more than one tenant; a key belongs to one");
                    }
                    tenant = values.isEmpty() ? null : values.get(0);
                }
                case "agents" -> {
                    for (String agent : values) {
                        if (!agent.equals("*") && !agent.matches("[^/\\s]+/[^/\\s]+")) {
                            throw new ConfigException("embed: " + where + " agents entry " + shown(agent)
                                    + " must be space/agent, space/* or *");
                        }
                        agents.add(agent);
                    }
                }
                case "sources" -> sources.addAll(values);
                case "origins" -> origins.addAll(values);
                default ->
                    throw new ConfigException("embed: " + where + " has an unknown attribute " + shown(name)
                            + " (known: tenant, agents, sources, origins)");
            }
        }
        if (tenant == null) {
            throw new ConfigException("embed: " + where + " needs tenant=<name>");
        }
        if (agents.isEmpty()) {
            throw new ConfigException(
                    "embed: " + where + " needs agents=<space/agent,...> (what the key may mint for)");
        }
        return new Entry(digest, new ApiKey(id, tenant, agents, sources, origins));
    }
}
