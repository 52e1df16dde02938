package io.cpo4j.engine.ops;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks an op against its double-precision reference: the forward values, and the backward
 * against central finite differences of the reference (computed in double, so the numerical
 * gradient is exact to ~1e-9 and any error is the engine's).
 */
final class GradCheck {

    interface EngineFn {
        Tensor apply(Tensor[] xs);
    }

    interface RefFn {
        Ref.D apply(Ref.D[] xs);
    }

    /** Forward tolerance: |y − ref| ≤ FWD · (max|ref| + 1). */
    static final double FWD = 2e-5;
    /** Backward tolerance: |grad − numeric| ≤ BWD · max|numeric| + 1e-6, per input tensor. */
    static final double BWD = 2e-4;

    private GradCheck() {}

    /** Random normal inputs of the given shapes, all requiring grad. */
    static Tensor[] inputs(long seed, int[]... shapes) {
        Rng rng = new Rng(seed);
        Tensor[] xs = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) xs[i] = Tensor.randn(rng, 1f, shapes[i]).requiresGrad(true);
        return xs;
    }

    static void check(String what, Tensor[] xs, EngineFn f, RefFn ref) {
        Tensor y = f.apply(xs);
        Ref.D[] d = new Ref.D[xs.length];
        for (int i = 0; i < xs.length; i++) d[i] = toD(xs[i]);
        Ref.D yr = ref.apply(d);

        assertThat(y.shape()).as(what + ": output shape").containsExactly(yr.shape());
        float[] yv = y.toArray();
        double scale = 1;
        for (double v : yr.v()) scale = Math.max(scale, Math.abs(v) + 1);
        for (int i = 0; i < yv.length; i++) {
            assertThat((double) yv[i]).as(what + ": forward value " + i).isCloseTo(yr.v()[i], org.assertj.core.data.Offset.offset(FWD * scale));
        }

        Rng rng = new Rng(99);
        double[] weights = new double[y.size()];
        float[] wf = new float[y.size()];
        for (int i = 0; i < wf.length; i++) {
            wf[i] = (float) rng.nextGaussian();
            weights[i] = wf[i];
        }
        y.backward(wf);

        double h = 1e-5;
        for (int i = 0; i < xs.length; i++) {
            if (!xs[i].requiresGrad()) continue;
            assertThat(xs[i].grad()).as(what + ": input " + i + " received no gradient").isNotNull();
            float[] analytic = xs[i].grad().toArray();
            double[] numeric = new double[analytic.length];
            double maxNum = 0;
            for (int j = 0; j < analytic.length; j++) {
                double keep = d[i].v()[j];
                d[i].v()[j] = keep + h;
                double plus = dot(ref.apply(d), weights);
                d[i].v()[j] = keep - h;
                double minus = dot(ref.apply(d), weights);
                d[i].v()[j] = keep;
                numeric[j] = (plus - minus) / (2 * h);
                maxNum = Math.max(maxNum, Math.abs(numeric[j]));
            }
            double tol = BWD * maxNum + 1e-6;
            for (int j = 0; j < analytic.length; j++) {
                assertThat(Math.abs(analytic[j] - numeric[j]))
                        .as("%s: d/d input %d %s at element %d: analytic %s vs numeric %s", what, i, Shape.str(xs[i].shape()), j, analytic[j], numeric[j])
                        .isLessThanOrEqualTo(tol);
            }
        }
    }

    static Ref.D toD(Tensor t) {
        float[] v = t.toArray();
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return new Ref.D(d, t.shape());
    }

    private static double dot(Ref.D y, double[] w) {
        double s = 0;
        for (int i = 0; i < w.length; i++) s += y.v()[i] * w[i];
        return s;
    }
}
