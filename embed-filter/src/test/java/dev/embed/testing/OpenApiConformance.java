package dev.embed.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Checks the answers a deployment gave the contract suites against the OpenAPI document ({@link
 * OpenApiDocument}) when it closes, so the document cannot drift from the code: {@link
 * JettyServer#close()} and the JAX-RS deployment call {@link #verify(URI)}. It fails with every
 * exchange the document does not describe, naming the operation, the status and the violation.
 *
 * <p>It also keeps, for the whole JVM, which statuses of which operations real answers have
 * validated, and writes that table to {@code target/openapi-coverage.md} of the module under test.
 */
public final class OpenApiConformance {
    /**
     * Paths (relative to the application) of the test applications' own endpoints, which the
     * library does not serve: the host endpoint behind the token check that {@link AdapterContract}
     * and {@link SecurityContract} deploy ({@code …/whoami}).
     */
    public static final Pattern HOST_ENDPOINTS = Pattern.compile(".*/whoami$");

    /** Violations shown in one failure message; the rest are counted. */
    private static final int SHOWN = 25;

    private static final Map<String, Map<Integer, LongAdder>> VALIDATED = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> EXEMPT = new ConcurrentHashMap<>();
    private static final Set<URI> DELIBERATE_SERVER_ERRORS = ConcurrentHashMap.newKeySet();

    /** What {@link OpenApiDocument} says of any 500 a contract test sees. */
    private static final String SERVER_ERROR = "a server error: ";

    private OpenApiConformance() {}

    /**
     * An answer the document does not describe that an adapter is known to give today, named so
     * that it shows in the coverage report rather than hiding among passes. Every one has an issue
     * that removes it.
     *
     * @param description what it is and which issue removes it
     * @param matches the exchanges it covers, as narrowly as possible
     */
    public record KnownDeviation(String description, Predicate<Exchange> matches) {}

    /**
     * Declares that the deployment at {@code base} is broken on purpose (a collaborator that
     * throws): its 500 answers are what the test wants, and are checked against the document like
     * any other answer instead of failing as unexpected server errors.
     */
    public static void expectServerErrors(URI base) {
        DELIBERATE_SERVER_ERRORS.add(base);
    }

    /** Checks (and forgets) every exchange recorded for {@code base}; fails with the violations. */
    public static void verify(URI base) {
        verify(base, HOST_ENDPOINTS, List.of());
    }

    /**
     * As {@link #verify(URI)}, where {@code hostEndpoints} matches the paths (relative to {@code
     * base}, without the query) that the test application serves itself, and {@code deviations}
     * are what this adapter is known to answer otherwise than the document says.
     */
    public static void verify(URI base, Pattern hostEndpoints, List<KnownDeviation> deviations) {
        List<Exchange> exchanges = OpenApiRecorder.take(base);
        OpenApiDocument document = OpenApiDocument.load();
        List<String> failures = new ArrayList<>();
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        for (Exchange exchange : exchanges) {
            String path = exchange.path().substring(basePath.length());
            if (hostEndpoints.matcher(OpenApiDocument.removeDotSegments(path)).matches()
                    || hostEndpoints.matcher(path).matches()) {
                EXEMPT.computeIfAbsent("the test application's own endpoint", k -> new LongAdder())
                        .increment();
                continue;
            }
            OpenApiDocument.Outcome outcome = document.check(exchange, path);
            if (DELIBERATE_SERVER_ERRORS.contains(base)) {
                outcome = outcome.without(SERVER_ERROR);
            }
            if (outcome.exempt().isPresent()) {
                EXEMPT.computeIfAbsent(outcome.exempt().get(), k -> new LongAdder())
                        .increment();
                continue;
            }
            Optional<KnownDeviation> known = outcome.violations().isEmpty()
                    ? Optional.empty()
                    : deviations.stream()
                            .filter(d -> d.matches().test(exchange))
                            .findFirst();
            if (known.isPresent()) {
                EXEMPT.computeIfAbsent("known deviation: " + known.get().description(), k -> new LongAdder())
                        .increment();
            } else if (outcome.violations().isEmpty()) {
                VALIDATED
                        .computeIfAbsent(outcome.operation(), k -> new ConcurrentHashMap<>())
                        .computeIfAbsent(exchange.status(), k -> new LongAdder())
                        .increment();
            } else {
                String where = outcome.operation().startsWith("(")
                        ? outcome.operation() + " " + exchange.method() + " " + redact(path)
                        : outcome.operation() + " (" + outcome.operationId() + ")";
                failures.add(where + " → " + exchange.status() + ": " + String.join("; ", outcome.violations()));
            }
        }
        writeCoverage(document);
        if (!failures.isEmpty()) {
            StringBuilder message = new StringBuilder()
                    .append(failures.size())
                    .append(" of ")
                    .append(exchanges.size())
                    .append(" answers of ")
                    .append(base)
                    .append(" are not what ")
                    .append(OpenApiDocument.RESOURCE)
                    .append(" describes (fix the code or the document):");
            failures.stream()
                    .distinct()
                    .limit(SHOWN)
                    .forEach(f -> message.append("\n  ").append(f));
            if (failures.size() > SHOWN) {
                message.append("\n  … and ").append(failures.size() - SHOWN).append(" more");
            }
            throw new AssertionError(message.toString());
        }
    }

    /** Path segments long enough to be a token or a cache key are not shown. */
    static String redact(String path) {
        return path.replaceAll("[A-Za-z0-9_.~-]{22,}", "…");
    }

    /** The statuses validated so far, by operation key ({@code METHOD /path}). */
    public static Map<String, Map<Integer, Long>> validated() {
        Map<String, Map<Integer, Long>> copy = new TreeMap<>();
        VALIDATED.forEach((operation, statuses) -> {
            Map<Integer, Long> counts = new TreeMap<>();
            statuses.forEach((status, count) -> counts.put(status, count.sum()));
            copy.put(operation, counts);
        });
        return copy;
    }

    /** The coverage table as Markdown. */
    static String coverage(OpenApiDocument document) {
        Map<String, Map<Integer, Long>> validated = validated();
        StringBuilder out = new StringBuilder(
                        "| operation | method and path | documented | validated by real answers (count) |\n")
                .append("|---|---|---|---|\n");
        for (OpenApiDocument.Operation operation : document.operations()) {
            Map<Integer, Long> seen = validated.getOrDefault(operation.key(), Map.of());
            List<String> statuses = new ArrayList<>();
            seen.forEach((status, count) -> statuses.add(status + " (" + count + ")"));
            out.append("| ")
                    .append(operation.id())
                    .append(document.planned(operation) ? " *(planned)*" : "")
                    .append(" | `")
                    .append(operation.key())
                    .append("` | ")
                    .append(String.join(", ", document.statuses(operation)))
                    .append(" | ")
                    .append(statuses.isEmpty() ? "—" : String.join(", ", statuses))
                    .append(" |\n");
        }
        for (String pseudo : Set.copyOf(validated.keySet())) {
            if (pseudo.startsWith("(")) {
                List<String> statuses = new ArrayList<>();
                validated.get(pseudo).forEach((status, count) -> statuses.add(status + " (" + count + ")"));
                out.append("| — | ")
                        .append(pseudo)
                        .append(" | ")
                        .append(pseudo.startsWith("(unknown") ? "404" : "405, or the path's 400/401/403")
                        .append(" | ")
                        .append(String.join(", ", statuses))
                        .append(" |\n");
            }
        }
        if (!EXEMPT.isEmpty()) {
            out.append("\nNot checked (not the library's answers, or a known deviation):\n\n");
            new TreeMap<>(EXEMPT)
                    .forEach((why, count) -> out.append("* ")
                            .append(why)
                            .append(": ")
                            .append(count.sum())
                            .append('\n'));
        }
        return out.toString();
    }

    private static void writeCoverage(OpenApiDocument document) {
        Path target = Path.of("target");
        if (!Files.isDirectory(target)) {
            return;
        }
        try {
            Files.writeString(target.resolve("openapi-coverage.md"), coverage(document));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write target/openapi-coverage.md", e);
        }
    }
}
