package io.cpo4j.spark.ring;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * This member's listening socket, opened on an ephemeral port before the addresses are exchanged
 * (so that the previous member's connect finds it open however late this member calls
 * {@link Ring#join}). The ring accepts exactly one connection from it, the previous member's, and
 * closes it when the ring closes; closing it twice is harmless.
 */
public final class RingListener implements AutoCloseable {

    private final ServerSocketChannel server;
    private final InetSocketAddress address;

    private RingListener(ServerSocketChannel server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Listens on {@code bind} at an ephemeral port. A wildcard {@code bind} (0.0.0.0, ::) listens on
     * every interface and publishes {@link InetAddress#getLocalHost()}.
     */
    public static RingListener open(InetAddress bind) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            // Set before accept so that accepted sockets start with it (the window is negotiated at SYN).
            server.setOption(StandardSocketOptions.SO_RCVBUF, Ring.SOCKET_BUFFER_BYTES);
            server.bind(new InetSocketAddress(bind, 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            InetAddress published = bind.isAnyLocalAddress() ? InetAddress.getLocalHost() : bind;
            server.configureBlocking(false);
            return new RingListener(server, new InetSocketAddress(published, port));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** host:port to publish to the other members. */
    public InetSocketAddress address() {
        return address;
    }

    /** The next incoming connection, or null when none arrived within {@code timeout}. */
    SocketChannel accept(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                SocketChannel ch = server.accept();
                if (ch != null) return ch;
                long left = deadline - System.nanoTime();
                if (left <= 0) return null;
                if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("interrupted while waiting for a connection on " + RingException.hostPort(address));
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
