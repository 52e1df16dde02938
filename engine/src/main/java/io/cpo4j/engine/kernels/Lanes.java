package io.cpo4j.engine.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Fixed-order horizontal sums. {@code reduceLanes(ADD)} leaves the order of additions to the
 * implementation, and the JIT-compiled intrinsic and the interpreter do differ in it, so a result
 * would depend on when a method got compiled — which differs with the thread count. Kernels sum
 * lanes here instead, always lane 0 first.
 */
final class Lanes {

    private Lanes() {}

    static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
