package dev.embed.bench;

import dev.embed.config.ConfigKey;
import dev.embed.internal.BenchAccess;
import dev.embed.internal.Fixtures;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes {@code count} distinct, valid embed tokens for one existing session, one per line, for
 * the cold-token phase of {@code bench/run.sh}: signed with the same HS256 secret as the demo
 * server (read from an environment variable, never from the command line), so the server
 * verifies each of them in full the first time it sees it. The file is created readable by its
 * owner only; nothing secret is printed.
 *
 * <pre>
 * EMBED_SIGNING_SECRET=... java -cp benchmarks/target/benchmarks.jar dev.embed.bench.TokenFile \
 *     --session ses_... --subject bench-user --count 300000 --out /tmp/x/cold-tokens.txt
 * </pre>
 */
public final class TokenFile {
    private TokenFile() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        String secretText = System.getenv(options.getOrDefault("secret-env", ConfigKey.SIGNING_SECRET.env()));
        if (secretText == null || secretText.isBlank()) {
            throw new IllegalArgumentException(
                    "set " + options.getOrDefault("secret-env", ConfigKey.SIGNING_SECRET.env())
                            + " to the server's signing secret");
        }
        String session = required(options, "session");
        String subject = required(options, "subject");
        int count = Integer.parseInt(required(options, "count"));
        Path out = Path.of(required(options, "out"));
        Supplier<String> tokens = BenchAccess.tokenMinter(
                BenchAccess.decodeSecret(secretText),
                options.getOrDefault("issuer", Fixtures.ISSUER),
                options.getOrDefault("audience", Fixtures.AUDIENCE),
                subject,
                session,
                Long.parseLong(options.getOrDefault("ttl", "3600")),
                options.getOrDefault("space", "demo"),
                options.getOrDefault("agent", "support"));
        Files.deleteIfExists(out);
        Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        long start = System.nanoTime();
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < count; i++) {
                writer.write(tokens.get());
                writer.write('\n');
            }
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "wrote %d distinct tokens for one session in %.1f s%n",
                count,
                (System.nanoTime() - start) / 1e9);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
