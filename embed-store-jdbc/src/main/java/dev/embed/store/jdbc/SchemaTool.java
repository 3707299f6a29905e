package dev.embed.store.jdbc;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Prints the SQL of the {@code jdbc} store for a DBA, who reviews and applies it when the library
 * may not change the schema itself ({@code embed.store.jdbc.schema=validate}, the default).
 *
 * <pre>{@code
 * java -jar embed-store-jdbc-<version>.jar print-sql --database postgresql --prefix embed_
 * java -jar embed-store-jdbc-<version>.jar print-sql --database h2 --prefix embed_ --from 2
 * }</pre>
 *
 * <p>{@code --prefix} is {@code embed.store.jdbc.tablePrefix} (default {@code embed_}); {@code
 * --from} skips the versions already applied (the {@code <prefix>schema_version} table lists
 * them; a start-up in {@code validate} mode names the first one missing). Each script records its
 * own version, last. The tool needs no jar but this one.
 */
public final class SchemaTool {
    private static final String USAGE = String.join(
            System.lineSeparator(),
            "usage: java -jar embed-store-jdbc-<version>.jar print-sql --database postgresql|h2 [--prefix embed_]"
                    + " [--from VERSION]",
            "  Prints the SQL that creates (or upgrades) the tables of the jdbc store (embed.store=jdbc),",
            "  for a DBA to review and apply. --prefix is embed.store.jdbc.tablePrefix (default embed_);",
            "  --from prints only that version and later ones (default 1: everything).");

    private SchemaTool() {}

    /** Runs the tool; exits with 0, or 2 after a usage error. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int status = run(args, out, System.err);
        out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The tool's work, with its streams given: 0 when done, 2 for a usage error. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (!args[0].equals("print-sql")) {
            return usage(err, "unknown command: " + args[0]);
        }
        Optional<Database> database = Optional.empty();
        String prefix = Scripts.DEFAULT_PREFIX;
        int from = 1;
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                return usage(err, option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--database" -> {
                    database = Database.byId(value);
                    if (database.isEmpty()) {
                        return usage(err, "--database must be postgresql or h2, not " + value);
                    }
                }
                case "--prefix" -> {
                    String problem = Scripts.prefixProblem(value);
                    if (problem != null) {
                        return usage(err, "--prefix " + problem);
                    }
                    prefix = value;
                }
                case "--from" -> {
                    try {
                        from = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        from = 0;
                    }
                    if (from < 1) {
                        return usage(err, "--from must be a schema version, 1 or more, not " + value);
                    }
                }
                default -> {
                    return usage(err, "unknown option: " + option);
                }
            }
        }
        if (database.isEmpty()) {
            return usage(err, "--database is required");
        }
        List<Scripts.Script> scripts = Scripts.list(database.get());
        out.println("-- embed-store-jdbc " + version() + ": schema of the jdbc store for "
                + database.get().productName() + ", table prefix " + prefix + ", versions " + from + " to "
                + scripts.size());
        if (from > scripts.size()) {
            out.println("-- (nothing: this library's latest schema version is " + scripts.size() + ")");
        }
        for (Scripts.Script script : scripts) {
            if (script.version() >= from) {
                out.println();
                out.println("-- ==== " + script.fileName() + " ====");
                out.print(Scripts.text(script, prefix));
            }
        }
        return 0;
    }

    /** This jar's version, from its manifest; {@code <version>} when run from classes. */
    static String version() {
        String version = SchemaTool.class.getPackage().getImplementationVersion();
        return version == null ? "<version>" : version;
    }

    /** The command a DBA runs to print what is missing. */
    static String command(Database database, String prefix, int from) {
        return "java -jar embed-store-jdbc-" + version() + ".jar print-sql --database " + database.id() + " --prefix "
                + prefix + (from > 1 ? " --from " + from : "");
    }

    private static int usage(PrintStream err, String problem) {
        err.println("embed-store-jdbc: " + problem);
        err.println(USAGE);
        return 2;
    }
}
