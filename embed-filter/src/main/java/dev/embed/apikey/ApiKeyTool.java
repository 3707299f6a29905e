package dev.embed.apikey;

import dev.embed.config.ConfigKey;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Creates a new API key and prints the configuration line that goes with it:
 *
 * <pre>
 * java -jar embed-filter/target/embed-filter-VERSION.jar --tenant acme --agents 'demo/*' --sources docs,faq \
 *      --origins https://app.acme.com
 * </pre>
 *
 * The jar's manifest names this class as its {@code Main-Class}; it needs no other jar.
 *
 * The key is printed once, for the customer's backend; only its digest goes into configuration.
 */
public final class ApiKeyTool {
    private ApiKeyTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String id = null;
        String tenant = null;
        String agents = null;
        String sources = null;
        String origins = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                usage(out);
                return 0;
            }
            if (i + 1 >= args.length) {
                err.println("missing value after " + arg);
                usage(err);
                return 2;
            }
            String value = args[++i];
            switch (arg) {
                case "--id" -> id = value;
                case "--tenant" -> tenant = value;
                case "--agents" -> agents = value;
                case "--sources" -> sources = value;
                case "--origins" -> origins = value;
                default -> {
                    err.println("unknown option " + arg);
                    usage(err);
                    return 2;
                }
            }
        }
        if (tenant == null || agents == null) {
            err.println("--tenant and --agents are required");
            usage(err);
            return 2;
        }
        if (id == null) {
            id = tenant;
        }
        if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
            err.println("--id must be 1-64 letters, digits, '_' or '-'");
            return 2;
        }
        String envName = "EMBED_API_KEY_" + id.toUpperCase(Locale.ROOT).replace('-', '_');
        for (ConfigKey configKey : ConfigKey.values()) {
            if (configKey.env().equals(envName)) {
                err.println("--id '" + id + "' would print " + envName + ", which is " + configKey.key()
                        + "; choose another id");
                return 2;
            }
        }
        // Values become attributes of one ';'-separated line: refuse anything that could add another.
        String problem = firstProblem(tenant, agents, sources, origins);
        if (problem != null) {
            err.println(problem);
            return 2;
        }
        String key = ApiKeys.generate();
        List<String> attributes = new ArrayList<>();
        attributes.add("sha256:" + ApiKeys.sha256Hex(key));
        attributes.add("tenant=" + tenant);
        attributes.add("agents=" + agents.replace(' ', ','));
        if (sources != null) {
            attributes.add("sources=" + sources.replace(' ', ','));
        }
        if (origins != null) {
            attributes.add("origins=" + origins.replace(' ', ','));
        }
        String line = String.join(";", attributes);
        out.println(
                "# API key for tenant " + tenant + ". Give it to the customer's backend now: it is shown only once.");
        out.println("api key: " + key);
        out.println();
        out.println("# Add to your embed configuration (properties file, context-param or system property):");
        out.println("embed.apiKey." + id + "=" + line);
        out.println("# or as an environment variable:");
        out.println(envName + "='" + line + "'");
        return 0;
    }

    private static final String ID = "[A-Za-z0-9._-]{1,128}";

    // String.split drops trailing empty values, and that is kept on purpose (Error Prone's StringSplitter
    // would have split(regex, -1)): "--agents demo/support," is accepted as it always was.
    /** What is wrong with the options, or null: each value must be what its attribute holds, nothing more. */
    @SuppressWarnings("StringSplitter")
    static @Nullable String firstProblem(
            String tenant, String agents, @Nullable String sources, @Nullable String origins) {
        if (!tenant.matches(ID)) {
            return "--tenant must be 1-128 letters, digits, '.', '_' or '-'";
        }
        for (String agent : agents.split("[,\\s]+")) {
            if (!agent.equals("*") && !agent.matches(ID + "/(\\*|" + ID + ")")) {
                return "--agents takes space/agent, space/* or *, separated by commas";
            }
        }
        if (sources != null) {
            for (String source : sources.split("[,\\s]+")) {
                if (!source.equals("*") && !source.matches(ID)) {
                    return "--sources takes source ids (letters, digits, '.', '_' or '-') separated by commas";
                }
            }
        }
        if (origins != null) {
            for (String origin : origins.split("[,\\s]+")) {
                if (!origin.matches("https?://[A-Za-z0-9.*\\[\\]:-]+(:(\\d{1,5}|\\*))?")) {
                    return "--origins takes origins such as https://app.example.com or http://localhost:*, separated by commas";
                }
            }
        }
        return null;
    }

    private static void usage(PrintStream out) {
        out.println("usage: " + command() + " --tenant NAME --agents SPACE/AGENT[,...] [--id ID]"
                + " [--sources SRC,...] [--origins https://origin,...]");
    }

    /** {@code java -jar embed-filter-<version>.jar}, with this jar's version when it runs from the jar. */
    static String command() {
        String version = ApiKeyTool.class.getPackage().getImplementationVersion();
        return "java -jar embed-filter-" + (version != null ? version : "<version>") + ".jar";
    }
}
