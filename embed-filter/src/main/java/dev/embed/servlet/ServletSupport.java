package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.config.EmbedConfig;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Finding the application's {@link Embed}: what every servlet-side component shares. */
final class ServletSupport {
    private ServletSupport() {}

    /**
     * The application's {@link Embed}: the one an {@link EmbedListener} (or the host app) stored,
     * else one built now from context-params and the calling component's init-params.
     */
    static Embed runtime(ServletContext context, Map<String, String> initParams) {
        synchronized (context) {
            Object existing = context.getAttribute(Embed.ATTRIBUTE);
            if (existing instanceof Embed started) {
                return started;
            }
            Embed embed = Embed.fromConfig(config(context, initParams));
            context.setAttribute(Embed.ATTRIBUTE, embed);
            return embed;
        }
    }

    /** The runtime, as a filter starts it (its init-params are read if it is the one to build it). */
    static Embed runtime(FilterConfig config) {
        return runtime(config.getServletContext(), params(config.getInitParameterNames(), config::getInitParameter));
    }

    /** The runtime, as a servlet starts it (its init-params are read if it is the one to build it). */
    static Embed runtime(ServletConfig config) {
        return runtime(config.getServletContext(), params(config.getInitParameterNames(), config::getInitParameter));
    }

    static EmbedConfig config(ServletContext context, Map<String, String> initParams) {
        Map<String, String> contextParams = new LinkedHashMap<>();
        for (Enumeration<String> names = context.getInitParameterNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            contextParams.put(name, context.getInitParameter(name));
        }
        return EmbedConfig.builder()
                .layer("context-param", contextParams)
                .layer("init-param", initParams)
                .systemProperties(System.getProperties())
                .environment(System.getenv())
                .build();
    }

    private static Map<String, String> params(Enumeration<String> names, Function<String, String> value) {
        Map<String, String> map = new LinkedHashMap<>();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            map.put(name, value.apply(name));
        }
        return map;
    }
}
