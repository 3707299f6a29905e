package dev.embed.langchain4j;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The failure handed to the library shows neither the provider's text nor the key. */
final class LeakAssertions {
    private LeakAssertions() {}

    static void assertNoProviderTextOrKey(Throwable failure, String providerText) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        String shown = failure + "\n" + trace;
        assertFalse(shown.contains(Fixtures.API_KEY), "the failure shows the key");
        assertFalse(shown.contains(providerText), "the failure shows the provider's text");
    }
}
