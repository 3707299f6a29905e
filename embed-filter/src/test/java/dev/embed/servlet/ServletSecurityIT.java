package dev.embed.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.embed.testing.AdapterContract;
import dev.embed.testing.Deployment;
import dev.embed.testing.Http;
import dev.embed.testing.JettyServer;
import dev.embed.testing.RawHttp;
import dev.embed.testing.SecurityContract;
import dev.embed.testing.TestKeys;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.Test;

/**
 * The servlet adapter withstands the attacks of issue 8: a real Jetty 12 deploys a {@code web.xml}
 * made of exactly the README's adoption fragment, under {@code /shop}.
 */
class ServletSecurityIT extends SecurityContract {
    @Override
    protected Deployment deploy(Map<String, String> configuration, int requestHeaderBytes) throws Exception {
        String probe = "<filter><filter-name>probe</filter-name><filter-class>" + PrincipalProbeFilter.class.getName()
                + "</filter-class><async-supported>true</async-supported></filter>"
                + "<filter-mapping><filter-name>probe</filter-name><url-pattern>/api/v1/embed/*</url-pattern></filter-mapping>";
        JettyServer jetty = JettyServer.start(JettyServer.webXml(configuration, probe), "/shop");
        for (Connector connector : jetty.server().getConnectors()) {
            // Read by every new connection: no restart needed.
            HttpConfiguration http =
                    connector.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration();
            http.setRequestHeaderSize(requestHeaderBytes);
            http.setHeaderCacheCaseSensitive(true); // SECURITY.md
        }
        return jetty;
    }

    /**
     * Why SECURITY.md asks Jetty deployments for {@code headerCacheCaseSensitive=true}: with Jetty
     * 12's default, a token that differs from one sent earlier on the same connection only in
     * letter case reaches the library as that earlier token, so a tampered token is let through.
     * The library cannot see it happen. Should this test fail, Jetty changed its default: revisit
     * SECURITY.md.
     */
    @Test
    void jettyWhenHeaderCacheLeftCaseInsensitiveThenCaseVariantOfAnEarlierTokenIsReplacedByIt() throws Exception {
        try (JettyServer jetty = JettyServer.start(JettyServer.webXml(AdapterContract.configuration(), ""), "/shop")) {
            Map<String, Object> minted = Http.json(Http.postJson(
                    jetty.uri("/api/v1/spaces/demo/agents/support/embed-sessions"),
                    TestKeys.ACME_KEY,
                    "{\"externalUserId\": \"customer-123\"}"));
            String token = (String) minted.get("token");
            String path = jetty.uri("/api/v1/embed/chat-sessions/" + minted.get("sessionId"))
                    .getRawPath();
            int at = token.lastIndexOf('.') + 1;
            while (!Character.isLetter(token.charAt(at))) {
                at++;
            }
            String variant = token.substring(0, at) + (char) (token.charAt(at) ^ 0x20) + token.substring(at + 1);

            List<RawHttp.Answer> alone = RawHttp.sendOnOneConnection(
                    jetty.base(), List.of("GET " + path + " HTTP/1.1\nAuthorization: Bearer " + variant));
            List<RawHttp.Answer> after = RawHttp.sendOnOneConnection(
                    jetty.base(),
                    List.of(
                            "GET " + path + " HTTP/1.1\nAuthorization: Bearer " + token,
                            "GET " + path + " HTTP/1.1\nAuthorization: Bearer " + variant));

            assertEquals(401, alone.get(0).status());
            assertEquals(200, after.get(0).status());
            assertEquals(200, after.get(1).status(), "Jetty no longer swaps in the cached value: see SECURITY.md");
        }
    }
}
