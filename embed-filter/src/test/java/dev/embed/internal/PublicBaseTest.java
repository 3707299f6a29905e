package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.config.ConfigException;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 finding 6: the {@code Host} header decides the generated URLs only for a host the
 * deployment allows; {@code embed.publicBaseUrl} always wins.
 */
class PublicBaseTest {
    private static PublicBase of(Map<String, String> settings) {
        return PublicBase.of(EmbedConfig.of(settings));
    }

    private static FakeExchange to(String host) {
        return FakeExchange.request("POST", "/api/v1/iframe/create").host(host).contextPath("/shop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1", "LOCALHOST", "::1"})
    void baseUrlWhenDefaultsAndLoopbackHostThenFromTheRequest(String host) {
        String expected = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":8080/shop";
        assertEquals(expected, of(Map.of()).baseUrl(to(host)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "localhost.evil.example", "10.0.0.1", "shop.example"})
    void baseUrlWhenHostNotAllowedThenBadRequestNamingTheSetting(String host) {
        EmbedException refused =
                assertThrows(EmbedException.class, () -> of(Map.of()).baseUrl(to(host)));

        assertEquals(400, refused.error().status());
        assertEquals("invalid_request", refused.error().code());
        assertTrue(refused.error().description().contains("embed.publicBaseUrl"));
        assertTrue(!refused.error().description().contains(host), "never echoes the host");
    }

    @ParameterizedTest
    @CsvSource({
        "shop.example, shop.example, true",
        "shop.example:8080, shop.example, true",
        "shop.example:443, shop.example, false",
        "shop.example, evil.example, false"
    })
    void baseUrlWhenAllowedHostsSetThenOnlyThoseHostsAndPorts(String allowed, String host, boolean ok) {
        PublicBase base = of(Map.of("embed.allowedHosts", allowed));
        if (ok) {
            assertEquals("http://" + host + ":8080/shop", base.baseUrl(to(host)));
        } else {
            assertThrows(EmbedException.class, () -> base.baseUrl(to(host)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "localhost"})
    void baseUrlWhenPublicBaseUrlSetThenTheHostPlaysNoPart(String host) {
        PublicBase base = of(Map.of("embed.publicBaseUrl", "https://chat.example/app/"));
        assertEquals("https://chat.example/app", base.baseUrl(to(host)));
        assertEquals("/app", base.basePath(to(host)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "anything.example"})
    void baseUrlWhenDevModeThenAnyHost(String host) {
        assertEquals(
                "http://" + host + ":8080/shop",
                of(Map.of("embed.devMode", "true")).baseUrl(to(host)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example/x", "host/path", "bad_host"})
    void startWhenAllowedHostsMalformedThenRefusedNamingTheKey(String hosts) {
        ConfigException e = assertThrows(ConfigException.class, () -> of(Map.of("embed.allowedHosts", hosts)));
        assertTrue(e.getMessage().contains("embed.allowedHosts"), e.getMessage());
    }
}
