package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Lane-wise maximum as one compare and one blend. {@code FloatVector.max} follows
 * {@link Math#max} exactly (NaN and −0.0 rules) and C2 emits several instructions for it on
 * x86; measured here, replacing it (and {@code min}) by compare-and-blend made the vector exp
 * 25% faster. The difference: a NaN in {@code b} is not taken; a NaN already in {@code a} stays.
 * Callers pass data whose NaNs propagate through their other arithmetic anyway.
 */
final class VectorMax {

    private VectorMax() {}

    static FloatVector of(FloatVector a, FloatVector b) {
        return a.blend(b, b.compare(VectorOperators.GT, a));
    }
}
