package io.cpo4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine's FP32 FMA peak per thread count, from {@code ../shared/peers/fma_peak.c} (compiled
 * with gcc when present), so that every figure can be read as a fraction of what the cores allow.
 */
final class FmaPeak {

    private FmaPeak() {}

    /** Best zmm (512-bit) FMA GFLOPS by thread count; empty when gcc or the source is missing. */
    static Map<Integer, Double> measure(Path peersDir, List<Integer> threads, Path work) {
        Map<Integer, Double> peak = new LinkedHashMap<>();
        Path source = peersDir.resolve("fma_peak.c"), binary = work.resolve("fma_peak");
        if (!Files.isRegularFile(source)) return peak;
        try {
            Process gcc = new ProcessBuilder("gcc", "-O2", "-march=native", "-fopenmp", source.toString(), "-o", binary.toString())
                    .redirectErrorStream(true).start();
            gcc.getInputStream().readAllBytes();
            if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) return peak;
            Pattern zmm = Pattern.compile("zmm_fma_GFLOPS\\(total\\)=([\\d.]+)");
            for (int t : threads) {
                ProcessBuilder pb = new ProcessBuilder(binary.toString(), "3").redirectErrorStream(true);
                pb.environment().put("OMP_NUM_THREADS", Integer.toString(t));
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor(120, TimeUnit.SECONDS);
                double best = 0;
                Matcher m = zmm.matcher(out);
                while (m.find()) best = Math.max(best, Double.parseDouble(m.group(1)));
                if (best > 0) peak.put(t, best);
            }
        } catch (IOException e) {
            return peak;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return peak;
    }
}
