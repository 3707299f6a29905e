package dev.embed.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Bytes a server process allocated during a window, read from outside with JFR: a recording started
 * with {@code jcmd <pid> JFR.start} whose only event is {@code jdk.ThreadAllocationStatistics}
 * (every thread's cumulative allocated bytes, sampled every second). Allocated in the window = for
 * each thread, its last sample at or after the end minus its last sample at or before the start (0
 * for a thread born inside the window). Unlike the JMX per-thread counters read twice, a thread that
 * dies during the window still counts up to its last sample (at most one second is lost), and
 * nothing changes in the server under test. The events that would copy the server's environment
 * (where its secret is) are turned off, and the recording is deleted once read.
 *
 * <p>Use: {@link #start}; wait {@link #SETTLE_MILLIS}; note {@code Instant.now()}; load; note the end;
 * wait {@link #SETTLE_MILLIS}; {@link #bytesBetween}.
 */
final class Allocation {
    static final long SETTLE_MILLIS = 1500;
    private static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="embed-load-allocation">
              <event name="jdk.ThreadAllocationStatistics">
                <setting name="enabled">true</setting>
                <setting name="period">1 s</setting>
              </event>
              <event name="jdk.InitialEnvironmentVariable"><setting name="enabled">false</setting></event>
              <event name="jdk.InitialSystemProperty"><setting name="enabled">false</setting></event>
              <event name="jdk.SystemProcess"><setting name="enabled">false</setting></event>
              <event name="jdk.JVMInformation"><setting name="enabled">false</setting></event>
            </configuration>
            """;

    private final long pid;
    private final Path file;
    private final String name;

    private Allocation(long pid, Path file, String name) {
        this.pid = pid;
        this.file = file;
        this.name = name;
    }

    static Allocation start(long pid, Path work, String label) throws IOException {
        Path settings = work.resolve("allocation.jfc");
        if (!Files.exists(settings)) {
            Files.writeString(settings, SETTINGS, StandardCharsets.UTF_8);
        }
        String name = "embed-load-" + label;
        String out = Servers.jcmd(pid, "JFR.start", "name=" + name, "settings=" + settings);
        if (!out.contains("Started recording")) {
            throw new IllegalStateException("JFR.start failed: " + out.strip());
        }
        return new Allocation(pid, work.resolve(name + ".jfr"), name);
    }

    /** Stops the recording and returns the bytes all threads allocated between {@code from} and {@code to}. */
    long bytesBetween(Instant from, Instant to) throws IOException {
        String dump = Servers.jcmd(pid, "JFR.dump", "name=" + name, "filename=" + file);
        Servers.jcmd(pid, "JFR.stop", "name=" + name);
        if (!Files.exists(file)) {
            throw new IllegalStateException("JFR.dump wrote nothing: " + dump.strip());
        }
        Map<Long, long[]> byThread = new HashMap<>(); // {before, after, afterSeen}
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                if (!event.getEventType().getName().equals("jdk.ThreadAllocationStatistics")) {
                    continue;
                }
                RecordedThread thread = event.getThread("thread");
                if (thread == null) {
                    continue;
                }
                String threadName = thread.getJavaName();
                if (threadName != null && (threadName.startsWith("JFR ") || threadName.equals("Attach Listener"))) {
                    continue; // the measurement's own threads
                }
                long allocated = event.getLong("allocated");
                Instant at = event.getStartTime();
                long[] v = byThread.computeIfAbsent(thread.getId(), id -> new long[] {0, -1, 0});
                if (!at.isAfter(from)) {
                    v[0] = Math.max(v[0], allocated);
                } else if (!at.isBefore(to) && v[2] == 0) {
                    v[1] = allocated;
                    v[2] = 1;
                } else if (v[2] == 0) {
                    v[1] = Math.max(v[1], allocated); // inside the window: the latest so far
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        long total = 0;
        for (long[] v : byThread.values()) {
            if (v[1] >= 0) {
                total += Math.max(0, v[1] - v[0]);
            }
        }
        return total;
    }
}
