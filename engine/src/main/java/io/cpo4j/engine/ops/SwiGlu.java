package io.cpo4j.engine.ops;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Shape;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.internal.Outputs;
import io.cpo4j.engine.kernels.SwiGluKernel;

import java.util.Arrays;

/** Llama's gated MLP unit, silu(gate) · up, fused: one pass forward, one backward for both inputs. */
final class SwiGlu {

    private SwiGlu() {}

    /** gate (..), up (..) of the same shape → (..). */
    static Tensor forward(Tensor gate, Tensor up) {
        if (!Arrays.equals(gate.shape(), up.shape())) {
            throw new IllegalArgumentException("swiglu: gate " + Shape.str(gate.shape()) + " and up " + Shape.str(up.shape())
                    + " must have the same shape");
        }
        Tensor gv = Operands.rowMajor(gate), uv = Operands.rowMajor(up);
        Tensor result = Outputs.allocate(gate.shape(), false);
        float[] out = result.data();
        SwiGluKernel.forward(gv.data(), gv.offset(), uv.data(), uv.offset(), out, 0, out.length);
        return Autograd.record("swiglu", result, () -> SwiGluKernel.backward(gv.data(), gv.offset(), uv.data(), uv.offset(),
                result.gradBuffer(), result.gradOffset(),
                gate.requiresGrad() ? gate.gradBuffer() : null, gate.gradOffset(),
                up.requiresGrad() ? up.gradBuffer() : null, up.gradOffset(), gate.size()), gate, up);
    }
}
