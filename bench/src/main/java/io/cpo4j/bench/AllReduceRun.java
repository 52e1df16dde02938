package io.cpo4j.bench;

import io.cpo4j.spark.ring.Ring;
import io.cpo4j.spark.ring.RingListener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ring all-reduce of {@code cpo4j-spark} on loopback: N members as threads of this JVM sum
 * arrays of 1M and 10M floats; the median of the runs (after warm-up) is reported as algorithm
 * bandwidth (4·length bytes / time) and bus bandwidth (2(N − 1)/N of that: what each member
 * actually sends), next to a plain one-way socket copy of the same bytes in the same run (one
 * thread writes 4·length bytes through a 256 KB direct buffer, another reads them), so that the
 * ring's figure reads as a fraction of what the loopback moves. The last column moves what each
 * member sends (2(N − 1)/N · 4·length bytes) both ways at once over two connections: the ring's
 * traffic alone, its floor on this machine. Prints a markdown table.
 *
 * <pre>bench/run.sh allreduce [--floats 1000000,10000000] [--runs 9] [--warmup 10] [--members 2]</pre>
 */
public final class AllReduceRun {

    private static final int COPY_BUFFER_BYTES = 256 << 10;

    public static void main(String[] args) throws Exception {
        int[] lengths = {1_000_000, 10_000_000};
        int runs = 9, warmup = 10, members = 2; // the sums' loops need about 10 calls to be compiled
        boolean processes = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--floats" -> lengths = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--members" -> members = Integer.parseInt(args[++i]);
                case "--processes" -> processes = true;
                default -> {
                    System.err.println("usage: bench/run.sh allreduce [--floats 1000000,10000000] [--runs 9] [--warmup 10] [--members 2] [--processes]");
                    System.exit(2);
                }
            }
        }
        Machine m = Machine.describe();
        System.out.println("# Ring all-reduce on loopback\n");
        System.out.println("- JDK: " + m.jdk() + "\n- CPU: " + m.cpu() + ", " + m.cores() + " cores visible, load " + Machine.loadAverage()
                + "\n- median of " + runs + " runs after " + warmup + " warm-up runs; busbw = 2(N − 1)/N · 4·length / time\n");
        System.out.println("| members | floats | MB | all-reduce, ms | algbw, GB/s | busbw, GB/s | one-way copy, ms | copy, GB/s | busbw / copy | both-ways copy of busbw bytes, ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "allreduce-bench");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int length : lengths) {
                double bytes = 4.0 * length, bus = 2.0 * (members - 1) / members * bytes;
                double copy = median(socketCopy(pool, 4L * length, false, warmup, runs));
                double twoWay = median(socketCopy(pool, (long) bus, true, warmup, runs));
                double threads = median(allReduce(pool, members, length, warmup, runs));
                row(members + " threads", length, threads, members, copy, twoWay);
                if (processes) {
                    double twoWayOfTwo = members == 2 ? twoWay : median(socketCopy(pool, 4L * length, true, warmup, runs));
                    row("2 processes", length, median(AllReduceProcesses.measure(length, warmup, runs)), 2, copy, twoWayOfTwo);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void row(String members, int length, double ring, int n, double copy, double twoWay) {
        double bytes = 4.0 * length, bus = 2.0 * (n - 1) / n * bytes;
        System.out.println(String.format(Locale.ROOT, "| %s | %,d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |",
                members, length, bytes / 1e6, ring * 1e3, bytes / ring / 1e9, bus / ring / 1e9, copy * 1e3, bytes / copy / 1e9,
                (bus / ring) / (bytes / copy), twoWay * 1e3));
    }

    /** Seconds per allReduceSum of {@code length} floats (the slowest member's), one entry per measured run. */
    static double[] allReduce(ExecutorService pool, int n, int length, int warmup, int runs) throws Exception {
        List<RingListener> listeners = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            listeners.add(RingListener.open(InetAddress.getLoopbackAddress()));
            addresses.add(listeners.get(i).address());
        }
        List<Future<Ring>> joins = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int rank = i;
            joins.add(pool.submit(() -> Ring.join(rank, addresses, listeners.get(rank), Duration.ofSeconds(30))));
        }
        List<Ring> rings = new ArrayList<>();
        for (Future<Ring> f : joins) rings.add(f.get());
        try {
            List<Future<double[]>> times = new ArrayList<>();
            for (Ring ring : rings) times.add(pool.submit(() -> AllReduceProcesses.time(ring, length, warmup, runs)));
            double[] slowest = new double[runs];
            for (Future<double[]> f : times) {
                double[] t = f.get();
                for (int i = 0; i < runs; i++) slowest[i] = Math.max(slowest[i], t[i]);
            }
            return slowest;
        } finally {
            for (Ring r : rings) r.close();
        }
    }

    /**
     * Seconds to move {@code bytes} over loopback connections, one entry per measured run: one way
     * (one connection), or both ways at once (two connections, each direction {@code bytes}: the
     * ring's own traffic for N = 2, without its conversions and sums).
     */
    static double[] socketCopy(ExecutorService pool, long bytes, boolean bothWays, int warmup, int runs) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel a = SocketChannel.open(server.getLocalAddress());
             SocketChannel b = server.accept()) {
            for (SocketChannel ch : List.of(a, b)) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            }
            int threads = bothWays ? 4 : 2;
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<double[]>> sides = new ArrayList<>();
            sides.add(pool.submit(() -> stream(a, bytes, true, start, warmup, runs)));
            sides.add(pool.submit(() -> stream(b, bytes, false, start, warmup, runs)));
            if (bothWays) {
                sides.add(pool.submit(() -> stream(b, bytes, true, start, warmup, runs)));
                sides.add(pool.submit(() -> stream(a, bytes, false, start, warmup, runs)));
            }
            double[] slowest = new double[runs];
            for (Future<double[]> f : sides) {
                double[] t = f.get();
                for (int i = 0; i < runs; i++) slowest[i] = Math.max(slowest[i], t[i]);
            }
            return slowest;
        }
    }

    /** Writes or reads {@code bytes} through a 256 KB direct buffer per run; seconds per measured run. */
    private static double[] stream(SocketChannel ch, long bytes, boolean write, CyclicBarrier start, int warmup, int runs) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(COPY_BUFFER_BYTES);
        double[] seconds = new double[runs];
        for (int run = -warmup; run < runs; run++) {
            start.await();
            long t0 = System.nanoTime();
            for (long left = bytes; left > 0; ) {
                buffer.clear().limit((int) Math.min(COPY_BUFFER_BYTES, left));
                if (write) {
                    left -= buffer.remaining();
                    while (buffer.hasRemaining()) ch.write(buffer);
                } else {
                    int n = ch.read(buffer);
                    if (n < 0) throw new IOException("socket copy: the writer closed early");
                    left -= n;
                }
            }
            if (run >= 0) seconds[run] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
