package dev.embed.servlet;

import dev.embed.Embed;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedError;
import dev.embed.error.EmbedException;
import dev.embed.internal.Credentials;
import dev.embed.internal.JsonBodies;
import dev.embed.internal.Reply;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What every servlet-side component shares: finding the runtime, reading bodies, writing replies. */
final class ServletSupport {
    private static final System.Logger LOG = System.getLogger("dev.embed.servlet");

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
    static Embed runtime(jakarta.servlet.FilterConfig config) {
        return runtime(config.getServletContext(), params(config.getInitParameterNames(), config::getInitParameter));
    }

    /** The runtime, as a servlet starts it (its init-params are read if it is the one to build it). */
    static Embed runtime(jakarta.servlet.ServletConfig config) {
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

    static Map<String, String> params(Enumeration<String> names, java.util.function.Function<String, String> value) {
        Map<String, String> map = new LinkedHashMap<>();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            map.put(name, value.apply(name));
        }
        return map;
    }

    static void write(HttpServletResponse response, Reply reply) throws IOException {
        response.setStatus(reply.status());
        reply.headers().forEach(response::setHeader);
        if (reply.contentType() != null) {
            byte[] body = reply.bodyBytes();
            response.setContentType(reply.contentType());
            response.setContentLength(body.length);
            try (OutputStream out = response.getOutputStream()) {
                out.write(body);
            }
        }
    }

    static void fail(Embed embed, HttpServletResponse response, EmbedError error) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        write(response, embed.core().errors().render(error));
    }

    /** Logs an unexpected failure (type and message only: no request data) and answers 500. */
    static void serverError(Embed embed, HttpServletResponse response, String where, Throwable t) throws IOException {
        LOG.log(
                System.Logger.Level.ERROR,
                "embed: unexpected failure in " + where + ": " + t.getClass().getName(),
                t);
        fail(embed, response, EmbedError.serverError());
    }

    /** The request path without the context path, as sent (not decoded). */
    static String path(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    static List<String> authorizationHeaders(HttpServletRequest request) {
        return headers(request, "Authorization");
    }

    /** Every value of the named request header, in order. */
    static List<String> headers(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }

    /** 405 with {@code Allow} unless the request uses {@code allowed}. */
    static void requireMethod(HttpServletRequest request, HttpServletResponse response, String allowed) {
        if (!allowed.equals(request.getMethod())) {
            response.setHeader("Allow", allowed);
            throw EmbedError.methodNotAllowed("use " + allowed + " on this endpoint")
                    .toException();
        }
    }

    /** Whether the query string names a credential parameter (never reads the body). */
    static boolean credentialInQuery(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            try {
                name = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (Credentials.isCredentialParameter(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first value of a query parameter, percent-decoded as UTF-8, or null. Read from the raw
     * query string rather than with {@code getParameter}, which on Jetty throws for a malformed
     * escape such as {@code %zz} (a 500, issue 8): a part that does not decode is returned as sent,
     * so the field's own rule refuses it with a 400, as the JAX-RS adapter does.
     */
    static @Nullable String queryParameter(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (name.equals(decode(eq < 0 ? pair : pair.substring(0, eq)))) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    /** Reads a JSON object body by the shared rules of {@link JsonBodies}. */
    static Map<String, Object> readJsonObject(HttpServletRequest request, int maxBytes) throws IOException {
        return JsonBodies.readObject(
                request.getContentType(), request.getContentLengthLong(), request.getInputStream(), maxBytes);
    }

    /** The configured public base URL, else scheme://host[:port]/context of this request. */
    static String baseUrl(Embed embed, HttpServletRequest request) {
        return embed.core().publicBaseUrl().orElseGet(() -> {
            String scheme = request.getScheme();
            int port = request.getServerPort();
            boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
            String host = request.getServerName();
            if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            return scheme + "://" + host + (defaultPort ? "" : ":" + port) + request.getContextPath();
        });
    }

    /** Runs a handler, turning an {@link EmbedException} into its §5 answer and anything else into a logged 500. */
    static void guard(Embed embed, HttpServletResponse response, String where, Handler handler)
            throws IOException, jakarta.servlet.ServletException {
        try {
            handler.handle();
        } catch (EmbedException e) {
            fail(embed, response, e.error());
        } catch (RuntimeException e) {
            serverError(embed, response, where, e);
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle() throws IOException, jakarta.servlet.ServletException;
    }
}
