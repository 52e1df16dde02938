package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Σ a[aOff + i]·b[bOff + i] over n floats: one vector accumulator of fused multiply-adds, its lanes
 * summed in {@link Lanes#sum}'s fixed order, then the tail in scalar — the same order on every
 * call, whatever the thread count. Shared by the attention, softmax-backward and mat-vec kernels;
 * their scalar twins sum in plain order, and the twin tests bound the difference.
 */
final class VectorDot {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorDot() {}

    static float of(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = Lanes.sum(acc);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }
}
