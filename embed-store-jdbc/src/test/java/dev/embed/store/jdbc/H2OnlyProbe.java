package dev.embed.store.jdbc;

import dev.embed.config.ConfigException;
import dev.embed.config.EmbedConfig;
import dev.embed.store.EmbedSession;
import dev.embed.store.EmbedStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Run by {@link H2OnlyClasspathTest} inside a class loader without pgjdbc: finds the provider by
 * {@code ServiceLoader}, uses a store on H2, and sees a PostgreSQL URL refused with a clear message.
 */
public final class H2OnlyProbe {
    private H2OnlyProbe() {}

    /** What happened, as text the test checks. */
    public static String run() {
        EmbedStore.Provider provider = null;
        for (EmbedStore.Provider candidate :
                ServiceLoader.load(EmbedStore.Provider.class, H2OnlyProbe.class.getClassLoader())) {
            if (candidate.name().equals("jdbc")) {
                provider = candidate;
            }
        }
        if (provider == null) {
            return "no jdbc provider";
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        StringBuilder report = new StringBuilder();
        try (EmbedStore store = provider.open(
                EmbedConfig.of(Map.of(
                        "embed.store.jdbc.url", "jdbc:h2:mem:h2_only;DB_CLOSE_DELAY=-1",
                        "embed.store.jdbc.schema", "upgrade")),
                Clock.systemUTC(),
                scheduler)) {
            EmbedSession session = new EmbedSession(
                    "ses_h2only",
                    "tenant",
                    null,
                    null,
                    "user",
                    null,
                    "chat",
                    "session",
                    Clock.systemUTC().instant(),
                    Clock.systemUTC().instant().plus(Duration.ofHours(1)),
                    List.of(),
                    null);
            store.sessions().create(session);
            store.messages()
                    .appendUserMessage(session, "hello", null, Clock.systemUTC().instant());
            store.revocations()
                    .revokeSession("ses_other", Clock.systemUTC().instant().plusSeconds(60));
            report.append(store.describe())
                    .append(" | messages=")
                    .append(store.messages()
                            .page(session.id(), null, null, 10)
                            .orElseThrow()
                            .messages()
                            .size())
                    .append(" | revoked=")
                    .append(store.revocations().isSessionRevoked("ses_other"));
        }
        try {
            provider.open(
                            EmbedConfig.of(Map.of("embed.store.jdbc.url", "jdbc:postgresql://localhost/embed")),
                            Clock.systemUTC(),
                            scheduler)
                    .close();
            report.append(" | postgresql opened?!");
        } catch (ConfigException e) {
            report.append(" | ").append(e.getMessage());
        } finally {
            scheduler.shutdownNow();
        }
        return report.toString();
    }
}
