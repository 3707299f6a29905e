package dev.embed.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures everything logged in the test JVM, from its first test class to its last, and fails
 * the test class during which a secret was logged (issue 8: no API key, signing secret, token or
 * raw fingerprint ever reaches a log).
 *
 * <p>It is registered for every test class of the module by JUnit's extension auto-detection
 * ({@code junit-platform.properties}: {@code junit.jupiter.extensions.autodetection.enabled=true},
 * and {@code META-INF/services/org.junit.jupiter.api.extension.Extension}). It hangs one handler
 * on the root {@code java.util.logging} logger, which is where {@link System.Logger} (the
 * library's only logging) and Jersey write, and lowers the level of the library's loggers ({@code
 * dev.embed}) to {@link Level#ALL}, so that debug records are produced and checked too; the
 * console still shows only what it showed before. After each test class, the records logged since
 * the previous check are searched for every secret {@link Secrets} knows by then (and for the
 * shapes of tokens and API keys); at the end of the run, all of them once more against every
 * secret, for records logged after the last class (a worker thread finishing late).
 */
public final class LogCapture implements BeforeAllCallback, AfterAllCallback {
    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger LIBRARY = Logger.getLogger("dev.embed");

    private static final List<String> RECORDS = new ArrayList<>();
    private static final Object LOCK = new Object();
    private static volatile boolean installed;
    private static int checked;

    /** The extension auto-detection creates it; installing on creation misses nothing of the run. */
    public LogCapture() {
        install();
    }

    /** Installs the handler once per JVM. */
    public static void install() {
        synchronized (LOCK) {
            if (installed) {
                return;
            }
            LIBRARY.setLevel(Level.ALL);
            Logger.getLogger("").addHandler(new Capturing());
            Runtime.getRuntime().addShutdownHook(new Thread(LogCapture::finalCheck, "log-capture-final-check"));
            installed = true;
        }
    }

    /** Every record captured so far, formatted with its parameters and thrown exception. */
    public static List<String> records() {
        synchronized (LOCK) {
            return List.copyOf(RECORDS);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> fresh;
        synchronized (LOCK) {
            fresh = new ArrayList<>(RECORDS.subList(checked, RECORDS.size()));
            checked += fresh.size();
        }
        List<String> leaks = leaks(fresh);
        if (!leaks.isEmpty()) {
            throw new AssertionError("the log of " + context.getDisplayName() + " shows secrets: " + leaks);
        }
    }

    /** What the records reveal, described without quoting the secret. */
    public static List<String> leaks(List<String> records) {
        List<String> leaks = new ArrayList<>();
        for (String record : records) {
            for (String finding : Secrets.find(record)) {
                String logger = record.substring(0, Math.max(0, record.indexOf(' ')));
                leaks.add(finding + " in a record of " + logger);
            }
        }
        return leaks;
    }

    /** At exit the run's result is written already: the last word is on the console. */
    private static void finalCheck() {
        List<String> leaks = leaks(records());
        if (!leaks.isEmpty()) {
            System.err.println("LogCapture: the log of this test run shows secrets: " + leaks);
        }
    }

    private static final class Capturing extends Handler {
        private final SimpleFormatter formatter = new SimpleFormatter();

        Capturing() {
            setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            StringBuilder text = new StringBuilder();
            text.append(record.getLoggerName())
                    .append(' ')
                    .append(record.getLevel())
                    .append(' ');
            try {
                text.append(formatter.formatMessage(record));
            } catch (RuntimeException e) {
                text.append(record.getMessage());
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                text.append('\n').append(trace);
            }
            synchronized (LOCK) {
                RECORDS.add(text.toString());
            }
        }

        @Override
        public void flush() {
            // nothing buffered
        }

        @Override
        public void close() {
            // kept for the whole run
        }
    }
}
