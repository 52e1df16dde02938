package io.cpo4j.engine;

import io.cpo4j.engine.kernels.Gemm;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.engine.kernels.Simd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Engine-wide settings and the start-up self-check: which JDK, whether the Vector API path is
 * taken and how wide it is, FMA support, the thread count, and a short matmul measurement from a
 * cold start, so that a slow path shows at once.
 */
public final class Engine {

    private Engine() {}

    /** Threads of the engine pool (system property {@code cpo4j.threads}, default: available processors). */
    public static int threads() {
        return Parallel.threads();
    }

    /** Resizes the engine pool. Results are bit-identical for any size. */
    public static void setThreads(int threads) {
        Parallel.setThreads(threads);
    }

    /** What the self-check found. */
    public record SelfCheck(String jdk, boolean vectorModule, boolean vectorEnabled, int vectorBits, int floatLanes,
                            String fma, int threads, int matmulSize, double matmulGflops) {

        /** Problems a user should know about (empty when all is well). */
        public List<String> warnings() {
            List<String> w = new ArrayList<>();
            if (!vectorModule) {
                w.add("the jdk.incubator.vector module is missing: start java with --add-modules jdk.incubator.vector (the ./cpo4j launcher does); running on slow scalar kernels");
            } else if (!vectorEnabled) {
                w.add("vector kernels are switched off (-Dcpo4j.simd=false); running on slow scalar kernels");
            } else if (floatLanes < 4) {
                w.add("the preferred vector species holds only " + floatLanes + " floats; this CPU or JVM gives little SIMD");
            }
            if ("no".equals(fma)) w.add("this CPU reports no FMA instructions; vector kernels will be slow");
            return w;
        }

        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "cpo4j engine self-check%n"));
            sb.append(String.format(Locale.ROOT, "  jdk            %s%n", jdk));
            sb.append(String.format(Locale.ROOT, "  vector api     %s%n", vectorEnabled ? "on" : (vectorModule ? "off (disabled)" : "off (module missing)")));
            sb.append(String.format(Locale.ROOT, "  vector width   %d bits, %d floats per vector%n", vectorBits, floatLanes));
            sb.append(String.format(Locale.ROOT, "  fma            %s%n", fma));
            sb.append(String.format(Locale.ROOT, "  threads        %d%n", threads));
            sb.append(String.format(Locale.ROOT, "  matmul         %.1f GFLOPS (%d×%d×%d, float32, %d threads, cold start)%n",
                    matmulGflops, matmulSize, matmulSize, matmulSize, threads));
            for (String w : warnings()) sb.append("  WARNING: ").append(w).append(System.lineSeparator());
            return sb.toString();
        }
    }

    /** Runs the self-check; the matmul measurement takes about half a second. */
    public static SelfCheck selfCheck() {
        int n = 512;
        return new SelfCheck(
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                Simd.modulePresent(), Simd.ENABLED, Simd.vectorBits(), Simd.floatLanes(),
                cpuFma(), threads(), n, measureGemm(n, 500_000_000L));
    }

    /** Best GFLOPS of repeated n×n×n products within about {@code budgetNanos}. */
    private static double measureGemm(int n, long budgetNanos) {
        Rng rng = new Rng(1);
        float[] a = Tensor.randn(rng, 1f, n, n).data(), b = Tensor.randn(rng, 1f, n, n).data(), c = new float[n * n];
        double best = Double.MAX_VALUE;
        long start = System.nanoTime();
        int reps = 0;
        while (reps < 3 || (System.nanoTime() - start < budgetNanos && reps < 200)) {
            best = Math.min(best, timeOne(n, a, b, c));
            reps++;
        }
        return 2.0 * n * n * n / best;
    }

    private static long timeOne(int n, float[] a, float[] b, float[] c) {
        long t0 = System.nanoTime();
        Gemm.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
        return System.nanoTime() - t0;
    }

    /** "yes", "no" or "unknown", from the CPU flags the OS reports. */
    private static String cpuFma() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) return "unknown";
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                String l = line.toLowerCase(Locale.ROOT);
                if (l.startsWith("flags") || l.startsWith("features")) {
                    String flags = " " + l.substring(l.indexOf(':') + 1) + " ";
                    boolean x86 = flags.contains(" fma ");
                    boolean arm = flags.contains(" asimd ");   // FMA is part of AArch64 Advanced SIMD
                    boolean avx512 = flags.contains(" avx512f ");
                    if (x86) return avx512 ? "yes (AVX-512F and FMA3)" : "yes (FMA3)";
                    if (arm) return "yes (AArch64 ASIMD)";
                    return "no";
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }
}
