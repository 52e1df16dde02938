package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Lane-wise maximum as one compare and one blend. {@code FloatVector.max} follows
 * {@link Math#max} exactly (NaN and −0.0 rules), for which C2 emits several instructions on x86;
 * the hot loops (the vector exp among them) need only the two. The difference: a NaN in {@code b}
 * is not taken; a NaN already in {@code a} stays.
 * Callers pass data whose NaNs propagate through their other arithmetic anyway.
 */
final class VectorMax {

    private VectorMax() {}

    static FloatVector of(FloatVector a, FloatVector b) {
        return a.blend(b, b.compare(VectorOperators.GT, a));
    }
}
