package dev.embed.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The log check of issue 8 works: {@link LogCapture} is installed for this run without being named
 * by any test, captures the library's debug records too, and recognises every kind of secret. (The
 * checks run on descriptions of records here, never by logging a secret: that would fail the run.)
 */
class LogCaptureTest {
    @Test
    void logCaptureWhenLibraryLoggerWritesDebugThenRecordCaptured() {
        String marker = "log-capture-probe-" + System.nanoTime();

        System.getLogger("dev.embed.probe").log(System.Logger.Level.DEBUG, marker);

        assertTrue(
                LogCapture.records().stream().anyMatch(r -> r.contains(marker)),
                "the auto-detected extension is not capturing the library's debug records");
    }

    @Test
    void leaksWhenRecordShowsASecretThenFoundAndDescribedWithoutQuotingIt() {
        String token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
        String fingerprint = "00ff00ff00ff00ff00ff";
        Secrets.add(fingerprint);

        List<String> leaks = LogCapture.leaks(List.of(
                "dev.embed INFO minted " + token,
                "dev.embed INFO key " + TestKeys.ACME_KEY,
                "dev.embed WARNING secret " + TestKeys.SECRET,
                "dev.embed FINE device " + fingerprint,
                "dev.embed INFO a session ses_abc ended"));

        // One each, and two for the key: a known value and the shape of a key.
        assertEquals(5, leaks.size(), leaks.toString());
        for (String leak : leaks) {
            assertFalse(
                    leak.contains(token)
                            || leak.contains(TestKeys.ACME_KEY)
                            || leak.contains(TestKeys.SECRET)
                            || leak.contains(fingerprint),
                    "a finding quotes the secret: " + leak);
        }
    }

    @Test
    void findWhenTextHasNoSecretThenNothing() {
        assertEquals(List.of(), Secrets.find("embed: started; tokens signed with kid hs-ADw4kLcb0xZA"));
        assertEquals(
                List.of(),
                Secrets.find("{\"error\":\"invalid_token\",\"error_description\":\"the token has expired\"}"));
    }
}
