package io.cpo4j.spark.ring;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Connects a member to its neighbours: the outbound connection to the next member (retried until
 * the timeout, as the next may not listen yet) and the inbound one accepted from the previous.
 *
 * <p>The connecting side sends {@code HELLO, rank, size}; the accepting side answers
 * {@code HELLO, its rank, its size, accepted}. A connection that is not the expected previous member
 * of a ring of the same size is refused (the connector is told why) and accepting goes on, so a
 * stray or stale connection cannot take a member's place. Order (connect and send, then accept and
 * answer, then read the answer) never waits in a cycle: every write is a few bytes into an empty buffer.
 */
final class Handshake {

    static final int HELLO = 0x52494E47; // "RING"
    private static final long RETRY_NANOS = 50_000_000L;

    private Handshake() {}

    /** Both connections of member {@code rank}: [outbound to next, inbound from previous], blocking mode. */
    static SocketChannel[] connect(int rank, List<InetSocketAddress> members, RingListener listener, Duration timeout) throws IOException {
        int size = members.size(), next = (rank + 1) % size, prev = (rank - 1 + size) % size;
        SocketChannel out = null, in = null;
        try {
            out = connectWithRetry(rank, next, members.get(next), timeout);
            write(out, ByteBuffer.allocate(12).putInt(HELLO).putInt(rank).putInt(size).flip());
            in = acceptFrom(rank, size, prev, members.get(prev), listener, timeout);
            ByteBuffer reply = ByteBuffer.allocate(16);
            String who = RingException.peer(next, members.get(next));
            if (!readFully(out, reply, System.nanoTime() + timeout.toNanos(), who))
                throw new RingException("ring rank " + rank + ": " + who + " accepted the connection but did not answer within "
                        + RingException.seconds(timeout.toNanos()) + "; the peer is hung or not a ring member");
            reply.flip();
            int magic = reply.getInt(), theirRank = reply.getInt(), theirSize = reply.getInt(), accepted = reply.getInt();
            if (magic != HELLO) throw new RingException("ring rank " + rank + ": " + who + " is not a ring member (bad handshake)");
            if (accepted != 1 || theirRank != next || theirSize != size)
                throw new RingException("ring rank " + rank + ": " + who + " refused the connection: it is rank " + theirRank + " of "
                        + theirSize + ", this member is rank " + rank + " of " + size + " and expected rank " + next + " there");
            return new SocketChannel[] {out, in};
        } catch (IOException | RuntimeException e) {
            if (out != null) out.close();
            if (in != null) in.close();
            if (e instanceof IOException io && !(e instanceof RingException))
                throw new RingException("ring rank " + rank + ": " + RingException.reason(io), io);
            throw e;
        }
    }

    private static SocketChannel connectWithRetry(int rank, int next, InetSocketAddress address, Duration timeout) throws IOException {
        long start = System.nanoTime(), deadline = start + timeout.toNanos();
        String who = RingException.peer(next, address);
        while (true) {
            SocketChannel ch = SocketChannel.open();
            try {
                configure(ch);
                long left = deadline - System.nanoTime();
                ch.socket().connect(address, (int) Math.max(1, left / 1_000_000));
                return ch;
            } catch (IOException | UnresolvedAddressException e) {
                ch.close();
                if (e instanceof UnresolvedAddressException)
                    throw new RingException("ring rank " + rank + ": cannot resolve the address of " + who);
                if (System.nanoTime() + RETRY_NANOS >= deadline)
                    throw new RingException("ring rank " + rank + ": could not connect to " + who + " within "
                            + RingException.seconds(timeout.toNanos()) + ": " + RingException.reason(e), e);
                sleep(RETRY_NANOS);
            }
        }
    }

    private static SocketChannel acceptFrom(int rank, int size, int prev, InetSocketAddress prevAddress, RingListener listener,
                                            Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> refused = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            SocketChannel ch = left > 0 ? listener.accept(Duration.ofNanos(left)) : null;
            if (ch == null)
                throw new RingException("ring rank " + rank + ": " + RingException.peer(prev, prevAddress) + " did not connect within "
                        + RingException.seconds(timeout.toNanos()) + (refused.isEmpty() ? "" : " (refused: " + String.join("; ", refused) + ")"));
            try {
                configure(ch);
                ch.configureBlocking(true);
                ByteBuffer hello = ByteBuffer.allocate(12);
                String from = RingException.hostPort((InetSocketAddress) ch.getRemoteAddress());
                if (!readFully(ch, hello, deadline, from)) {
                    refused.add(from + " sent no handshake");
                    ch.close();
                    continue;
                }
                hello.flip();
                int magic = hello.getInt(), theirRank = hello.getInt(), theirSize = hello.getInt();
                boolean ok = magic == HELLO && theirRank == prev && theirSize == size;
                if (magic == HELLO) write(ch, ByteBuffer.allocate(16).putInt(HELLO).putInt(rank).putInt(size).putInt(ok ? 1 : 0).flip());
                if (ok) return ch;
                refused.add(from + (magic == HELLO ? " claiming rank " + theirRank + " of " + theirSize : " (not a ring member)"));
                ch.close();
            } catch (InterruptedIOException e) {
                ch.close();
                throw e;
            } catch (IOException e) {
                refused.add(RingException.reason(e));
                ch.close();
            }
        }
    }

    static void configure(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, Ring.SOCKET_BUFFER_BYTES);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, Ring.SOCKET_BUFFER_BYTES);
    }

    /** Fills {@code dst} from a blocking channel by the deadline (false when it passes); EOF when the peer closes. */
    static boolean readFully(SocketChannel ch, ByteBuffer dst, long deadline, String who) throws IOException {
        ch.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            while (dst.hasRemaining()) {
                if (ch.read(dst) < 0) throw new EOFException(who + " closed the connection during the handshake");
                if (!dst.hasRemaining()) break;
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("interrupted while reading the handshake of " + who);
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
            }
        }
        ch.configureBlocking(true); // the selector is closed, so the channel is deregistered
        return true;
    }

    private static void write(SocketChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) ch.write(src);
    }

    private static void sleep(long nanos) throws InterruptedIOException {
        try {
            Thread.sleep(nanos / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        }
    }
}
