package dev.embed.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written byte for byte on a socket, for what {@link java.net.http.HttpClient} will not
 * send: whitespace and non-ASCII bytes in header values, folded lines, exact header order. The
 * request text uses {@code \n} line ends, which are sent as CRLF, and is sent as UTF-8 (so a
 * character beyond ASCII arrives as the bytes a browser or a script would send); {@code Host} and
 * {@code Connection: close} are added. Answers go through {@link SecretsObserver} like those of {@link
 * Http}, and are recorded for the OpenAPI check ({@link OpenApiRecorder}).
 */
public final class RawHttp {
    private RawHttp() {}

    /** A parsed answer: status, headers (names lower-cased, values in order) and body. */
    public record Answer(int status, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /**
     * Sends {@code head} (request line and header lines, without {@code Host}) and {@code body} to
     * the server of {@code base}, UTF-8 encoded, and reads the whole answer.
     */
    public static Answer send(URI base, String head, String body) throws IOException {
        return send(base, base.getHost() + ":" + base.getPort(), head, body);
    }

    /** As {@link #send(URI, String, String)}, with this {@code Host} header (a caller may send any). */
    public static Answer send(URI base, String host, String head, String body) throws IOException {
        String lines = head.replace("\r\n", "\n").replaceAll("^\n+|\n+$", "");
        String text = lines.replace("\n", "\r\n")
                + "\r\nHost: " + host + "\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                + "\r\n";
        for (String line : lines.split("\n", -1)) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith(" ") && !line.startsWith("\t")) {
                SecretsObserver.header(line.substring(0, colon).strip(), line.substring(colon + 1));
            }
        }
        if (body != null) {
            SecretsObserver.text(body);
        }
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            Answer answer = parse(socket.getInputStream());
            String own = base.getHost() + ":" + base.getPort();
            OpenApiRecorder.record(base, own.equals(host) ? lines : lines + "\nHost: " + host, body, answer);
            SecretsObserver.response(answer.status(), answer.body());
            return answer;
        }
    }

    /**
     * Sends bodiless requests one after the other on one keep-alive connection, each after the
     * answer to the previous one: what a browser, or a reverse proxy pooling its connections to
     * the application, does. Only the last request asks to close.
     */
    public static List<Answer> sendOnOneConnection(URI base, List<String> heads) throws IOException {
        List<Answer> answers = new ArrayList<>();
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < heads.size(); i++) {
                String lines = heads.get(i).replace("\r\n", "\n").replaceAll("^\n+|\n+$", "");
                for (String line : lines.split("\n", -1)) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        SecretsObserver.header(line.substring(0, colon).strip(), line.substring(colon + 1));
                    }
                }
                String text = lines.replace("\n", "\r\n") + "\r\nHost: " + base.getHost() + ":" + base.getPort()
                        + (i == heads.size() - 1 ? "\r\nConnection: close" : "") + "\r\n\r\n";
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
                Answer answer = readOne(in);
                OpenApiRecorder.record(base, lines, null, answer);
                SecretsObserver.response(answer.status(), answer.body());
                answers.add(answer);
            }
        }
        return answers;
    }

    /** One answer with a {@code Content-Length} body, read from a connection that stays open. */
    private static Answer readOne(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before a complete answer");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String[] lines = text.substring(0, text.length() - 4).split("\r\n", -1);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(
                            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        List<String> length = headers.get("content-length");
        byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length.get(0)));
        return new Answer(
                Integer.parseInt(lines[0].split(" ", -1)[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static Answer parse(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete HTTP answer: " + text.length() + " bytes");
        }
        String[] lines = text.substring(0, end).split("\r\n", -1);
        int status = Integer.parseInt(lines[0].split(" ", -1)[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(
                            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        List<String> encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
            rest = dechunk(rest);
        }
        return new Answer(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = at;
            while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            String size = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";", -1)[0].strip();
            int length = size.isEmpty() ? 0 : Integer.parseInt(size, 16);
            if (length == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, length);
            at = lineEnd + 2 + length + 2;
        }
        return out.toByteArray();
    }
}
