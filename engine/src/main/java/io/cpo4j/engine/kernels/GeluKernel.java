package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU with GPT-2's tanh approximation:
 * {@code gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}; tanh via exp, so one exp per element.
 */
public final class GeluKernel {

    static final float SCALE = (float) Math.sqrt(2.0 / Math.PI);
    static final float CUBE = 0.044715f;

    private GeluKernel() {}

    /** out[i] = gelu(x[i]). */
    public static void forward(float[] x, int xOff, float[] out, int outOff, int n) {
        Parallel.forChunks(n, Elementwise.PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.forward(x, xOff + from, out, outOff + from, to - from);
            else forwardScalar(x, xOff + from, out, outOff + from, to - from);
        });
    }

    public static void forwardScalar(float[] x, int xOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            float u = SCALE * (v + CUBE * v * v * v);
            out[outOff + i] = 0.5f * v * (1f + (float) StrictMath.tanh(u));
        }
    }

    /** dx[i] += gelu'(x[i]) · dout[i]. */
    public static void backward(float[] x, int xOff, float[] dout, int dOff, float[] dx, int dxOff, int n) {
        Parallel.forChunks(n, Elementwise.PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.backward(x, xOff + from, dout, dOff + from, dx, dxOff + from, to - from);
            else backwardScalar(x, xOff + from, dout, dOff + from, dx, dxOff + from, to - from);
        });
    }

    public static void backwardScalar(float[] x, int xOff, float[] dout, int dOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            float u = SCALE * (v + CUBE * v * v * v);
            float th = (float) StrictMath.tanh(u);
            float sech2 = 1f - th * th;
            float local = 0.5f * (1f + th) + 0.5f * v * sech2 * SCALE * (1f + 3f * CUBE * v * v);
            dx[dxOff + i] += local * dout[dOff + i];
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        /** tanh(u) = 1 − 2 / (exp(2u) + 1); exp clamps large arguments, so e stays finite. */
        static FloatVector tanh(FloatVector u) {
            FloatVector e = Exp.Vec.exp(u.mul(2f));
            return FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
        }

        static void forward(float[] x, int xOff, float[] out, int outOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                FloatVector u = v.mul(v).mul(v).fma(CUBE, 0f).add(v).mul(SCALE);
                v.mul(0.5f).mul(tanh(u).add(1f)).intoArray(out, outOff + i);
            }
            forwardScalar(x, xOff + i, out, outOff + i, n - i);
        }

        static void backward(float[] x, int xOff, float[] dout, int dOff, float[] dx, int dxOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                FloatVector v2 = v.mul(v);
                FloatVector u = v2.mul(v).fma(CUBE, 0f).add(v).mul(SCALE);
                FloatVector th = tanh(u);
                FloatVector sech2 = FloatVector.broadcast(S, 1f).sub(th.mul(th));
                FloatVector inner = v2.fma(3f * CUBE, 1f).mul(SCALE);
                FloatVector local = th.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(inner));
                local.fma(FloatVector.fromArray(S, dout, dOff + i), FloatVector.fromArray(S, dx, dxOff + i)).intoArray(dx, dxOff + i);
            }
            backwardScalar(x, xOff + i, dout, dOff + i, dx, dxOff + i, n - i);
        }
    }
}
