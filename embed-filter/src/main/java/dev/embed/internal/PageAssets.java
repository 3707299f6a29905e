package dev.embed.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The files of the hosted pages (DESIGN §6), read once from the library jar under {@value
 * #RESOURCES}: every file listed in {@code assets/assets.txt} (the page's ES modules and style),
 * served at {@code /embed/assets/{version}/{name}} (immutable) and, for compatibility, at {@code
 * /embed/assets/{name}} (short cache), where {@link #version()} is a hash over all of them; and the
 * files any origin may load, {@code widget.js}, {@code sdk.js} and {@code sdk.d.ts}. Thread-safe.
 */
final class PageAssets {
    /** Where the pages' files live on the class path. */
    static final String RESOURCES = "META-INF/resources/embed/";

    /** Where the names of the page's assets are listed, one per line, relative to {@code assets/}. */
    static final String ASSET_LIST = "assets/assets.txt";

    static final String LONG_CACHE = Endpoint.Cache.IMMUTABLE.header();
    static final String SHORT_CACHE = Endpoint.Cache.SHORT.header();

    /** An asset's name: lowercase letters, digits and '-', with one of the served extensions. */
    private static final Pattern ASSET_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}\\.(js|css|html)");

    private final Map<String, Asset> assets;
    private final Map<String, Asset> crossOrigin;
    private final String version;
    private final String preloads;

    PageAssets() {
        Map<String, Asset> listed = new LinkedHashMap<>();
        MessageDigest digest = sha256();
        for (String name : assetNames(resource(ASSET_LIST))) {
            Asset asset = new Asset(resource("assets/" + name), contentType(name));
            listed.put(name, asset);
            digest.update((name + "\0" + asset.body() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        this.assets = Map.copyOf(listed);
        this.version = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        this.crossOrigin = Map.of(
                "widget.js", new Asset(resource("widget.js"), contentType("widget.js")),
                "sdk.js", new Asset(resource("sdk.js"), contentType("sdk.js")),
                "sdk.d.ts", new Asset(resource("sdk.d.ts"), "application/typescript; charset=utf-8"));
        StringBuilder preload = new StringBuilder();
        for (String name : listed.keySet()) {
            if (name.endsWith(".js") && !"chat.js".equals(name)) {
                preload.append("<link rel=\"modulepreload\" href=\"{{BASE}}/embed/assets/{{VERSION}}/")
                        .append(name)
                        .append("\">\n    ");
            }
        }
        this.preloads = preload.toString().strip();
    }

    /**
     * The hash the page's asset URLs carry, so a new library version is never served stale assets:
     * the first 12 hex digits of the SHA-256 over every listed asset, in the order of {@value
     * #ASSET_LIST}, each as its name, a NUL, its text and a NUL.
     */
    String version() {
        return version;
    }

    /** The {@code <link rel="modulepreload">} lines of the page's modules but {@code chat.js}, with the placeholders. */
    String preloads() {
        return preloads;
    }

    /** {@code /embed/assets/{name}}: short cache; null when no such asset. */
    @Nullable
    Reply asset(String name) {
        Asset asset = assets.get(name);
        return asset == null ? null : answer(asset, SHORT_CACHE, "same-origin");
    }

    /**
     * {@code /embed/assets/{version}/{name}}: immutable when {@code version} is today's; another
     * version (a page from before an upgrade, or from another node mid-deploy) gets today's file,
     * but never under an immutable cache entry that would pin it to that version. Null when no
     * such asset.
     */
    @Nullable
    Reply asset(String version, String name) {
        Asset asset = assets.get(name);
        if (asset == null || !version.matches("[0-9a-f]{12}")) {
            return null;
        }
        return answer(asset, this.version.equals(version) ? LONG_CACHE : SHORT_CACHE, "same-origin");
    }

    /** {@code /embed/widget.js}, {@code /embed/sdk.js}, {@code /embed/sdk.d.ts}: any origin, short cache. */
    Reply crossOrigin(String name) {
        Asset asset = crossOrigin.get(name);
        if (asset == null) {
            throw new IllegalArgumentException("no cross-origin file " + name);
        }
        return answer(asset, SHORT_CACHE, "cross-origin");
    }

    private static Reply answer(Asset asset, String cacheControl, String resourcePolicy) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", cacheControl);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Cross-Origin-Resource-Policy", resourcePolicy);
        headers.put("Referrer-Policy", "no-referrer");
        if ("cross-origin".equals(resourcePolicy)) {
            // Public files: a customer's page may load them with crossorigin (e.g. for Subresource Integrity).
            headers.put("Access-Control-Allow-Origin", "*");
        }
        return new Reply(200, headers, asset.contentType(), asset.body());
    }

    /** The names in {@value #ASSET_LIST}: one per line; blank lines and lines starting with # are skipped. */
    static List<String> assetNames(String list) {
        List<String> names = new ArrayList<>();
        for (String line : list.split("\n", -1)) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            if (!ASSET_NAME.matcher(name).matches() || names.contains(name)) {
                throw new IllegalStateException("embed: " + RESOURCES + ASSET_LIST + " lists \"" + name + "\", which is"
                        + " not a unique asset name (lowercase letters, digits and '-', then .js, .css or .html)");
            }
            names.add(name);
        }
        if (!names.contains("chat.js") || !names.contains("chat.css")) {
            throw new IllegalStateException("embed: " + RESOURCES + ASSET_LIST + " must list chat.js and chat.css");
        }
        return names;
    }

    private static String contentType(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/html; charset=utf-8";
    }

    /** A file of the pages, as text. */
    static String resource(String name) {
        ClassLoader loader = PageAssets.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("embed: " + RESOURCES + name + " is missing from the class path;"
                        + " the embed-filter jar is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("embed: cannot read " + RESOURCES + name, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A served file: its text and content type. */
    private record Asset(String body, String contentType) {}
}
