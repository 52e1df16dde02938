package io.cpo4j.engine;

import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.ops.F;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AutogradTest {

    private static Tensor param(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateAcrossUsesAndAcrossBackwardCalls() {
        Tensor x = param(1f, 2f);
        F.sum(F.add(F.scale(x, 3f), F.scale(x, 4f))).backward();
        assertThat(x.grad().toArray()).containsExactly(7f, 7f);
        F.sum(F.mul(x, x)).backward();                     // d(x²)/dx = 2x, added to what is there
        assertThat(x.grad().toArray()).containsExactly(9f, 11f);
        x.zeroGrad();
        assertThat(x.grad().toArray()).containsExactly(0f, 0f);
    }

    @Test
    void aGradientListenerHearsEachLeafOnceWhenItsGradientIsFinalAndInTheOrderTheyFinish() {
        Tensor a = param(1f, 2f), b = param(3f, 4f), c = param(0.5f, -1f), frozen = Tensor.of(new float[] {2f, 2f}, 2);
        // a is read first and last (a tied weight): it finishes last; c only by the last op recorded: it finishes first
        java.util.function.Supplier<Tensor> loss = () -> {
            Tensor h = F.mul(F.add(a, frozen), b);            // (a + 2)·b
            Tensor y = F.mul(F.add(h, a), c);                 // ((a + 2)·b + a)·c
            return F.sum(y);
        };
        java.util.List<String> heard = new java.util.ArrayList<>();
        java.util.Map<String, float[]> whenHeard = new java.util.HashMap<>();
        java.util.Map<Tensor, String> names = new java.util.IdentityHashMap<>(java.util.Map.of(a, "a", b, "b", c, "c"));
        try (var listening = Autograd.listenForGradients(leaf -> {
            String name = names.getOrDefault(leaf, "other");
            heard.add(name);
            whenHeard.put(name, leaf.grad().toArray());
        })) {
            loss.get().backward();
        }
        assertThat(heard).containsExactly("c", "b", "a");
        for (Tensor t : java.util.List.of(a, b, c)) assertThat(whenHeard.get(names.get(t))).as(names.get(t)).containsExactly(t.grad().toArray());
        assertThat(a.grad().toArray()).containsExactly(0.5f * (3f + 1f), -1f * (4f + 1f));

        heard.clear();
        loss.get().backward();                                  // the scope closed: nothing heard
        assertThat(heard).isEmpty();
    }

    @Test
    void backwardRunsOpsInReverseRecordingOrderThroughADiamond() {
        Tensor x = param(0.5f);
        Tensor a = F.scale(x, 2f), b = F.mul(a, a), c = F.add(a, b);   // c = 2x + 4x², dc/dx = 2 + 8x = 6
        F.sum(c).backward();
        assertThat(x.grad().item()).isEqualTo(6f);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = param(1f, 2f);
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            assertThat(Autograd.isGradEnabled()).isFalse();
            y = F.sum(F.scale(x, 2f));
        }
        assertThat(Autograd.isGradEnabled()).isTrue();
        assertThat(y.requiresGrad()).isFalse();
        assertThat(y.isLeaf()).isTrue();
        assertThatThrownBy(y::backward).isInstanceOf(IllegalStateException.class).hasMessageContaining("does not require grad");
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = param(3f);
        Tensor y = F.mul(x, x.detach());                 // only the first factor carries gradient
        F.sum(y).backward();
        assertThat(x.grad().item()).isEqualTo(3f);
    }

    @Test
    void frozenParametersGetNoGradient() {
        Tensor w = param(2f), frozen = param(5f).requiresGrad(false);
        F.sum(F.mul(w, frozen)).backward();
        assertThat(w.grad().item()).isEqualTo(5f);
        assertThat(frozen.grad()).isNull();
    }

    @Test
    void theGraphIsReleasedAfterBackward() {
        Tensor x = param(1f, 2f);
        Tensor hidden = F.scale(x, 2f), kept = F.scale(x, 3f).retainGrad();
        Tensor loss = F.sum(F.add(hidden, kept));
        loss.backward();
        assertThat(hidden.isLeaf()).isTrue();
        assertThat(hidden.grad()).as("intermediate gradients are freed").isNull();
        assertThat(kept.grad().toArray()).as("unless retained").containsExactly(1f, 1f);
        assertThatThrownBy(loss::backward).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
    }

    @Test
    void backwardFromANonScalarNeedsAGradient() {
        Tensor x = param(1f, 2f);
        assertThatThrownBy(() -> F.scale(x, 2f).backward()).hasMessageContaining("one-element");
        F.scale(x, 2f).backward(new float[] {1f, 10f});
        assertThat(x.grad().toArray()).containsExactly(2f, 20f);
    }

    @Test
    void parametersShareOneFlatBufferForValuesAndGradients() {
        Parameters p = Parameters.builder().add("w", 2, 3).add("b", 3).build();
        assertThat(p.count()).isEqualTo(9);
        Tensor w = p.get("w"), b = p.get("b");
        w.data()[w.offset()] = 1f;
        assertThat(p.values()[0]).isEqualTo(1f);
        F.sum(F.linear(Tensor.of(new float[] {1f, 1f}, 1, 2), w.transpose().contiguous(), b)).backward();
        assertThat(p.grads()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1);
        p.zeroGrad();
        assertThat(w.grad().toArray()).containsOnly(0f);
        assertThatThrownBy(() -> p.get("nope")).hasMessageContaining("nope").hasMessageContaining("[w, b]");
        assertThatThrownBy(() -> Parameters.builder().add("w", 1).add("w", 2)).hasMessageContaining("duplicate");
    }
}
