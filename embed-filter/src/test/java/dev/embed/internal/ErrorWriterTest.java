package dev.embed.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.embed.error.EmbedError;
import org.junit.jupiter.api.Test;

/** The Retry-After header of the answers that carry one (DESIGN §5, §8). */
class ErrorWriterTest {
    private final ErrorWriter writer = new ErrorWriter("embed");

    @Test
    void renderWhenServiceUnavailableThenRetryAfter() {
        Reply reply = writer.render(EmbedError.serviceUnavailable("the database is down"));

        assertEquals(503, reply.status());
        assertEquals("5", reply.headers().get("Retry-After"));
    }

    @Test
    void renderWhenServiceUnavailableWithItsOwnDelayThenThatRetryAfter() {
        Reply reply = writer.render(EmbedError.serviceUnavailable("the database is down", 12));

        assertEquals("12", reply.headers().get("Retry-After"));
    }

    @Test
    void renderWhenRateLimitedThenRetryAfter() {
        Reply reply = writer.render(EmbedError.rateLimited("slow down", 7));

        assertEquals(429, reply.status());
        assertEquals("7", reply.headers().get("Retry-After"));
    }

    @Test
    void renderWhenNotFoundThenNoRetryAfter() {
        assertFalse(writer.render(EmbedError.notFound("nothing here")).headers().containsKey("Retry-After"));
    }
}
