package io.cpo4j.engine.nn;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.HalfFloats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrozenWeightsTest {

    /** 100M elements in bf16 take 200 MB: the arrays' lengths, not the heap, say so. */
    @Test
    void aHundredMillionHalfElementsTakeTwoHundredMegabytes() {
        FrozenWeights w = FrozenWeights.builder(DType.BF16).add("big", 10_000, 9_000).add("other", 1_000, 10_000).addFloat32("norm", 1000).build();
        long halfElements = 0;
        for (Tensor t : w.list()) if (t.isHalf()) halfElements += t.halfData().length;
        assertThat(halfElements).isEqualTo(100_000_000L);
        assertThat(w.get("norm").isHalf()).isFalse();
        assertThat(w.get("norm").data()).hasSize(1000);
        assertThat(w.count()).isEqualTo(100_001_000L);
        assertThat(w.bytes()).isEqualTo(200_000_000L + 4_000L);
        for (Tensor t : w.list()) assertThat(t.requiresGrad()).isFalse();
    }

    /** The total is a long: a set larger than one Java array is declared without overflow (not allocated here). */
    @Test
    void theDeclaredTotalMayExceedOneJavaArray() {
        FrozenWeights.Builder b = FrozenWeights.builder(DType.F16);
        for (int i = 0; i < 3; i++) b.add("layer" + i, 32_768, 32_768);
        assertThat(b.count()).isEqualTo(3L << 30).isGreaterThan(Integer.MAX_VALUE);
        assertThat(b.bytes()).isEqualTo(6L << 30);
    }

    @Test
    void ofParametersRoundsTheChosenTensorsAndCopiesTheOthers() {
        Parameters p = Parameters.builder().add("w", 4, 6).add("b", 4).build();
        float[] v = Tensor.randn(new Rng(1), 1f, 28).toArray();
        System.arraycopy(v, 0, p.values(), 0, 28);
        FrozenWeights f = FrozenWeights.of(p, DType.BF16, name -> name.equals("w"));
        Tensor w = f.get("w"), b = f.get("b");
        assertThat(w.dtype()).isEqualTo(DType.BF16);
        assertThat(b.dtype()).isEqualTo(DType.F32);
        for (int i = 0; i < 24; i++) assertThat(w.halfData()[i]).isEqualTo(HalfFloats.floatToBf16(v[i]));
        assertThat(b.toArray()).containsExactly(java.util.Arrays.copyOfRange(v, 24, 28));
        assertThat(w.name()).isEqualTo("w");
    }

    @Test
    void setBitsAndErrorsNameTheTensor() {
        FrozenWeights f = FrozenWeights.builder(DType.F16).add("e", 2, 3).addFloat32("n", 3).build();
        f.setBits("e", new short[] {0x3C00, 0x4000, (short) 0xBC00, 0, 0x7BFF, 0x0001});
        assertThat(f.get("e").toArray()).containsExactly(1f, 2f, -1f, 0f, 65504f, 0x1p-24f);
        assertThatThrownBy(() -> f.set("e", new float[5])).hasMessageContaining("'e'").hasMessageContaining("needs 6 values");
        assertThatThrownBy(() -> f.setBits("n", new short[3])).hasMessageContaining("float32");
        assertThatThrownBy(() -> f.get("x")).hasMessageContaining("no frozen weight named 'x'");
        assertThatThrownBy(() -> FrozenWeights.builder(DType.F32)).hasMessageContaining("BF16 or F16");
        assertThatThrownBy(() -> FrozenWeights.builder(DType.BF16).add("a", 2).add("a", 3)).hasMessageContaining("duplicate");
    }
}
