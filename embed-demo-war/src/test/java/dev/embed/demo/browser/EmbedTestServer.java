package dev.embed.demo.browser;

import dev.embed.apikey.ApiKeys;
import dev.embed.testing.JettyServer;
import dev.embed.testing.Readme;
import dev.embed.testing.TestKeys;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embed server of the browser tests: the README's {@code web.xml} fragment on Jetty at {@code
 * http://127.0.0.1:{port}/shop}, behind {@link ClockedEmbedListener} (a clock the tests move and
 * the echo agent), with one API key whose origins are the customer site's.
 */
final class EmbedTestServer {
    private EmbedTestServer() {}

    /** Starts it for {@code site}, with {@code extra} context-params (e.g. {@code embed.pages.allowTopLevel}). */
    static JettyServer start(CustomerSite site, Map<String, String> extra) throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("embed.signing.secret", TestKeys.SECRET);
        params.put(
                "embed.apiKey.site",
                "sha256:" + ApiKeys.sha256Hex(TestKeys.ACME_KEY)
                        + ";tenant=acme;agents=demo/*;sources=docs,faq;origins=" + site.origin());
        params.put("embed.agents", "demo/support,demo/sales");
        params.put("embed.agent.timeoutSeconds", "10");
        params.putAll(extra);
        JettyServer embed = JettyServer.start(webXml(params), "/shop");
        site.embedBase(embed.base().toString());
        return embed;
    }

    /** The README's fragment behind a listener that gives the runtime the tests' clock. */
    private static String webXml(Map<String, String> params) throws IOException {
        StringBuilder xml = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                """);
        params.forEach((name, value) -> xml.append("  <context-param><param-name>")
                .append(name)
                .append("</param-name><param-value>")
                .append(value)
                .append("</param-value></context-param>\n"));
        xml.append("  <listener><listener-class>")
                .append(ClockedEmbedListener.class.getName())
                .append("</listener-class></listener>\n");
        Readme.webXmlFragment()
                .lines()
                .filter(line -> !line.startsWith("```"))
                .forEach(line -> xml.append(line).append('\n'));
        return xml.append("</web-app>\n").toString();
    }
}
