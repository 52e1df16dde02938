package io.cpo4j.bench;

import io.cpo4j.spark.ring.Ring;
import io.cpo4j.spark.ring.RingListener;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@link AllReduceRun}'s N = 2 as two JVMs, as two Spark executors would be: this JVM is rank 0,
 * a child JVM (this class's {@code main}) rank 1. They swap listening ports over the child's
 * stdin/stdout (Spark's allGather in the real thing), then every run starts with an allGather as a
 * barrier and times one allReduceSum.
 */
public final class AllReduceProcesses {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Rank 0's seconds per allReduceSum of {@code length} floats, one entry per measured run. */
    static double[] measure(int length, int warmup, int runs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                AllReduceProcesses.class.getName(), Integer.toString(length), Integer.toString(warmup), Integer.toString(runs))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (RingListener listener = RingListener.open(InetAddress.getLoopbackAddress());
             BufferedReader fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintStream toChild = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line = fromChild.readLine();
            if (line == null || !line.startsWith("port=")) throw new IOException("allreduce child: expected port=N, got " + line);
            InetSocketAddress childAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(line.substring(5)));
            toChild.println("port=" + listener.address().getPort());
            try (Ring ring = Ring.join(0, List.of(listener.address(), childAddress), listener, TIMEOUT)) {
                return time(ring, length, warmup, runs);
            }
        } finally {
            if (!child.waitFor(30, TimeUnit.SECONDS)) child.destroyForcibly();
        }
    }

    /** The child: rank 1. Args: floats, warm-up runs, measured runs. */
    public static void main(String[] args) throws Exception {
        int length = Integer.parseInt(args[0]), warmup = Integer.parseInt(args[1]), runs = Integer.parseInt(args[2]);
        try (RingListener listener = RingListener.open(InetAddress.getLoopbackAddress())) {
            System.out.println("port=" + listener.address().getPort());
            System.out.flush();
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || !line.startsWith("port=")) throw new IOException("allreduce child: expected port=N, got " + line);
            InetSocketAddress parent = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(line.substring(5)));
            try (Ring ring = Ring.join(1, List.of(parent, listener.address()), listener, TIMEOUT)) {
                time(ring, length, warmup, runs);
            }
        }
    }

    /** Seconds of each timed all-reduce of {@code length} floats on this member (every member starts each one together). */
    static double[] time(Ring ring, int length, int warmup, int runs) throws IOException {
        float[] source = new float[length], data = new float[length];
        Random random = new Random(ring.rank());
        for (int i = 0; i < length; i++) source[i] = (float) random.nextGaussian();
        double[] seconds = new double[runs];
        for (int run = -warmup; run < runs; run++) {
            System.arraycopy(source, 0, data, 0, length);
            ring.allGather(new byte[0]); // both start together
            long t0 = System.nanoTime();
            ring.allReduceSum(data);
            if (run >= 0) seconds[run] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }
}
