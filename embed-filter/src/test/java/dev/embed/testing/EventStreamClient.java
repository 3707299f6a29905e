package dev.embed.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Server-Sent Events client on a raw socket (HTTP/1.1, chunked or not), for the events contract:
 * the answer's status and headers as sent, then each event or comment line as it arrives, parsed
 * by the rules of WHATWG HTML §9.2. What it read is recorded for the OpenAPI check when it is
 * closed. Not thread-safe.
 */
public final class EventStreamClient implements AutoCloseable {
    /** One dispatched event, or a comment ({@code event} "comment", {@code data} its text). */
    public record Event(String event, String id, String data) {
        public boolean isComment() {
            return "comment".equals(event) && id == null;
        }
    }

    private final URI base;
    private final String head;
    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, List<String>> headers;
    private final boolean chunked;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private long chunkLeft;
    private boolean eof;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private EventStreamClient(URI base, String head, Socket socket) throws IOException {
        this.base = base;
        this.head = head;
        this.socket = socket;
        this.in = socket.getInputStream();
        String statusLine = readHeadLine();
        this.status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        this.headers = new LinkedHashMap<>();
        for (String header = readHeadLine(); !header.isEmpty(); header = readHeadLine()) {
            int colon = header.indexOf(':');
            headers.computeIfAbsent(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(header.substring(colon + 1).strip());
        }
        this.chunked = "chunked".equalsIgnoreCase(header("Transfer-Encoding"));
        if (!chunked && header("Content-Length") != null) {
            chunkLeft = Long.parseLong(header("Content-Length"));
        } else if (!chunked) {
            chunkLeft = Long.MAX_VALUE;
        }
        if (status != 200) {
            socket.setSoTimeout(10_000);
            int b; // an error's JSON body, read whole into raw
            do {
                b = bodyByte();
            } while (b >= 0);
        }
    }

    /**
     * Opens {@code GET path} on the server of {@code base} with a bearer token and these extra
     * header lines ({@code "Last-Event-ID: x"}); waits at most 10 s for the answer's head.
     */
    public static EventStreamClient open(URI base, String path, String token, String... extraHeaders)
            throws IOException {
        StringBuilder head = new StringBuilder("GET " + base.getRawPath() + path + " HTTP/1.1\n");
        head.append("Accept: text/event-stream\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append('\n');
        }
        for (String extra : extraHeaders) {
            head.append(extra).append('\n');
        }
        String request =
                head.toString().replace("\n", "\r\n") + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n\r\n";
        Socket socket = new Socket(base.getHost(), base.getPort());
        try {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new EventStreamClient(base, head.toString().strip(), socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public int status() {
        return status;
    }

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public Map<String, List<String>> headers() {
        return headers;
    }

    /** Everything read so far, as sent (dechunked). */
    public String text() {
        return raw.toString(StandardCharsets.UTF_8);
    }

    /**
     * The next event or comment, waiting at most {@code timeout}; null when the stream ended (the
     * server closed it).
     *
     * @throws SocketTimeoutException when nothing came in time
     */
    public Event next(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        String type = null;
        String id = null;
        List<String> data = new ArrayList<>();
        while (true) {
            String read = readBodyLine();
            if (read == null) {
                return null;
            }
            if (read.isEmpty()) {
                if (type != null || !data.isEmpty()) {
                    return new Event(type == null ? "message" : type, id, String.join("\n", data));
                }
                continue;
            }
            if (read.startsWith(":")) {
                if (type == null && data.isEmpty()) {
                    return new Event("comment", null, read.substring(1).strip());
                }
                continue;
            }
            int colon = read.indexOf(':');
            String field = colon < 0 ? read : read.substring(0, colon);
            String value = colon < 0 ? "" : read.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> type = value;
                case "id" -> id = value;
                case "data" -> data.add(value);
                default -> {}
            }
        }
    }

    /** The next event that is not a comment (see {@link #next}). */
    public Event nextEvent(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event event = next(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            if (event == null || !event.isComment()) {
                return event;
            }
        }
    }

    /** Whether the server closes the stream within {@code timeout} (events before the end are skipped). */
    public boolean closesWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (next(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()))) == null) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        }
        return false;
    }

    /** Closes the connection and records what was read (whole events only) for the OpenAPI check. */
    @Override
    public void close() throws IOException {
        socket.close();
        String body = text();
        int end = body.lastIndexOf("\n\n");
        String whole = status != 200 ? body : end < 0 ? "" : body.substring(0, end + 2);
        RawHttp.Answer answer = new RawHttp.Answer(status, headers, whole);
        OpenApiRecorder.record(base, head, null, answer);
    }

    // ------------------------------------------------------------------------------ reading

    private String readHeadLine() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed in the answer's head");
            }
            if (b == '\n') {
                String text = bytes.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            bytes.write(b);
        }
    }

    /** A line of the body (without its end), or null at its end. A line cut by a timeout is kept for later. */
    private String readBodyLine() throws IOException {
        while (true) {
            int b = bodyByte();
            if (b < 0) {
                return null;
            }
            raw.write(b);
            if (b == '\n') {
                String read = line.toString(StandardCharsets.UTF_8);
                line.reset();
                return read.endsWith("\r") ? read.substring(0, read.length() - 1) : read;
            }
            line.write(b);
        }
    }

    private int bodyByte() throws IOException {
        if (eof) {
            return -1;
        }
        if (chunkLeft == 0) {
            if (!chunked) {
                eof = true;
                return -1;
            }
            String size = readHeadLine();
            if (size.isEmpty()) {
                size = readHeadLine(); // the CRLF after the previous chunk
            }
            int semicolon = size.indexOf(';');
            chunkLeft = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
            if (chunkLeft == 0) {
                eof = true;
                return -1;
            }
        }
        int b = in.read();
        if (b < 0) {
            eof = true;
            return -1;
        }
        chunkLeft--;
        if (status != 200) {
            raw.write(b);
        }
        return b;
    }
}
