package io.cpo4j.spark.ring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The connection to the next member, written by its own thread from a queue, so that every member
 * sends while it receives: were the caller's thread to write a large chunk itself, all members
 * would block in write at once with full buffers and nobody left reading. The caller enqueues a
 * segment as soon as it is final and goes on receiving the next one, so sending segment k overlaps
 * reducing segment k + 1. Blocking writes need no timeout of their own: the caller's
 * {@link #awaitSent} gives up when nothing was written for the ring's timeout, and closing the
 * channel ends a write that is stuck.
 */
final class Sender implements AutoCloseable {

    private sealed interface Item permits Floats, Bytes, Stop {}
    private record Floats(float[] data, int from, int count) implements Item {}
    private record Bytes(ByteBuffer bytes) implements Item {}
    private record Stop() implements Item {}

    private final SocketChannel channel;
    private final String self;   // "ring rank 1"
    private final String peer;   // "rank 2 (10.0.0.7:40123)"
    private final long timeoutNanos;
    private final Runnable onFailure;
    private final ByteBuffer segment; // direct, little-endian; (segmentFloats * 4) bytes
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private long enqueued;           // caller's thread only
    private long sent;               // guarded by this
    private volatile long lastWrite = System.nanoTime();
    private volatile long bytesSent;
    private volatile RingException failure;
    private volatile boolean closed;

    Sender(SocketChannel channel, int rank, int peerRank, InetSocketAddress peerAddress, long timeoutNanos, int segmentFloats, Runnable onFailure) {
        this.channel = channel;
        this.self = "ring rank " + rank;
        this.peer = RingException.peer(peerRank, peerAddress);
        this.timeoutNanos = timeoutNanos;
        this.onFailure = onFailure;
        this.segment = ByteBuffer.allocateDirect(segmentFloats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        this.thread = new Thread(this::run, "ring-send-" + rank);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code data[from, from + count)}; count ≤ the segment size. The caller must not change it until {@link #awaitSent}. */
    void send(float[] data, int from, int count) {
        enqueue(new Floats(data, from, count));
    }

    /** Queues {@code bytes} (position to limit), which the caller must not change afterwards. */
    void send(ByteBuffer bytes) {
        enqueue(new Bytes(bytes));
    }

    private void enqueue(Item item) {
        enqueued++;
        queue.add(item);
    }

    /** Waits until everything queued was written; fails when nothing was written for the timeout. */
    void awaitSent() throws RingException {
        long start = System.nanoTime();
        synchronized (this) {
            while (sent < enqueued) {
                if (failure != null) throw failure;
                long idle = System.nanoTime() - Math.max(start, lastWrite);
                if (idle >= timeoutNanos)
                    throw new RingException(self + ": could not send to " + peer + " for " + RingException.seconds(idle)
                            + "; the peer is hung or gone");
                try {
                    wait(Math.max(1, (timeoutNanos - idle) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RingException(self + ": interrupted while sending to " + peer, e);
                }
            }
            if (failure != null) throw failure;
        }
    }

    RingException failure() {
        return failure;
    }

    long bytesSent() {
        return bytesSent;
    }

    private void run() {
        try {
            while (true) {
                Item item = queue.take();
                switch (item) {
                    case Stop s -> { return; }
                    case Floats f -> {
                        segment.clear();
                        segment.asFloatBuffer().put(f.data(), f.from(), f.count());
                        segment.limit(f.count() * Float.BYTES);
                        write(segment);
                    }
                    case Bytes b -> write(b.bytes());
                }
                synchronized (this) {
                    sent++;
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            // closed
        } catch (IOException e) {
            if (!closed) {
                failure = new RingException(self + ": lost the connection to " + peer + ": " + RingException.reason(e) + "; the peer failed or was stopped", e);
                synchronized (this) {
                    notifyAll();
                }
                onFailure.run();
            }
        }
    }

    private void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            bytesSent += channel.write(src);
            lastWrite = System.nanoTime();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        queue.add(new Stop());
        try {
            channel.close(); // ends a write stuck on a peer that stopped reading
        } finally {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
