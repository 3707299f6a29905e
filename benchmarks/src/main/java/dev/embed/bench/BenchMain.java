package dev.embed.bench;

import dev.embed.internal.Fixtures;
import dev.embed.internal.TokenBenchmarks;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Entry point of {@code benchmarks.jar}: runs {@link TokenBenchmarks} in one JMH run (any JMH
 * command-line option is accepted and passed on, e.g. {@code -f 1 -wi 3 -i 3}, {@code -rf json},
 * or a benchmark regex), then prints each benchmark's median and the ratios issue 7 budgets.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar
 * </pre>
 */
public final class BenchMain {
    private static final double WARM_BUDGET_NANOS = 1_000;
    private static final double COLD_BUDGET_RATIO = 1.2;

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListProfilers() || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            builder.include(TokenBenchmarks.class.getName() + "\\.");
        }
        Options options = builder.build();
        String before = Fixtures.machine();
        Collection<RunResult> results = new Runner(options).run();
        print(results, before);
    }

    private static void print(Collection<RunResult> results, String before) {
        Map<String, double[]> byName = new LinkedHashMap<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            var stats = result.getPrimaryResult().getStatistics();
            byName.put(name, new double[] {
                stats.getPercentile(50),
                stats.getMean(),
                result.getPrimaryResult().getScoreError(),
                stats.getN()
            });
        }
        System.out.println();
        System.out.println("== embed token benchmarks (issue 7) ==");
        System.out.println("machine at start: " + before);
        System.out.println("machine at end:   " + Fixtures.machine());
        System.out.printf(
                Locale.ROOT,
                "%-24s %12s %12s %10s %6s%n",
                "benchmark",
                "median ns/op",
                "mean ns/op",
                "± 99.9%",
                "iters");
        byName.forEach((name, s) -> System.out.printf(
                Locale.ROOT, "%-24s %12.1f %12.1f %10.1f %6d%n", name, s[0], s[1], s[2], (long) s[3]));
        System.out.println();
        double warm = median(byName, "verifyWarm");
        double cold = median(byName, "verifyCold");
        double uncached = median(byName, "verifyUncached");
        double jose4j = median(byName, "jose4jConsumer");
        double hmac = median(byName, "hmacSha256");
        double mint = median(byName, "mint");
        if (!Double.isNaN(warm)) {
            System.out.printf(
                    Locale.ROOT,
                    "budget warm verify <= 1 us:            %8.3f us  %s%n",
                    warm / 1000,
                    verdict(warm <= WARM_BUDGET_NANOS));
        }
        if (!Double.isNaN(cold) && !Double.isNaN(jose4j)) {
            System.out.printf(
                    Locale.ROOT,
                    "budget cold verify <= 1.2x jose4j:     %8.3f x   %s%n",
                    cold / jose4j,
                    verdict(cold / jose4j <= COLD_BUDGET_RATIO));
        }
        if (!Double.isNaN(uncached) && !Double.isNaN(jose4j)) {
            System.out.printf(Locale.ROOT, "uncached verify / jose4j:              %8.3f x%n", uncached / jose4j);
        }
        if (!Double.isNaN(warm) && !Double.isNaN(cold)) {
            System.out.printf(Locale.ROOT, "cold / warm verify:                    %8.1f x%n", cold / warm);
        }
        if (!Double.isNaN(hmac) && !Double.isNaN(jose4j)) {
            System.out.printf(Locale.ROOT, "HMAC share of a jose4j verification:   %8.1f %%%n", 100 * hmac / jose4j);
        }
        if (!Double.isNaN(mint) && !Double.isNaN(jose4j)) {
            System.out.printf(Locale.ROOT, "mint / jose4j verification:            %8.3f x%n", mint / jose4j);
        }
    }

    private static double median(Map<String, double[]> byName, String name) {
        double[] s = byName.get(name);
        return s == null ? Double.NaN : s[0];
    }

    private static String verdict(boolean met) {
        return met ? "MET" : "MISSED";
    }
}
