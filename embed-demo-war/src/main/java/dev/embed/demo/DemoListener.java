package dev.embed.demo;

import dev.embed.Embed;
import dev.embed.apikey.ApiKeys;
import dev.embed.chat.EmbedAgent;
import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.net.URI;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.jspecify.annotations.Nullable;

/**
 * Sets the demo up before the library's own listener runs (DESIGN §7): the demo API key (from the
 * launcher, {@code EMBED_DEMO_API_KEY}, or generated once and kept in the data directory), allowed
 * to mint for space {@code demo}'s agents {@code support} and {@code sales} with sources {@code
 * docs} and {@code faq} and nothing else, and the {@link DemoAgent} unless {@code EMBED_AGENT}
 * names another: it streams its reply over {@code EMBED_DEMO_AGENT_DELAY_MS} on the scheduler the
 * demo also hands the library (one for both, never a thread per reply).
 *
 * <p>The demo keeps its state ({@link DemoState}, {@code EMBED_DATA_DIR}): its signing secret
 * unless {@code EMBED_SIGNING_SECRET} gives one, and by default the {@code jdbc} store on an H2
 * file in the same directory; {@code EMBED_STORE_JDBC_URL} (with {@code _USER}, {@code _PASSWORD})
 * or {@code EMBED_STORE_JDBC_DATA_SOURCE} names another database, {@code EMBED_STORE=memory}
 * keeps nothing. The demo owns its database: its schema mode is {@code upgrade}. Every one of
 * these is only a default: the demo's configuration sits below system properties and {@code
 * EMBED_*} variables, which override it.
 */
public final class DemoListener implements ServletContextListener {
    /** Context attribute holding the demo key, for the demo's own backend endpoint (and the launcher) only. */
    static final String DEMO_KEY_ATTRIBUTE = "dev.embed.demo.apiKey";

    /** Context attribute: where the demo key came from, for the launcher's start-up lines. */
    static final String DEMO_KEY_ORIGIN_ATTRIBUTE = "dev.embed.demo.apiKeyOrigin";

    /** Context attribute: the absolute data directory, for the launcher's start-up lines. */
    static final String DATA_DIR_ATTRIBUTE = "dev.embed.demo.dataDir";

    /** Context attribute: the store's description (never a password), for the launcher's start-up lines. */
    static final String STORE_ATTRIBUTE = "dev.embed.demo.store";

    /** System property the launcher sets: it prints the start-up lines itself. */
    static final String LAUNCHER_PROPERTY = "embed.demo.launcher";

    private volatile @Nullable ScheduledExecutorService scheduler;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        DemoState state =
                DemoState.open(System.getProperty(DemoState.DATA_DIR_PROPERTY), System.getenv(DemoState.DATA_DIR_ENV));
        String key = firstNonBlank(System.getProperty("embed.demo.apiKey"), System.getenv("EMBED_DEMO_API_KEY"));
        String keyOrigin = "EMBED_DEMO_API_KEY";
        if (key == null) {
            key = state.apiKey();
            keyOrigin = "kept in " + state.directory().resolve(DemoState.API_KEY_FILE)
                    + "; set EMBED_DEMO_API_KEY to choose one";
        }
        key = key.strip();
        String ancestors = firstNonBlank(System.getenv("EMBED_FRAME_ANCESTORS"), null);
        String frameAncestors = ancestors != null ? ancestors : defaultFrameAncestors();

        Map<String, String> contextParams = new LinkedHashMap<>();
        for (Enumeration<String> names = context.getInitParameterNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            contextParams.put(name, context.getInitParameter(name));
        }
        Map<String, String> demo = new LinkedHashMap<>();
        demo.put(
                "embed.apiKey.demo",
                "sha256:" + ApiKeys.sha256Hex(key)
                        + ";tenant=demo;agents=demo/support,demo/sales;sources=docs,faq;origins="
                        + frameAncestors.replace(' ', ','));
        demo.put(ConfigKey.FRAME_ANCESTORS.key(), frameAncestors);
        // What the operator set (EMBED_* variables, system properties, context-params) decides; the demo's
        // defaults below fill in only what nobody set.
        EmbedConfig given = config(contextParams, demo);
        if (!given.isSet(ConfigKey.SIGNING_SECRET)) {
            demo.put(ConfigKey.SIGNING_SECRET.key(), state.signingSecret());
        }
        demo.put(ConfigKey.STORE.key(), "jdbc");
        demo.put(ConfigKey.STORE_JDBC_SCHEMA.key(), "upgrade");
        if (!given.isSet(ConfigKey.STORE_JDBC_URL) && !given.isSet(ConfigKey.STORE_JDBC_DATA_SOURCE)) {
            demo.put(ConfigKey.STORE_JDBC_URL.key(), state.h2Url());
        }
        EmbedConfig config = config(contextParams, demo);
        // One scheduler for the library's timers and the demo agent's deltas: never a thread per reply.
        ScheduledThreadPoolExecutor shared = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "embed-demo-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        shared.setRemoveOnCancelPolicy(true);
        scheduler = shared;
        // The demo agent answers unless the operator names another one (embed.agent / EMBED_AGENT).
        EmbedAgent agent = config.get(ConfigKey.AGENT, "").isEmpty()
                ? new DemoAgent(
                        shared,
                        DemoAgent.configuredDelay(
                                System.getProperty("embed.demo.agentDelayMs"),
                                System.getenv("EMBED_DEMO_AGENT_DELAY_MS")))
                : null;
        Embed embed;
        try {
            embed = Embed.builder(config).agent(agent).scheduler(shared).build();
        } catch (RuntimeException e) {
            shared.shutdownNow();
            throw e;
        }
        context.setAttribute(Embed.ATTRIBUTE, embed);
        context.setAttribute(DEMO_KEY_ATTRIBUTE, key);
        context.setAttribute(DEMO_KEY_ORIGIN_ATTRIBUTE, keyOrigin);
        context.setAttribute(DATA_DIR_ATTRIBUTE, state.directory().toString());
        context.setAttribute(STORE_ATTRIBUTE, embed.store().describe());
        if (!Boolean.getBoolean(LAUNCHER_PROPERTY)) {
            // In a container the demo says what it uses; it prints its key (to standard output, never to a log)
            // only when it chose the key itself.
            System.out.println("embed demo: data in " + state.directory() + "; store "
                    + embed.store().describe()
                    + (keyOrigin.equals("EMBED_DEMO_API_KEY") ? "" : "; demo API key (" + keyOrigin + "): " + key));
        }
    }

    private static EmbedConfig config(Map<String, String> contextParams, Map<String, String> demo) {
        return EmbedConfig.builder()
                .layer("context-param", contextParams)
                .layer("demo", demo)
                .systemProperties(System.getProperties())
                .environment(System.getenv())
                .build();
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        // EmbedListener closes the runtime (it was started after this listener, so it stops first).
        ScheduledExecutorService shared = scheduler;
        if (shared != null) {
            shared.shutdownNow();
        }
    }

    /** The public base URL's origin plus any port on localhost and 127.0.0.1. */
    static String defaultFrameAncestors() {
        String base = firstNonBlank(System.getProperty("embed.publicBaseUrl"), System.getenv("EMBED_PUBLIC_BASE_URL"));
        String origin = "";
        if (base != null) {
            URI uri = URI.create(base);
            origin = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + " ";
        }
        return origin + "http://localhost:* http://127.0.0.1:*";
    }

    private static @Nullable String firstNonBlank(@Nullable String a, @Nullable String b) {
        return a != null && !a.isBlank() ? a.strip() : b != null && !b.isBlank() ? b.strip() : null;
    }
}
