package dev.embed.demo.deploy;

import dev.embed.testing.Secrets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the demo nodes of one test share: the demo key and the signing secret (fresh per test class). */
record Cluster(String apiKey, String signingSecret) {
    private static final SecureRandom RANDOM = new SecureRandom();

    static Cluster generate() {
        Cluster cluster = new Cluster(
                "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes()),
                Base64.getEncoder().encodeToString(bytes()));
        Secrets.add(cluster.apiKey);
        Secrets.add(cluster.signingSecret);
        return cluster;
    }

    /** The variables of a node of this cluster, with {@code more}. */
    Map<String, String> environment(Map<String, String> more) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EMBED_DEMO_API_KEY", apiKey);
        env.put("EMBED_SIGNING_SECRET", signingSecret);
        env.putAll(more);
        return env;
    }

    DemoApi api() {
        return new DemoApi(apiKey);
    }

    @Override
    public String toString() {
        return "Cluster[(secrets redacted)]";
    }

    private static byte[] bytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
