package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.Embed;
import dev.embed.apikey.ApiKey;
import dev.embed.apikey.ApiKeys;
import dev.embed.config.EmbedConfig;
import dev.embed.error.EmbedException;
import dev.embed.testing.MutableClock;
import dev.embed.testing.TestKeys;
import dev.embed.token.EmbedClaims;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Flow D's redemption and limits on a moved clock: no sleeping, no HTTP. */
class IframeLinkServiceTest {
    private final MutableClock clock = MutableClock.start();
    private Embed embed;

    private IframeLinkService links(boolean singleUse) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("embed.signing.secret", TestKeys.SECRET);
        config.put("embed.apiKey.acme", TestKeys.acmeLine());
        config.put("embed.iframe.singleUse", Boolean.toString(singleUse));
        embed = Embed.builder(EmbedConfig.of(config)).clock(clock).build();
        return embed.core().iframeLinks();
    }

    @AfterEach
    void close() {
        if (embed != null) {
            embed.close();
        }
    }

    private ApiKey acme() {
        return embed.core()
                .apiKeys()
                .findBySha256(ApiKeys.sha256(TestKeys.ACME_KEY))
                .orElseThrow();
    }

    private String create(IframeLinkService links, String body) {
        return (String) links.create(acme(), Json.parseObject(body), "https://app.example")
                .get("cache_key");
    }

    private static Map<String, Object> redeem(IframeLinkService links, String cacheKey) {
        return links.redeem(Map.of("cache_key", cacheKey));
    }

    private static int status(Runnable call) {
        return assertThrows(EmbedException.class, call::run).error().status();
    }

    @Test
    void redeemWhenSingleUseThenOnceAndThenNotFound() {
        IframeLinkService links = links(true);
        String key = create(links, "{\"uid\": \"u\", \"srcs\": [\"docs\"]}");

        Map<String, Object> first = redeem(links, key);

        assertEquals(900L, first.get("expires_in"));
        assertEquals("2026-01-01T00:15:00.000Z", first.get("expires_at"));
        assertEquals(404, status(() -> redeem(links, key)));
    }

    @Test
    void redeemWhenReuseConfiguredThenRedeemsUntilTheTokenExpires() {
        IframeLinkService links = links(false);
        String key = create(links, "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"ttl\": 120}");

        Map<String, Object> first = redeem(links, key);
        clock.advance(Duration.ofSeconds(100));
        Map<String, Object> second = redeem(links, key);

        // Each redemption signs a token then (DESIGN §8: no JWT is kept), expiring with the link.
        EmbedClaims firstClaims = embed.core().tokens().verify((String) first.get("token"));
        EmbedClaims secondClaims = embed.core().tokens().verify((String) second.get("token"));
        assertEquals(first.get("session_id"), second.get("session_id"));
        assertEquals(firstClaims.sessionId(), secondClaims.sessionId());
        assertEquals(firstClaims.expiresAt(), secondClaims.expiresAt());
        assertEquals(first.get("expires_at"), second.get("expires_at"));
        assertEquals(20L, second.get("expires_in"));
        clock.advance(Duration.ofSeconds(20));
        assertEquals(404, status(() -> redeem(links, key)));
    }

    @Test
    void redeemWhenClockPassesTheTtlThenNotFound() {
        IframeLinkService links = links(true);
        String key = create(links, "{\"uid\": \"u\", \"srcs\": [\"docs\"], \"ttl\": 60}");

        clock.advance(Duration.ofSeconds(60));

        assertEquals(404, status(() -> redeem(links, key)));
    }

    @Test
    void redeemWhenSessionEndedOrRevokedThenTheSameNotFound() {
        IframeLinkService links = links(false);
        String ended = create(links, "{\"uid\": \"u\", \"srcs\": [\"docs\"]}");
        String revoked = create(links, "{\"uid\": \"u\", \"srcs\": [\"docs\"]}");
        embed.store().sessions().end((String) redeem(links, ended).get("session_id"));
        embed.store()
                .revocations()
                .revokeSession(
                        (String) redeem(links, revoked).get("session_id"),
                        clock.instant().plusSeconds(3600));

        EmbedException afterEnd = assertThrows(EmbedException.class, () -> redeem(links, ended));
        EmbedException afterRevoke = assertThrows(EmbedException.class, () -> redeem(links, revoked));
        EmbedException unknown =
                assertThrows(EmbedException.class, () -> redeem(links, IframeLinkService.newCacheKey()));

        assertEquals(unknown.error(), afterEnd.error());
        assertEquals(unknown.error(), afterRevoke.error());
        assertEquals(404, unknown.error().status());
    }

    @Test
    void messageGateWhenHourlyLimitSpentThenRefusedUntilTheClockRefills() {
        IframeLinkService links = links(true);
        String key =
                create(links, "{\"uid\": \"u-1\", \"srcs\": [\"docs\"], \"ttl\": 3600, \"limits\": {\"hourly\": 2}}");
        EmbedClaims claims =
                embed.core().tokens().verify((String) redeem(links, key).get("token"));
        Map<String, Object> message = Map.of("message", "hi");

        embed.core().chat().postMessage(claims, message);
        embed.core().chat().postMessage(claims, message);
        EmbedException refused =
                assertThrows(EmbedException.class, () -> embed.core().chat().postMessage(claims, message));

        assertEquals(429, refused.error().status());
        assertEquals(1800, refused.error().retryAfterSeconds());
        clock.advance(Duration.ofMinutes(30));
        embed.core().chat().postMessage(claims, message);
        assertEquals(429, status(() -> embed.core().chat().postMessage(claims, message)));
    }

    @Test
    void createWhenSourcesBeyondTheKeysThenForbiddenAndNothingCreated() {
        IframeLinkService links = links(true);
        long sessions = ((MemoryStore) embed.store()).sessionCount();

        EmbedException refused = assertThrows(
                EmbedException.class, () -> create(links, "{\"uid\": \"u\", \"srcs\": [\"docs\", \"payroll\"]}"));

        assertEquals(403, refused.error().status());
        assertTrue(
                refused.error().description().contains("payroll"),
                refused.error().description());
        assertEquals(sessions, ((MemoryStore) embed.store()).sessionCount());
    }

    @Test
    void createWhenAnswerThenCacheKeyOf256BitsAndNoTokenInTheUrl() {
        IframeLinkService links = links(true);

        Map<String, Object> answer = links.create(
                acme(), Json.parseObject("{\"uid\": \"u\", \"srcs\": [\"faq\"]}"), "https://app.example/shop");

        String key = (String) answer.get("cache_key");
        assertEquals(32, java.util.Base64.getUrlDecoder().decode(key).length);
        assertEquals("https://app.example/shop/embed/iframe/" + key, answer.get("iframe_url"));
    }
}
