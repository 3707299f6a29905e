package dev.embed.bench.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Latencies in microseconds (HdrHistogram, 3 significant digits, up to one hour). Not thread-safe. */
final class Latency {
    private final Histogram histogram = new Histogram(3_600_000_000L, 3);

    void record(long micros) {
        histogram.recordValue(Math.max(0, Math.min(micros, 3_600_000_000L)));
    }

    void recordNanos(long nanos) {
        record(nanos / 1000);
    }

    long count() {
        return histogram.getTotalCount();
    }

    /** Percentile {@code p} (0-100) in milliseconds; NaN when empty. */
    double ms(double p) {
        return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(p) / 1000.0;
    }

    double maxMs() {
        return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
    }

    void reset() {
        histogram.reset();
    }

    void add(Latency other) {
        histogram.add(other.histogram);
    }

    /** "p50 p99 p999 max" in ms. */
    String summary() {
        return String.format(
                Locale.ROOT,
                "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (n=%d)",
                ms(50),
                ms(99),
                ms(99.9),
                maxMs(),
                count());
    }
}
