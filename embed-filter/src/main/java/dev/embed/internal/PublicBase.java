package dev.embed.internal;

import dev.embed.config.ConfigKey;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedError;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where browsers reach the application: the base of every URL the library generates ({@code
 * embedUrl}, {@code embedApi}, {@code iframe_url}). The {@code Host} header is the caller's to
 * choose, so it decides nothing unless it is trusted (issue 13 finding 6: {@code Host:
 * evil.example} on a mint gave {@code http://evil.example/embed/chat/…#token=…}):
 *
 * <ol>
 *   <li>{@code embed.publicBaseUrl} when set: always that;
 *   <li>else the request's scheme, host, port and context path, when its host is one of {@code
 *       embed.allowedHosts} (a name, or {@code name:port}; by default the loopback names, so that
 *       a developer's {@code localhost} works), or when {@code embed.devMode=true};
 *   <li>else the request is refused, 400 {@code invalid_request} naming the two settings. The
 *       decision is per request (a deployment that only uses flow C is unaffected), and start-up
 *       warns when neither setting is made.
 * </ol>
 */
final class PublicBase {
    private static final System.Logger LOG = System.getLogger("dev.embed");
    private static final String HOST = "[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]";

    private final String publicBaseUrl;
    private final Set<String> allowedHosts;
    private final boolean anyHost;

    PublicBase(String publicBaseUrl, List<String> allowedHosts, boolean anyHost) {
        this.publicBaseUrl = publicBaseUrl;
        Set<String> hosts = new TreeSet<>();
        for (String host : allowedHosts) {
            hosts.add(host.toLowerCase(Locale.ROOT));
        }
        this.allowedHosts = Set.copyOf(hosts);
        this.anyHost = anyHost;
    }

    /** The rule {@code config} sets, validated; warns when URLs cannot be generated for any host. */
    static PublicBase of(EmbedConfig config) {
        String base = config.get(ConfigKey.PUBLIC_BASE_URL, "");
        if (!base.isEmpty() && !base.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            throw config.invalid(
                    ConfigKey.PUBLIC_BASE_URL, "must be an absolute http(s) URL without query or fragment");
        }
        List<String> hosts = config.getList(ConfigKey.ALLOWED_HOSTS);
        for (String host : hosts) {
            if (!host.matches("(" + HOST + ")(:[0-9]{1,5})?")) {
                throw config.invalid(
                        ConfigKey.ALLOWED_HOSTS, "must list host names or host:port pairs, separated by spaces");
            }
        }
        boolean dev = config.getBoolean(ConfigKey.DEV_MODE);
        if (base.isEmpty() && !dev && !config.isSet(ConfigKey.ALLOWED_HOSTS)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "embed: neither " + ConfigKey.PUBLIC_BASE_URL.key() + " nor " + ConfigKey.ALLOWED_HOSTS.key()
                            + " is set: mints that generate URLs (flows A, B and D) answer 400 unless the request's"
                            + " Host is " + String.join(", ", hosts) + ". Set " + ConfigKey.PUBLIC_BASE_URL.key()
                            + " to the URL browsers use.");
        }
        return new PublicBase(base.endsWith("/") ? base.substring(0, base.length() - 1) : base, hosts, dev);
    }

    /** {@code embed.publicBaseUrl}, or {@code ""} when URLs follow the request's (trusted) host. */
    String configured() {
        return publicBaseUrl;
    }

    /**
     * The base URL for this request, without a trailing slash.
     *
     * @throws dev.embed.error.EmbedException 400 when no public base URL is set and the request's
     *     host is not allowed
     */
    String baseUrl(Exchange exchange) {
        if (!publicBaseUrl.isEmpty()) {
            return publicBaseUrl;
        }
        String scheme = exchange.scheme();
        int port = exchange.port();
        boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        String host = exchange.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (!anyHost && !allowedHosts.contains(name) && !allowedHosts.contains(name + ":" + port)) {
            throw EmbedError.invalidRequest("this server does not generate URLs for the host this request was sent"
                            + " to: set " + ConfigKey.PUBLIC_BASE_URL.key() + " to the URL browsers use (or list the"
                            + " host in " + ConfigKey.ALLOWED_HOSTS.key() + ")")
                    .toException();
        }
        return scheme + "://" + host + (defaultPort || port < 0 ? "" : ":" + port) + exchange.contextPath();
    }

    /** The path of the base URL: where a hosted page finds the endpoints (the host plays no part). */
    String basePath(Exchange exchange) {
        return publicBaseUrl.isEmpty()
                ? exchange.contextPath()
                : java.net.URI.create(publicBaseUrl).getRawPath();
    }
}
