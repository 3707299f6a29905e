package dev.embed.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The versioned SQL files in the jar: {@code META-INF/embed/sql/<database>/V<n>__<what>.sql},
 * listed in order in {@code scripts.txt} next to them, with {@code ${prefix}} where the table
 * prefix goes. Uses nothing but the JDK ({@link SchemaTool} runs with no other jar).
 */
final class Scripts {
    static final String PLACEHOLDER = "${prefix}";
    static final String DEFAULT_PREFIX = "embed_";
    private static final String ROOT = "META-INF/embed/sql/";
    private static final Pattern NAME = Pattern.compile("V([1-9][0-9]{0,5})__([a-z0-9_]+)\\.sql");
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,29}");

    /** One script: its version, file name and where it is in the jar. */
    record Script(int version, String fileName, String resource) {}

    private Scripts() {}

    /** Why a table prefix is refused, or null when it is a good one. */
    static @Nullable String prefixProblem(String prefix) {
        return PREFIX.matcher(prefix).matches()
                ? null
                : "must be a lowercase SQL identifier of 1 to 30 characters: a letter, then letters, digits or"
                        + " underscores (e.g. embed_)";
    }

    /** The database's scripts, oldest first. */
    static List<Script> list(Database database) {
        String dir = ROOT + database.id() + "/";
        List<Script> scripts = new ArrayList<>();
        int expected = 1;
        for (String line : read(dir + "scripts.txt").split("\n", -1)) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Matcher m = NAME.matcher(name);
            if (!m.matches() || Integer.parseInt(m.group(1)) != expected) {
                throw new IllegalStateException(
                        dir + "scripts.txt: expected V" + expected + "__<what>.sql, found " + name);
            }
            scripts.add(new Script(expected++, name, dir + name));
        }
        return List.copyOf(scripts);
    }

    /** The script with the prefix filled in. */
    static String text(Script script, String prefix) {
        String problem = prefixProblem(prefix);
        if (problem != null) {
            throw new IllegalArgumentException("table prefix " + prefix + " " + problem);
        }
        return read(script.resource()).replace(PLACEHOLDER, prefix);
    }

    /**
     * The statements of a script: each ends with a semicolon at the end of a line; lines starting
     * with {@code --} are comments.
     */
    static List<String> statements(String text) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line.stripTrailing()).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            throw new IllegalStateException(
                    "script ends inside a statement: " + current.toString().strip());
        }
        return List.copyOf(statements);
    }

    private static String read(String resource) {
        ClassLoader loader = Scripts.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing from the embed-store-jdbc jar: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
