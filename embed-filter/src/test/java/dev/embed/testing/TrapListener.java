package dev.embed.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on loopback that must never be called: tokens name it in their {@code jku} and
 * {@code x5u} headers, and it counts every connection the server under test makes to it (a
 * verifier that fetched keys from a token's header would). Connections are closed at once.
 */
public final class TrapListener implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    public TrapListener() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "trap-listener-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** An http URL on the listener, with this path. */
    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try (Socket ignored = socket.accept()) {
                connections.incrementAndGet();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                connections.incrementAndGet();
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
