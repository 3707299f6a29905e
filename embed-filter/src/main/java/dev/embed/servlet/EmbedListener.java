package dev.embed.servlet;

import dev.embed.Embed;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.Map;

/**
 * Starts the library when the web application starts, so a configuration mistake fails the
 * deployment at once with a message naming the key, and stops it with the application.
 *
 * <pre>{@code
 * <listener>
 *   <listener-class>dev.embed.servlet.EmbedListener</listener-class>
 * </listener>
 * }</pre>
 *
 * Configuration comes from context-params, the properties file named by {@code embed.configFile},
 * system properties and {@code EMBED_*} environment variables (later overriding earlier). An
 * application that sets the {@link Embed#ATTRIBUTE} attribute itself, earlier, keeps its own.
 */
public final class EmbedListener implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletSupport.runtime(event.getServletContext(), Map.of());
    }

    /**
     * The application's {@link Embed}, started by this listener (or built now from the context's
     * configuration if it has not run): what a JAX-RS application in the same WAR passes to {@code
     * new EmbedFeature(...)}, so both adapters share one runtime.
     */
    public static Embed runtime(jakarta.servlet.ServletContext context) {
        return ServletSupport.runtime(context, Map.of());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object embed = event.getServletContext().getAttribute(Embed.ATTRIBUTE);
        if (embed instanceof Embed started) {
            started.close();
        }
    }
}
