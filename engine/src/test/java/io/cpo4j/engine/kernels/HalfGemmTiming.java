package io.cpo4j.engine.kernels;

/**
 * Not a test: a timing main for a linear layer's GEMMs with a float32 against a bfloat16 / float16
 * weight W (out, in) — forward x·Wᵀ (B transposed) and backward dy·W — one thread by default, best of
 * several rounds. Run: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * io.cpo4j.engine.kernels.HalfGemmTiming [rows out in [threads]]
 */
public final class HalfGemmTiming {

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 256, out = args.length > 1 ? Integer.parseInt(args[1]) : 2304;
        int in = args.length > 2 ? Integer.parseInt(args[2]) : 768;
        Parallel.setThreads(args.length > 3 ? Integer.parseInt(args[3]) : 1);
        float[] w = Twins.randn(1, out * in), x = Twins.randn(2, rows * in), dy = Twins.randn(3, rows * out);
        float[] y = new float[rows * out], dx = new float[rows * in];
        short[] bf = new short[w.length], f16 = new short[w.length];
        HalfFloats.narrow(w, 0, bf, 0, w.length, true);
        HalfFloats.narrow(w, 0, f16, 0, w.length, false);
        double gflop = 2.0 * rows * out * in / 1e9;
        System.out.printf("linear %d rows, W %d x %d, %d threads%n", rows, out, in, Parallel.threads());
        for (int round = 0; round < 3; round++) {
            double ff = forwardFloat(x, w, y, rows, out, in), fb = forwardHalf(x, bf, true, y, rows, out, in), fh = forwardHalf(x, f16, false, y, rows, out, in);
            double bfl = backwardFloat(dy, w, dx, rows, out, in), bb = backwardHalf(dy, bf, true, dx, rows, out, in), bh = backwardHalf(dy, f16, false, dx, rows, out, in);
            System.out.printf("round %d: forward GFLOPS f32 %.1f bf16 %.1f f16 %.1f; backward dx f32 %.1f bf16 %.1f f16 %.1f%n", round,
                    gflop / ff, gflop / fb, gflop / fh, gflop / bfl, gflop / bb, gflop / bh);
        }
    }

    private static double forwardFloat(float[] x, float[] w, float[] y, int rows, int out, int in) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 10; rep++) {
            long t0 = System.nanoTime();
            Gemm.gemm(false, true, rows, out, in, x, 0, in, w, 0, in, y, 0, out, false);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }

    private static double forwardHalf(float[] x, short[] w, boolean bf16, float[] y, int rows, int out, int in) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 10; rep++) {
            long t0 = System.nanoTime();
            Gemm.gemmHalfB(false, true, rows, out, in, x, 0, in, w, 0, in, bf16, y, 0, out, false);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }

    private static double backwardFloat(float[] dy, float[] w, float[] dx, int rows, int out, int in) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 10; rep++) {
            long t0 = System.nanoTime();
            Gemm.gemm(false, false, rows, in, out, dy, 0, out, w, 0, in, dx, 0, in, false);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }

    private static double backwardHalf(float[] dy, short[] w, boolean bf16, float[] dx, int rows, int out, int in) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 10; rep++) {
            long t0 = System.nanoTime();
            Gemm.gemmHalfB(false, false, rows, in, out, dy, 0, out, w, 0, in, bf16, dx, 0, in, false);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }
}
