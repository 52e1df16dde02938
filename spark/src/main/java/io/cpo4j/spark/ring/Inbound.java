package io.cpo4j.spark.ring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The connection from the previous member, read by the caller's thread. The channel is
 * non-blocking and waits in a selector, because a blocking {@link SocketChannel} read ignores
 * SO_TIMEOUT: this way every read gives up after the ring's timeout without data, and the sender
 * can wake it when the other connection fails. Floats arrive little-endian into one direct buffer
 * of a segment's size (no copy through a heap array inside the JDK).
 */
final class Inbound implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private final String self;    // "ring rank 1"
    private final String peer;    // "rank 0 (10.0.0.7:40123)"
    private final long timeoutNanos;
    private final ByteBuffer segment; // direct, little-endian; (segmentFloats * 4) bytes
    private final ByteBuffer word = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private volatile Sender sender;
    private volatile boolean closed;

    Inbound(SocketChannel channel, int rank, int peerRank, InetSocketAddress peerAddress, long timeoutNanos, int segmentFloats) throws IOException {
        this.channel = channel;
        this.self = "ring rank " + rank;
        this.peer = RingException.peer(peerRank, peerAddress);
        this.timeoutNanos = timeoutNanos;
        this.segment = ByteBuffer.allocateDirect(segmentFloats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** The sender whose failure ends a wait here (set once, after both exist). */
    void watch(Sender s) {
        this.sender = s;
    }

    /** Wakes a read that is waiting, so that it sees the sender's failure. */
    void wakeup() {
        selector.wakeup();
    }

    String peer() {
        return peer;
    }

    /** {@code count} floats into {@code dst[off, off + count)}; count ≤ the segment size. */
    void readFloats(float[] dst, int off, int count) throws RingException {
        segment.clear().limit(count * Float.BYTES);
        readFully(segment);
        segment.flip();
        segment.asFloatBuffer().get(dst, off, count);
    }

    int readInt() throws RingException {
        word.clear().limit(Integer.BYTES);
        readFully(word);
        return word.getInt(0);
    }

    long readLong() throws RingException {
        word.clear();
        readFully(word);
        return word.getLong(0);
    }

    byte[] readBytes(int count) throws RingException {
        byte[] bytes = new byte[count];
        ByteBuffer dst = ByteBuffer.wrap(bytes);
        readFully(dst);
        return bytes;
    }

    private void readFully(ByteBuffer dst) throws RingException {
        long lastData = System.nanoTime();
        try {
            while (true) {
                int n = channel.read(dst);
                if (n < 0) throw new RingException(self + ": " + peer + " closed the connection; the peer failed or was stopped");
                if (!dst.hasRemaining()) return;
                long now = System.nanoTime();
                if (n > 0) {
                    lastData = now;
                    continue;
                }
                Sender s = sender;
                if (s != null && s.failure() != null) throw s.failure();
                if (Thread.currentThread().isInterrupted()) // select() would return at once: a busy loop until the timeout
                    throw new RingException(self + ": interrupted while waiting for " + peer);
                long idle = now - lastData;
                if (idle >= timeoutNanos)
                    throw new RingException(self + ": no data from " + peer + " for " + RingException.seconds(idle) + "; the peer is hung or gone");
                selector.select(Math.max(1, (timeoutNanos - idle) / 1_000_000));
                selector.selectedKeys().clear();
            }
        } catch (RingException e) {
            throw e;
        } catch (ClosedSelectorException e) {
            throw new RingException(self + ": closed while reading from " + peer, e);
        } catch (IOException e) {
            if (closed) throw new RingException(self + ": closed while reading from " + peer, e);
            throw new RingException(self + ": lost the connection from " + peer + ": " + RingException.reason(e), e);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
