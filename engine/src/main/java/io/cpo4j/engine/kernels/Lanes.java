package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fixed-order horizontal sums. {@code reduceLanes(ADD)} leaves the order of additions to the
 * implementation, and the JIT-compiled intrinsic and the interpreter do differ in it, so a result
 * would depend on when a method got compiled — which differs with the thread count. Kernels sum
 * lanes here instead, in an order this code fixes: a tree that adds the upper half of the lanes
 * to the lower half until one lane is left: log₂ lanes shuffles and adds, where summing lane by
 * lane would take one extract per lane, which short rows feel.
 */
final class Lanes {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Shuffle k swaps lanes that are lanes/2^(k+1) apart. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    private Lanes() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int steps = Integer.numberOfTrailingZeros(S.length());
        VectorShuffle<Float>[] s = new VectorShuffle[steps];
        for (int k = 0; k < steps; k++) {
            int distance = S.length() >> (k + 1);
            s[k] = VectorShuffle.fromOp(S, i -> i ^ distance);
        }
        return s;
    }

    static float sum(FloatVector v) {
        for (VectorShuffle<Float> half : HALVES) v = v.add(v.rearrange(half));
        return v.lane(0);
    }
}
