package dev.embed.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseTest {
    private final List<String> seen = new ArrayList<>();
    private final Sse sse = new Sse(new Sse.Listener() {
        @Override
        public void event(String event, String id, String data, long nanos) {
            seen.add(event + "|" + id + "|" + data);
        }

        @Override
        public void comment(String text, long nanos) {
            seen.add("comment|" + text);
        }
    });

    private void feedInPieces(String text, int piece) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += piece) {
            sse.feed(bytes, i, Math.min(piece, bytes.length - i), 0);
        }
    }

    @Test
    void feedWhenSplitAnywhereThenSameEvents() {
        String stream = ": keep-alive\r\n\r\nevent: message\r\nid: m1\r\ndata: {\"a\":1,\r\ndata: \"b\":2}\r\n\r\n"
                + "event: delta\ndata: {\"id\":\"m1r\",\"delta\":\"Hé\"}\n\nevent: ended\n\n";
        for (int piece : new int[] {1, 2, 3, 7, 1000}) {
            seen.clear();
            feedInPieces(stream, piece);
            assertEquals(
                    List.of(
                            "comment|keep-alive",
                            "message|m1|{\"a\":1,\n\"b\":2}",
                            "delta|m1|{\"id\":\"m1r\",\"delta\":\"Hé\"}",
                            "ended|m1|"),
                    seen,
                    "piece " + piece);
        }
    }

    @Test
    void feedWhenBareCrLineEndsThenEventsStillDispatch() {
        feedInPieces("data: x\r\rdata: y\r\r", 1);
        assertEquals(List.of("message|null|x", "message|null|y"), seen);
    }
}
