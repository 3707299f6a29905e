package dev.embed.demo.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a loopback port in front of a server, whose connections a test can cut at once,
 * as a network drop or a proxy restart would: the browser sees its open streams end without a
 * word. Two threads per connection: a test tool, not a server.
 */
final class CuttableProxy implements AutoCloseable {
    private final ServerSocket listening;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private CuttableProxy(ServerSocket listening, int target) {
        this.listening = listening;
        this.target = target;
    }

    /** Forwards {@code 127.0.0.1:<port()>} to {@code 127.0.0.1:targetPort}. */
    static CuttableProxy start(int targetPort) throws IOException {
        CuttableProxy proxy = new CuttableProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
        Thread accepting = new Thread(proxy::accept, "cuttable-proxy");
        accepting.setDaemon(true);
        accepting.start();
        return proxy;
    }

    int port() {
        return listening.getLocalPort();
    }

    /** Closes every connection open now; new ones are forwarded as before. */
    void cut() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listening);
        cut();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listening.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int read;
                        while ((read = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, read);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // cut, or closed by either side
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "cuttable-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
