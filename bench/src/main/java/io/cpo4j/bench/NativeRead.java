package io.cpo4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine's read bandwidth measured natively ({@code bench/peers/mem_read.c}, compiled with gcc
 * on first use): a peer for the decoding bound that does not depend on how well Java streams memory.
 */
final class NativeRead {

    private static final Pattern LINE = Pattern.compile("read_GBps best=([\\d.]+) median=([\\d.]+) threads=(\\d+)");

    private final Path source, binary;
    private final List<String> notes;
    private Boolean built;

    NativeRead(Path source, Path work, List<String> notes) {
        this.source = source;
        this.binary = work.resolve("mem_read");
        this.notes = notes;
    }

    /** GB/s read by {@code threads} OpenMP threads, or null (with a note saying why) when it could not be measured. */
    Peers.Figure measure(int threads) {
        if (!build()) return null;
        try {
            ProcessBuilder pb = new ProcessBuilder(binary.toString(), "15").redirectErrorStream(true);
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            pb.environment().put("OMP_PROC_BIND", "false");
            System.out.println("# peer: OMP_NUM_THREADS=" + threads + " " + binary + " 15");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            System.out.print("  " + out);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                notes.add("native read probe failed on " + threads + " threads: " + out.strip());
                return null;
            }
            Matcher m = LINE.matcher(out);
            if (!m.find() || Integer.parseInt(m.group(3)) != threads) {
                notes.add("native read probe printed no figure for " + threads + " threads: " + out.strip());
                return null;
            }
            return new Peers.Figure("native", threads, "read", "GB/s", Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
        } catch (IOException e) {
            notes.add("could not run the native read probe: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private boolean build() {
        if (built == null) built = build(source, binary, notes);
        return built;
    }

    /** Compiles {@code source} to {@code binary} with gcc; false, with a note saying why, when it cannot. */
    static boolean build(Path source, Path binary, List<String> notes) {
        if (!Files.isRegularFile(source)) {
            notes.add("native read probe not found at " + source + "; its bound is n/a");
            return false;
        }
        try {
            Process gcc = new ProcessBuilder("gcc", "-O3", "-march=native", "-fopenmp", source.toString(), "-o", binary.toString())
                    .redirectErrorStream(true).start();
            String out = new String(gcc.getInputStream().readAllBytes());
            if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                notes.add("gcc could not build " + source + ": " + out.strip());
                return false;
            }
            return true;
        } catch (IOException e) {
            notes.add("gcc is not installed (apt-get install gcc); the native read bound is n/a");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
