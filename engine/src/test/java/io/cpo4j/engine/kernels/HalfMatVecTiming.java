package io.cpo4j.engine.kernels;

/**
 * Not a test: a timing main for batch-1 mat-vec, float32 against bfloat16 and float16 weights of
 * the same shape (default 49152 × 576), one thread. Each format is timed in its own method called
 * from main (no on-stack replacement of a kernel loop), best of several rounds.
 * Run: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes io.cpo4j.engine.kernels.HalfMatVecTiming [out in [f32,bf16,f16]]
 */
public final class HalfMatVecTiming {

    public static void main(String[] args) {
        int out = args.length > 0 ? Integer.parseInt(args[0]) : 49152, in = args.length > 1 ? Integer.parseInt(args[1]) : 576;
        Parallel.setThreads(1);
        float[] w = Twins.randn(1, out * in), x = Twins.randn(2, in), y = new float[out];
        short[] bf = new short[w.length], f16 = new short[w.length];
        HalfFloats.narrow(w, 0, bf, 0, w.length, true);
        HalfFloats.narrow(w, 0, f16, 0, w.length, false);
        System.out.printf("mat-vec %d x %d, 1 thread, vector path %s, %d float lanes%n", out, in, Simd.ENABLED, Simd.floatLanes());
        String formats = args.length > 2 ? args[2] : "f32,bf16,f16";
        for (int round = 0; round < 3; round++) {
            double f = formats.contains("f32") ? timeFloat(x, w, y, out, in) : Double.NaN;
            double b = formats.contains("bf16") ? timeHalf(x, bf, true, y, out, in) : Double.NaN;
            double h = formats.matches(".*(^|,)f16.*") ? timeHalf(x, f16, false, y, out, in) : Double.NaN;
            System.out.printf("round %d: f32 %.3f ms (%.1f GB/s), bf16 %.3f ms (%.1f GB/s, %.2fx), f16 %.3f ms (%.1f GB/s, %.2fx)%n", round,
                    f * 1e3, 4.0 * out * in / f / 1e9, b * 1e3, 2.0 * out * in / b / 1e9, f / b, h * 1e3, 2.0 * out * in / h / 1e9, f / h);
        }
    }

    private static double timeFloat(float[] x, float[] w, float[] y, int out, int in) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 60; rep++) {
            long t0 = System.nanoTime();
            MatVecKernel.multiply(x, 0, 1, in, w, 0, out, null, 0, y, 0);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }

    private static double timeHalf(float[] x, short[] w, boolean bf16, float[] y, int out, int in) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 60; rep++) {
            long t0 = System.nanoTime();
            HalfMatVecKernel.multiply(x, 0, 1, in, w, 0, bf16, out, null, 0, y, 0);
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }
}
