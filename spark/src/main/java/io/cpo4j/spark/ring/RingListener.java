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
     * every interface and publishes {@link InetAddress#getLocalHost()}, which on some hosts is a
     * loopback name: then use {@link #open(InetAddress, InetAddress)}.
     */
    public static RingListener open(InetAddress bind) throws IOException {
        return open(bind, bind.isAnyLocalAddress() ? InetAddress.getLocalHost() : bind);
    }

    /** Listens on {@code bind} (e.g. every interface) and publishes {@code published} (e.g. the executor's host) with the port. */
    public static RingListener open(InetAddress bind, InetAddress published) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            // Set before accept so that accepted sockets start with it (the window is negotiated at SYN).
            server.setOption(StandardSocketOptions.SO_RCVBUF, Ring.SOCKET_BUFFER_BYTES);
            server.bind(new InetSocketAddress(bind, 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
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

    /** "10.0.0.7:40123" ("[::1]:40123" for IPv6): how to publish an address as text, e.g. through Spark's allGather. */
    public static String format(InetSocketAddress address) {
        return RingException.hostPort(address);
    }

    /** The inverse of {@link #format}; a name is resolved here. One-line error for anything else. */
    public static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) throw new IllegalArgumentException("ring: address '" + hostPort + "' is not host:port");
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.indexOf(':') >= 0) throw new IllegalArgumentException("ring: address '" + hostPort + "': write an IPv6 host in brackets, [::1]:port");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("ring: address '" + hostPort + "' has no port in [1, 65535]");
        return new InetSocketAddress(host, port);
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
