package dev.embed.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark baseline stays off unless EMBED_DEMO_BENCH (or embed.demo.bench) says exactly true. */
class BenchmarkBaselineServletTest {

    @ParameterizedTest(name = "property={0}, env={1} -> {2}")
    @CsvSource(
            nullValues = "null",
            value = {
                "null, null, false",
                "null, true, true",
                "null, ' TRUE ', true",
                "true, null, true",
                "false, true, false",
                "null, yes, false",
                "null, 1, false",
                "null, '', false"
            })
    void enabledWhenConfiguredThenOnlyExactlyTrueTurnsItOn(String property, String env, boolean expected) {
        assertEquals(expected, BenchmarkBaselineServlet.enabled(property, env));
    }
}
