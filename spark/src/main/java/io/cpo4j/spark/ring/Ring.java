package io.cpo4j.spark.ring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One member of a ring of N workers connected over TCP: rank r sends to (r + 1) % N and receives
 * from (r − 1 + N) % N. {@link #allReduceSum} is a ring reduce-scatter then all-gather, so each
 * member sends and receives 2(N − 1)/N of the array whatever N is.
 *
 * <p><b>Determinism.</b> Chunk c (of N near-equal chunks; lengths not divisible by N, shorter than
 * N or zero are fine) is summed along the ring starting at rank c:
 * {@code ((x_c + x_{c+1}) + x_{c+2}) + … } in float, by the member that receives it. The order is
 * fixed by N and c alone, never by timing, and the final owner's bits are what every other member
 * copies in the all-gather: every member ends bit-identical, and a run repeats bit-exactly.
 *
 * <p><b>Concurrency.</b> Every member sends while it receives: a {@link Sender} thread writes the
 * connection to the next member from a queue (blocking channel, direct buffers), while the calling
 * thread reads the connection from the previous member ({@link Inbound}: a non-blocking channel in
 * a selector, because blocking channel reads ignore SO_TIMEOUT) and reduces. Arrays move in
 * segments of 64 Ki floats (256 KB), so sending segment k overlaps receiving and reducing segment
 * k + 1. A thread with blocking writes was chosen over one selector for both directions: it keeps
 * the schedule a plain loop in the caller's thread and costs one parked thread per ring.
 *
 * <p><b>Failure.</b> No read waits longer than the timeout without data, no send waits longer
 * than the timeout without progress; a peer that hangs, closes or speaks another operation ends
 * the call with a {@link RingException} naming it. A failed ring closes itself, so that its
 * neighbours fail at once instead of after their own timeout. Each operation starts with a small
 * header (operation, sequence number, length) that the receiver checks against its own.
 *
 * <p>One thread at a time may call the operations; {@link #close} may be called from any thread.
 */
public final class Ring implements AutoCloseable {

    static final int SEGMENT_FLOATS = 1 << 16;
    static final int SOCKET_BUFFER_BYTES = 4 << 20;
    /** Largest allGather payload (64 MiB); a bigger length from a peer means a broken stream, not an allocation to try. */
    static final int MAX_GATHER_BYTES = 1 << 26;

    private static final int OP_MAGIC = 0x52494F50; // "RIOP"
    private static final int OP_SUM = 1, OP_MEAN = 2, OP_GATHER = 3;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 8;

    private final int rank, size;
    private final int segmentFloats;
    private final RingListener listener;   // null for single()
    private final Inbound inbound;         // null for single()
    private final Sender sender;           // null for single()
    private final float[] received;        // (segmentFloats) the incoming segment before it is added
    private long operations;
    private volatile long commNanos;
    private volatile RingException broken;
    private volatile boolean closed;

    private Ring(int rank, int size, int segmentFloats, RingListener listener, Inbound inbound, Sender sender) {
        this.rank = rank;
        this.size = size;
        this.segmentFloats = segmentFloats;
        this.listener = listener;
        this.inbound = inbound;
        this.sender = sender;
        this.received = new float[size > 1 ? segmentFloats : 0];
    }

    /**
     * {@code members.get(i)} is rank i's published address; connects to the next, accepts the
     * previous; every wait gives up after {@code timeout} with a {@link RingException} naming the
     * peer (rank and host:port). The ring closes {@code listener} when it closes.
     *
     * <p>The timeout also bounds the wait for the slowest member to reach each operation (the first
     * read is the operation's header): choose it above the largest difference in step time between
     * members, not just above a network round trip.
     */
    public static Ring join(int rank, List<InetSocketAddress> members, RingListener listener, Duration timeout) throws IOException {
        return join(rank, members, listener, timeout, SEGMENT_FLOATS);
    }

    static Ring join(int rank, List<InetSocketAddress> members, RingListener listener, Duration timeout, int segmentFloats) throws IOException {
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(timeout, "timeout");
        if (members.isEmpty()) throw new IllegalArgumentException("ring: no members");
        if (rank < 0 || rank >= members.size()) throw new IllegalArgumentException("ring: rank " + rank + " is not in [0, " + members.size() + ")");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("ring: timeout must be positive, got " + timeout);
        if (segmentFloats < 1) throw new IllegalArgumentException("ring: segmentFloats must be positive, got " + segmentFloats);
        for (int i = 0; i < members.size(); i++)
            if (members.get(i) == null) throw new IllegalArgumentException("ring: members.get(" + i + ") is null");
        if (members.get(rank).getPort() != listener.address().getPort()) // the host may be spelled differently, the port not
            throw new IllegalArgumentException("ring: members.get(" + rank + ") is " + RingException.hostPort(members.get(rank))
                    + " but rank " + rank + "'s listener is on port " + listener.address().getPort() + "; are the members in rank order?");
        int size = members.size();
        if (size == 1) return new Ring(0, 1, segmentFloats, listener, null, null);
        int next = (rank + 1) % size, prev = (rank - 1 + size) % size;
        SocketChannel[] channels = Handshake.connect(rank, members, listener, timeout);
        long timeoutNanos = timeout.toNanos();
        Inbound in = null;
        try {
            in = new Inbound(channels[1], rank, prev, members.get(prev), timeoutNanos, segmentFloats);
            Sender out = new Sender(channels[0], rank, next, members.get(next), timeoutNanos, segmentFloats, in::wakeup);
            in.watch(out);
            return new Ring(rank, size, segmentFloats, listener, in, out);
        } catch (IOException | RuntimeException e) {
            if (in != null) in.close();
            channels[0].close();
            channels[1].close();
            throw e;
        }
    }

    /** N = 1: every operation is local, no sockets. */
    public static Ring single() {
        return new Ring(0, 1, SEGMENT_FLOATS, null, null, null);
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** In place: every member ends with the element-wise sum, bit-identical on every member and from run to run. */
    public void allReduceSum(float[] data) throws IOException {
        allReduce(data, false);
    }

    /** The sum, divided by N once by the member that owns each chunk: identical bits on every member (the DDP mean). */
    public void allReduceMean(float[] data) throws IOException {
        allReduce(data, true);
    }

    /** Every member's bytes, index = rank (small payloads: metrics, hashes, a barrier; at most 64 MiB). */
    public byte[][] allGather(byte[] mine) throws IOException {
        Objects.requireNonNull(mine, "mine");
        if (mine.length > MAX_GATHER_BYTES)
            throw new IllegalArgumentException("ring: allGather takes at most " + MAX_GATHER_BYTES + " bytes, got " + mine.length);
        byte[][] all = new byte[size][];
        all[rank] = mine.clone();
        long start = System.nanoTime();
        try {
            ensureUsable();
            if (size == 1) return all;
            exchangeHeader(OP_GATHER, mine.length);
            sendBlock(all[rank]);
            for (int s = 0; s < size - 1; s++) {
                int c = Math.floorMod(rank - s - 1, size);
                int length = inbound.readInt();
                if (length < 0 || length > MAX_GATHER_BYTES)
                    throw new RingException("ring rank " + rank + ": " + inbound.peer() + " announced " + length
                            + " bytes for rank " + c + "'s allGather payload (at most " + MAX_GATHER_BYTES + "); the stream is corrupt");
                all[c] = inbound.readBytes(length);
                if (s < size - 2) sendBlock(all[c]);
            }
            sender.awaitSent();
            return all;
        } catch (RingException e) {
            throw fail(e);
        } finally {
            commNanos += System.nanoTime() - start;
        }
    }

    /** Seconds spent inside allReduce* and allGather so far. */
    public double commSeconds() {
        return commNanos / 1e9;
    }

    /** Bytes written to the next member so far (headers included). */
    public long bytesSent() {
        return sender == null ? 0 : sender.bytesSent();
    }

    private void allReduce(float[] data, boolean mean) throws IOException {
        Objects.requireNonNull(data, "data");
        long start = System.nanoTime();
        try {
            ensureUsable();
            if (size == 1) return; // x / 1 == x
            exchangeHeader(mean ? OP_MEAN : OP_SUM, data.length);
            float n = size;
            // Reduce-scatter: at step s send chunk (r − s), receive chunk (r − s − 1) and add; after
            // N − 1 steps this member owns chunk (r + 1), summed over every member.
            sendChunk(data, rank);
            for (int s = 0; s < size - 1; s++) {
                int c = Math.floorMod(rank - s - 1, size);
                boolean owned = s == size - 2;
                for (int from = chunkStart(data.length, c), to = chunkStart(data.length, c + 1); from < to; from += segmentFloats) {
                    int count = Math.min(segmentFloats, to - from);
                    inbound.readFloats(received, 0, count);
                    if (owned && mean) for (int i = 0; i < count; i++) data[from + i] = (data[from + i] + received[i]) / n;
                    else for (int i = 0; i < count; i++) data[from + i] += received[i];
                    sender.send(data, from, count); // next step's chunk, or the owned chunk's first all-gather step
                }
            }
            // All-gather: at step s send chunk (r + 1 − s), receive chunk (r − s) and keep it.
            for (int s = 0; s < size - 1; s++) {
                int c = Math.floorMod(rank - s, size);
                for (int from = chunkStart(data.length, c), to = chunkStart(data.length, c + 1); from < to; from += segmentFloats) {
                    int count = Math.min(segmentFloats, to - from);
                    inbound.readFloats(data, from, count);
                    if (s < size - 2) sender.send(data, from, count);
                }
            }
            sender.awaitSent();
        } catch (RingException e) {
            throw fail(e);
        } finally {
            commNanos += System.nanoTime() - start;
        }
    }

    /** Chunk c of a length split N ways: [chunkStart(c), chunkStart(c + 1)), sizes differing by at most one. */
    private int chunkStart(int length, int c) {
        return (int) ((long) c * length / size);
    }

    private void sendChunk(float[] data, int c) {
        for (int from = chunkStart(data.length, c), to = chunkStart(data.length, c + 1); from < to; from += segmentFloats)
            sender.send(data, from, Math.min(segmentFloats, to - from));
    }

    private void sendBlock(byte[] block) {
        sender.send(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(block.length).flip());
        sender.send(ByteBuffer.wrap(block));
    }

    /** Sends this operation's header and checks that the previous member is in the same operation. */
    private void exchangeHeader(int op, long length) throws RingException {
        long seq = operations++;
        sender.send(ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(OP_MAGIC).putInt(op).putLong(seq).putLong(length).flip());
        int magic = inbound.readInt(), theirOp = inbound.readInt();
        long theirSeq = inbound.readLong(), theirLength = inbound.readLong();
        String here = "ring rank " + rank + ": ";
        if (magic != OP_MAGIC) throw new RingException(here + inbound.peer() + " sent no operation header; the stream is corrupt");
        if (theirOp != op || theirSeq != seq || (op != OP_GATHER && theirLength != length)) {
            // The failure closes both connections; the next member must first have this header, or
            // it would read only that the connection closed and could not name both operations.
            RingException mismatch = new RingException(here + inbound.peer() + " is in " + describe(theirOp, theirLength) + " as operation "
                    + theirSeq + ", this member in " + describe(op, length) + " as operation " + seq + "; every member must call the same operations");
            try {
                sender.awaitSent();
            } catch (RingException unsent) {
                mismatch.addSuppressed(unsent);
            }
            throw mismatch;
        }
    }

    private static String describe(int op, long length) {
        return switch (op) {
            case OP_SUM -> "allReduceSum of " + length + " floats";
            case OP_MEAN -> "allReduceMean of " + length + " floats";
            case OP_GATHER -> "allGather";
            default -> "unknown operation " + op;
        };
    }

    private void ensureUsable() throws RingException {
        RingException b = broken;
        if (b != null) throw new RingException("ring rank " + rank + ": the ring failed earlier (" + b.getMessage() + ")", b);
        if (closed) throw new RingException("ring rank " + rank + ": the ring is closed");
    }

    /** Closes the failed ring (its neighbours then fail at once) and returns the failure to throw. */
    private RingException fail(RingException e) {
        if (broken == null && !closed) broken = e;
        try {
            close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
        return e;
    }

    /** Closes both connections, the sender thread and the listener; idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            if (sender != null) sender.close();
        } finally {
            try {
                if (inbound != null) inbound.close();
            } finally {
                if (listener != null) listener.close();
            }
        }
    }
}
