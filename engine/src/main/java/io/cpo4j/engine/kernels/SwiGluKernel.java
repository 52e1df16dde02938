package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gated unit of Llama's MLP, {@code out = silu(gate) · up} with {@code silu(g) = g·σ(g)} and
 * {@code σ(g) = 1/(1 + exp(−g))}; exp is the engine's {@link Exp}, which clamps large arguments,
 * so σ stays in [0, 1] for every finite g.
 */
public final class SwiGluKernel {

    private SwiGluKernel() {}

    /** out[i] = silu(gate[i]) · up[i]. */
    public static void forward(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int n) {
        Parallel.forChunks(n, Elementwise.PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.forward(gate, gOff + from, up, uOff + from, out, outOff + from, to - from);
            else forwardScalar(gate, gOff + from, up, uOff + from, out, outOff + from, to - from);
        });
    }

    public static void forwardScalar(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gOff + i];
            float sigma = 1f / (1f + Exp.exp(-g));
            out[outOff + i] = g * sigma * up[uOff + i];
        }
    }

    /**
     * dGate[i] += dout[i] · up[i] · σ(g)·(1 + g·(1 − σ(g))); dUp[i] += dout[i] · silu(g).
     * Either of dGate, dUp may be null.
     */
    public static void backward(float[] gate, int gOff, float[] up, int uOff, float[] dout, int dOff,
                                float[] dGate, int dgOff, float[] dUp, int duOff, int n) {
        Parallel.forChunks(n, Elementwise.PARALLEL_GRAIN, (from, to) -> {
            if (Simd.ENABLED) Vec.backward(gate, gOff + from, up, uOff + from, dout, dOff + from, dGate, dgOff + from, dUp, duOff + from, to - from);
            else backwardScalar(gate, gOff + from, up, uOff + from, dout, dOff + from, dGate, dgOff + from, dUp, duOff + from, to - from);
        });
    }

    public static void backwardScalar(float[] gate, int gOff, float[] up, int uOff, float[] dout, int dOff,
                                      float[] dGate, int dgOff, float[] dUp, int duOff, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gOff + i], d = dout[dOff + i];
            float sigma = 1f / (1f + Exp.exp(-g));
            if (dGate != null) dGate[dgOff + i] += d * up[uOff + i] * (sigma * (1f + g * (1f - sigma)));
            if (dUp != null) dUp[duOff + i] += d * (g * sigma);
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        private Vec() {}

        static FloatVector sigmoid(FloatVector g) {
            return FloatVector.broadcast(S, 1f).div(Exp.Vec.exp(g.neg()).add(1f));
        }

        static void forward(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector g = FloatVector.fromArray(S, gate, gOff + i);
                g.mul(sigmoid(g)).mul(FloatVector.fromArray(S, up, uOff + i)).intoArray(out, outOff + i);
            }
            forwardScalar(gate, gOff + i, up, uOff + i, out, outOff + i, n - i);
        }

        static void backward(float[] gate, int gOff, float[] up, int uOff, float[] dout, int dOff,
                             float[] dGate, int dgOff, float[] dUp, int duOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector g = FloatVector.fromArray(S, gate, gOff + i), d = FloatVector.fromArray(S, dout, dOff + i);
                FloatVector sigma = sigmoid(g);
                if (dGate != null) {
                    FloatVector local = sigma.mul(g.mul(sigma.neg().add(1f)).add(1f));
                    d.mul(FloatVector.fromArray(S, up, uOff + i)).mul(local)
                            .add(FloatVector.fromArray(S, dGate, dgOff + i)).intoArray(dGate, dgOff + i);
                }
                if (dUp != null) d.mul(g.mul(sigma)).add(FloatVector.fromArray(S, dUp, duOff + i)).intoArray(dUp, duOff + i);
            }
            backwardScalar(gate, gOff + i, up, uOff + i, dout, dOff + i, dGate, dgOff + i, dUp, duOff + i, n - i);
        }
    }
}
