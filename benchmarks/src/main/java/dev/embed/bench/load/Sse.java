package dev.embed.bench.load;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Server-Sent Events parser (the WHATWG event-stream format that DESIGN §4's {@code /events}
 * speaks): lines end with LF, CRLF or CR; {@code event}, {@code data} (joined with LF), {@code id}
 * fields; lines starting with {@code :} are comments; a blank line dispatches. An event with a name
 * but no data (e.g. {@code event: ended}) is dispatched too.
 */
final class Sse {
    /** What a stream delivers. */
    interface Listener {
        void event(String event, @Nullable String id, String data, long nanos);

        default void comment(String text, long nanos) {}
    }

    private final Listener listener;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean lastWasCr;
    private @Nullable String event;
    private @Nullable String id;
    private @Nullable StringBuilder data;
    private int maxLine = 1 << 20;

    Sse(Listener listener) {
        this.listener = listener;
    }

    void feed(byte[] bytes, int offset, int length, long nanos) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                line(line.toString(StandardCharsets.UTF_8), nanos);
                line.reset();
            } else if (line.size() < maxLine) {
                line.write(b);
            }
        }
    }

    private void line(String text, long nanos) {
        if (text.isEmpty()) {
            StringBuilder d = data;
            if (d != null || event != null) {
                String value = d == null ? "" : d.toString();
                listener.event(event == null ? "message" : event, id, value, nanos);
            }
            event = null;
            data = null;
            return;
        }
        if (text.charAt(0) == ':') {
            listener.comment(text.substring(1).strip(), nanos);
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> event = value;
            case "id" -> id = value.indexOf('\0') >= 0 ? id : value;
            case "data" -> {
                StringBuilder d = data;
                if (d == null) {
                    data = new StringBuilder(value);
                } else {
                    d.append('\n').append(value);
                }
            }
            default -> {
                // retry and unknown fields are ignored
            }
        }
    }
}
