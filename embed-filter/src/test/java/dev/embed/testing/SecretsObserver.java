package dev.embed.testing;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Feeds {@link Secrets} from the HTTP traffic of the tests and checks error answers: what {@link
 * Http#send} and {@link RawHttp} call around each exchange.
 */
public final class SecretsObserver {
    private static final Pattern FINGERPRINT = Pattern.compile("\"fingerprint\"\\s*:\\s*\"([0-9A-Fa-f]{8,128})\"");
    private static final Pattern CACHE_KEY = Pattern.compile("\"cache_key\"\\s*:\\s*\"([A-Za-z0-9_-]{22,128})\"");
    private static final Pattern TOKEN = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.([A-Za-z0-9_-]{16,})");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+(\\S+)");
    /** Bodies larger than this are attack payloads, not traffic with secrets worth reading back. */
    private static final long MAX_BODY_READ = 256 * 1024;

    private SecretsObserver() {}

    /** Remembers the credentials of a request about to be sent, and the fingerprint of its body. */
    public static void request(HttpRequest request) {
        for (String value : request.headers().allValues("Authorization")) {
            header("Authorization", value);
        }
        for (String value : request.headers().allValues("api-secret")) {
            header("api-secret", value);
        }
        request.bodyPublisher().ifPresent(publisher -> {
            if (publisher.contentLength() >= 0 && publisher.contentLength() <= MAX_BODY_READ) {
                text(read(publisher));
            }
        });
    }

    /** Remembers a header's credential. */
    public static void header(String name, String value) {
        if (value == null) {
            return;
        }
        if ("api-secret".equalsIgnoreCase(name)) {
            Secrets.add(value.strip());
            return;
        }
        Matcher bearer = BEARER.matcher(value);
        if (bearer.find()) {
            addToken(bearer.group(1));
        }
    }

    /** Remembers the tokens, cache keys and fingerprints a request or answer body holds. */
    public static void text(String body) {
        if (body == null) {
            return;
        }
        Matcher fingerprint = FINGERPRINT.matcher(body);
        while (fingerprint.find()) {
            Secrets.add(fingerprint.group(1));
            Secrets.add(fingerprint.group(1).toLowerCase(java.util.Locale.ROOT));
        }
        Matcher cacheKey = CACHE_KEY.matcher(body);
        while (cacheKey.find()) {
            Secrets.add(cacheKey.group(1));
        }
        Matcher token = TOKEN.matcher(body);
        while (token.find()) {
            addToken(token.group());
        }
    }

    /**
     * Remembers an answer's secrets, and fails if it is an error answer showing any secret known
     * so far (the request's own credentials included).
     */
    public static void response(int status, String body) {
        if (status >= 400) {
            List<String> found = Secrets.find(body);
            if (!found.isEmpty()) {
                throw new AssertionError("an error answer (" + status + ") shows " + found
                        + ": errors never echo a credential (DESIGN §5)");
            }
        }
        text(body);
    }

    /** A token, and its signature on its own: no log may show even that. */
    private static void addToken(String token) {
        Secrets.add(token);
        int dot = token.lastIndexOf('.');
        if (dot > 0 && token.length() - dot > 16) {
            Secrets.add(token.substring(dot + 1));
        }
    }

    /** The body a publisher sends, as UTF-8 text (empty if it cannot be read in 5 s). */
    static String read(HttpRequest.BodyPublisher publisher) {
        CompletableFuture<String> body = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                out.write(bytes, 0, bytes.length);
            }

            @Override
            public void onError(Throwable throwable) {
                body.complete("");
            }

            @Override
            public void onComplete() {
                body.complete(out.toString(StandardCharsets.UTF_8));
            }
        });
        try {
            return body.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "";
        }
    }
}
