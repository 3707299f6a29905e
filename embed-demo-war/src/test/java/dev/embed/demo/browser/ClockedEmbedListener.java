package dev.embed.demo.browser;

import dev.embed.Embed;
import dev.embed.config.EmbedConfig;
import dev.embed.testing.EchoTestAgent;
import dev.embed.testing.MutableClock;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Declared before the README's fragment in the browser tests' {@code web.xml}: builds the runtime
 * from the context-params with a clock the tests move ({@link #CLOCK}, starting now, so that the
 * browser and the server agree on lifetimes) and the {@link EchoTestAgent}; the library's own
 * listener then keeps it.
 */
public final class ClockedEmbedListener implements ServletContextListener {
    /** The server's clock: tests advance it to make a credential expire without waiting. */
    // Read once, on purpose: the clock starts at the wall time the class loads and moves only when told.
    @SuppressWarnings("TimeInStaticInitializer")
    public static final MutableClock CLOCK = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Map<String, String> params = new LinkedHashMap<>();
        for (Enumeration<String> names = context.getInitParameterNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            params.put(name, context.getInitParameter(name));
        }
        context.setAttribute(
                Embed.ATTRIBUTE,
                Embed.builder(EmbedConfig.of(params))
                        .clock(CLOCK)
                        // embed.agent, when a test names one (e.g. GatedStreamingAgent), else the echo agent
                        .agent(params.containsKey("embed.agent") ? null : new EchoTestAgent())
                        .build());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        // EmbedListener closes the runtime.
    }
}
