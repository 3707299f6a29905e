package dev.embed.internal;

import dev.embed.token.TokenKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * What the benchmark programs share: services built as {@code Embed} builds them, and machine
 * facts. In the library's internal package (benchmarks jar only) to reach the token service.
 */
public final class Fixtures {
    /** The issuer and audience the library uses by default (embed.issuer, embed.audience). */
    public static final String ISSUER = "embed";

    public static final String AUDIENCE = "embed";
    public static final long SKEW_SECONDS = 30;

    private Fixtures() {}

    /** 32 random bytes: a fresh HS256 secret per run, never printed. */
    public static byte[] randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    /** A token service like the library's default one, with a verified-token cache of {@code cacheSize}. */
    static TokenService tokenService(byte[] secret, Clock clock, long cacheSize) {
        return new TokenService(
                KeyRing.hs256(secret, List.of()),
                ISSUER,
                AUDIENCE,
                SKEW_SECONDS,
                clock,
                new MemoryRevocations(clock, 1_000_000),
                cacheSize);
    }

    /** A token like the demo's flow B mint makes, for {@code sessionId}, signed with a fresh secret. */
    public static String demoToken(String sessionId) {
        return tokenService(randomSecret(), Clock.systemUTC(), 0)
                .mint(demoSpec(sessionId))
                .token();
    }

    /** A token like the demo's flow B mint makes: 1 hour, space demo, agent support, a display name. */
    static TokenSpec demoSpec(String sessionId) {
        return new TokenSpec(
                TokenKind.EMBED_SESSION,
                "customer-123",
                sessionId,
                3600,
                "demo",
                "support",
                "chat",
                "Kelly",
                List.of(),
                null);
    }

    /** "model name" of /proc/cpuinfo, or "unknown". */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    /** The three load averages of /proc/loadavg, or "unknown". */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                    .split(" ", -1);
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    public static String machine() {
        return String.format(
                Locale.ROOT,
                "%d cores (%s), JDK %s (%s), load average %s",
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("java.vm.version"),
                System.getProperty("java.vm.name"),
                loadAverage());
    }
}
