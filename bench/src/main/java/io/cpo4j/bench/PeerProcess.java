package io.cpo4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A peer process that waits for orders (bench/peers/paired_peer.py, paired_train_peer.py): it
 * prints "ready ..." once, then answers each line with "ok VALUE" or "error MESSAGE". Problems
 * go to the report's notes, never up the stack: a missing peer only leaves its column empty.
 */
final class PeerProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader in;
    private final PrintWriter out;
    private final String ready;
    private final List<String> notes;

    private PeerProcess(Process process, String ready, List<String> notes) {
        this.process = process;
        this.in = process.inputReader();
        this.out = new PrintWriter(process.outputWriter(), true);
        this.ready = ready;
        this.notes = notes;
    }

    /**
     * Starts {@code command} with OPENBLAS_NUM_THREADS and OMP_NUM_THREADS at {@code threads}, no
     * OpenBLAS overrides but {@code coreType} when given; null (and a note) if it does not get ready.
     */
    static PeerProcess start(List<String> command, int threads, String coreType, List<String> notes) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().remove("OPENBLAS_L2_SIZE");
            pb.environment().remove("OPENBLAS_CORETYPE");
            if (coreType != null) pb.environment().put("OPENBLAS_CORETYPE", coreType);
            pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            Process p = pb.start();
            String ready = p.inputReader().readLine();
            String what = String.join(" ", command) + (coreType == null ? "" : " with OPENBLAS_CORETYPE=" + coreType);
            if (ready == null || !ready.startsWith("ready ")) {
                notes.add("peer " + what + " did not start: " + ready);
                p.destroy();
                return null;
            }
            System.out.println("# peer " + what + ": " + ready);
            return new PeerProcess(p, ready, notes);
        } catch (IOException e) {
            notes.add("could not start the peer " + String.join(" ", command) + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * A torch step peer for the in-turns benchmarks: on OpenBLAS's best kernel set for this machine when
     * one is known ("torch/CORE"), else as OpenBLAS configures itself ("torch"): torch on OpenBLAS's generic
     * kernels took 20-34 s per GPT-2 124M step, which doubled a benchmark's time and never was the faster peer. Null (and a note) when neither starts.
     */
    static Map.Entry<String, PeerProcess> startOnBestCore(List<String> command, int threads, List<String> notes) {
        String best = Peers.bestCore(Machine.describe());
        PeerProcess forced = best == null ? null : start(command, threads, best, notes);
        if (forced != null) return Map.entry("torch/" + best, forced);
        PeerProcess auto = start(command, threads, null, notes);
        return auto == null ? null : Map.entry("torch", auto);
    }

    /**
     * Pause before each turn, in milliseconds. OpenBLAS's and OpenMP's worker threads keep
     * spinning after a call returns: a 2-thread numpy or torch process burned 0.13 s of CPU in
     * the 0.5 s after its last call (getrusage, three trials each; a JVM running the engine on 2
     * threads: 0.00-0.01 s). Without the pause, whoever took the next turn on 2 threads shared a
     * core with those spinning threads for that long.
     */
    static final long SETTLE_MILLIS = 250;

    /** Waits {@link #SETTLE_MILLIS}, so that the last contestant's threads are asleep before the next turn. */
    static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The OpenBLAS kernel set the peer reported ("n/a" when it did not). */
    String openblas() {
        String[] w = ready.split(" ");
        for (int i = 0; i + 1 < w.length; i++) if (w[i].equals("openblas")) return w[i + 1];
        return "n/a";
    }

    boolean hasTorch() {
        return !ready.contains("torch n/a");
    }

    /** Sends one order; the value of its "ok" answer, or NaN (and a note). */
    double ask(String order) {
        out.println(order);
        try {
            String answer = in.readLine();
            if (answer != null && answer.startsWith("ok ")) return Double.parseDouble(answer.substring(3).trim());
            notes.add("peer answered \"" + answer + "\" to \"" + order + "\"");
        } catch (IOException | NumberFormatException e) {
            notes.add("peer failed on \"" + order + "\": " + e.getMessage());
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        out.println("quit");
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
