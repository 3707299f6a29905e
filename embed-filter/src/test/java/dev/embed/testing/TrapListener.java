package dev.embed.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on loopback that must never be called: tokens name it in their {@code jku} and
 * {@code x5u} headers, and it counts every connection the server under test makes to it (a
 * verifier that fetched keys from a token's header would). Connections are closed at once.
 *
 * <p>{@link #connectionsSoFar()} is exact without waiting for anything to happen: it connects
 * itself, with a marker byte, and returns once the listener has accepted that connection, so every
 * connection made before the call (the kernel's accept queue is first in, first out) has been
 * counted. A connection made later, by something running in the background, is counted by a later
 * call.
 */
public final class TrapListener implements AutoCloseable {
    /** The first byte of the listener's own marker connections; an HTTP client starts with a letter. */
    private static final int MARKER = 0;

    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final Semaphore markers = new Semaphore(0);
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

    /** Connections accepted so far, without waiting for those still in the accept queue. */
    public int connections() {
        return connections.get();
    }

    /**
     * Every connection made to the listener before this call, counted: it queues a marker
     * connection behind them and waits (at most 30 s) until the listener has accepted it.
     */
    public int connectionsSoFar() throws IOException, InterruptedException {
        try (Socket marker = new Socket(InetAddress.getLoopbackAddress(), socket.getLocalPort());
                OutputStream out = marker.getOutputStream()) {
            out.write(MARKER);
            out.flush();
            if (!markers.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the trap listener did not accept its own marker connection");
            }
        }
        return connections.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                if (isMarker(connection)) {
                    markers.release();
                } else {
                    connections.incrementAndGet();
                }
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                connections.incrementAndGet();
            }
        }
    }

    /** Whether the connection is one of ours: its first byte is the marker (a client that sends nothing is not). */
    private static boolean isMarker(Socket connection) throws IOException {
        connection.setSoTimeout(5_000);
        try (InputStream in = connection.getInputStream()) {
            return in.read() == MARKER;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
