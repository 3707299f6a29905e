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
 * launcher, {@code EMBED_DEMO_API_KEY}, or generated and printed), allowed to mint for space
 * {@code demo}'s agents {@code support} and {@code sales} with sources {@code docs} and {@code faq}
 * and nothing else, and the {@link DemoAgent} (timed by {@code EMBED_DEMO_AGENT_DELAY_MS}) on the
 * library's scheduler.
 */
public final class DemoListener implements ServletContextListener {
    /** Context attribute holding the demo key, for the demo's own backend endpoint only. */
    static final String DEMO_KEY_ATTRIBUTE = "dev.embed.demo.apiKey";

    private volatile @Nullable ScheduledExecutorService scheduler;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        String key = System.getProperty("embed.demo.apiKey");
        if (key == null || key.isBlank()) {
            key = System.getenv("EMBED_DEMO_API_KEY");
        }
        if (key == null || key.isBlank()) {
            key = ApiKeys.generate();
            // The demo, and only the demo, prints its key: to standard output, never to a log.
            System.out.println("embed demo API key (generated; set EMBED_DEMO_API_KEY to choose one): " + key);
        }
        key = key.strip();
        String frameAncestors = firstNonBlank(System.getenv("EMBED_FRAME_ANCESTORS"), defaultFrameAncestors());

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
        demo.put("embed.frameAncestors", frameAncestors);
        EmbedConfig config = EmbedConfig.builder()
                .layer("context-param", contextParams)
                .layer("demo", demo)
                .systemProperties(System.getProperties())
                .environment(System.getenv())
                .build();
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
        context.setAttribute(
                Embed.ATTRIBUTE,
                Embed.builder(config).agent(agent).scheduler(shared).build());
        context.setAttribute(DEMO_KEY_ATTRIBUTE, key);
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

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a.strip() : b;
    }
}
