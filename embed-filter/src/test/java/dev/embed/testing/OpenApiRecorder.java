package dev.embed.testing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keeps every exchange that {@link Http#send} and {@link RawHttp} make, for {@link
 * OpenApiConformance} to check against the OpenAPI document when the deployment that answered them
 * closes. Thread-safe; held in memory only (never written anywhere: the exchanges carry
 * credentials).
 */
public final class OpenApiRecorder {
    /** Request bodies larger than this are not kept (attack payloads answered 413). */
    static final int MAX_REQUEST_BODY = 1024 * 1024;
    /** Header values are cut to this length: a 1 MB token teaches the check nothing more than 16 KiB of it. */
    static final int MAX_HEADER_VALUE = 16 * 1024;

    private static final Queue<Exchange> EXCHANGES = new ConcurrentLinkedQueue<>();

    private OpenApiRecorder() {}

    /** Records an exchange of {@link Http#send}. */
    public static void record(HttpRequest request, HttpResponse<String> response) {
        Map<String, List<String>> requestHeaders = lowerCase(request.headers().map());
        Optional<String> body = request.bodyPublisher()
                .filter(p -> p.contentLength() > 0 && p.contentLength() <= MAX_REQUEST_BODY)
                .map(SecretsObserver::read);
        URI uri = request.uri();
        EXCHANGES.add(new Exchange(
                request.method(),
                uri.getRawAuthority(),
                uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
                requestHeaders,
                body,
                response.statusCode(),
                lowerCase(response.headers().map()),
                response.body() == null ? "" : response.body(),
                false));
    }

    /**
     * Records an exchange of {@link RawHttp}: {@code head} is the request line and header lines
     * (separated by {@code \n}, without {@code Host}), {@code body} the body or null.
     */
    public static void record(URI base, String head, String body, RawHttp.Answer answer) {
        String[] lines = head.split("\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        boolean folded = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith(" ") || line.startsWith("\t")) {
                folded = true; // obs-fold (RFC 9112 §5.2): the container refuses the request
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(
                                line.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(cut(line.substring(colon + 1).strip()));
            }
        }
        Optional<String> kept = body == null || body.length() > MAX_REQUEST_BODY ? Optional.empty() : Optional.of(body);
        EXCHANGES.add(new Exchange(
                requestLine[0],
                base.getRawAuthority(),
                requestLine.length > 1 ? requestLine[1] : "/",
                headers,
                kept,
                answer.status(),
                answer.headers(),
                answer.body(),
                folded));
    }

    /**
     * Removes and returns the exchanges sent to {@code base}'s host and port under its path (the
     * application's context path), in the order they were recorded.
     */
    public static List<Exchange> take(URI base) {
        List<Exchange> taken = new ArrayList<>();
        for (Iterator<Exchange> it = EXCHANGES.iterator(); it.hasNext(); ) {
            Exchange exchange = it.next();
            if (belongsTo(exchange, base)) {
                it.remove();
                taken.add(exchange);
            }
        }
        return taken;
    }

    static boolean belongsTo(Exchange exchange, URI base) {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String path = exchange.path();
        return exchange.authority().equals(base.getRawAuthority())
                && (basePath.isEmpty() || path.equals(basePath) || path.startsWith(basePath + "/"));
    }

    private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            List<String> cut = new ArrayList<>();
            for (String value : values) {
                cut.add(cut(value));
            }
            out.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .addAll(cut);
        });
        return out;
    }

    private static String cut(String value) {
        return value.length() > MAX_HEADER_VALUE ? value.substring(0, MAX_HEADER_VALUE) : value;
    }
}
