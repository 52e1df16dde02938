package io.cpo4j.model.lora;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.cpo4j.model.lora.LoraModels.B;
import static io.cpo4j.model.lora.LoraModels.T;
import static io.cpo4j.model.lora.LoraModels.assertClose;
import static io.cpo4j.model.lora.LoraModels.ids;
import static io.cpo4j.model.lora.LoraModels.logits;
import static io.cpo4j.model.lora.LoraModels.withRandomB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A frozen base with bf16 or f16 matrices (toFrozenBase, HfCheckpoint.load with a dtype): the same
 * bits as the float32 model of its widened values, within the precision of the original float32
 * model, and a LoRA base whose adapters train exactly as on the widened base.
 */
class HalfBaseTest {

    static Stream<Arguments> cases() {
        return LoraModels.families().flatMap(f -> Stream.of(Arguments.of(f, DType.BF16), Arguments.of(f, DType.F16)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matricesAreHalfNormsAndBiasesFloat32NothingTrains(LoraModels.Family f, DType dtype) {
        LanguageModel base = f.base(1);
        LanguageModel half = base.toFrozenBase(dtype);
        assertThat(half.baseDType()).isEqualTo(dtype);
        assertThat(base.baseDType()).isEqualTo(DType.F32);
        assertThat(half.parameters().count()).isZero();
        List<Tensor> original = base.weights(), frozen = half.weights();
        assertThat(frozen).hasSameSizeAs(original);
        long matrixElements = 0, vectorElements = 0, heldBytes = 0;
        for (int i = 0; i < frozen.size(); i++) {
            Tensor w = frozen.get(i), o = original.get(i);
            assertThat(w.name()).isEqualTo(o.name());
            assertThat(w.shape()).isEqualTo(o.shape());
            assertThat(w.requiresGrad()).as("%s frozen", w.name()).isFalse();
            assertThat(w.isHalf()).as("%s half iff a matrix", w.name()).isEqualTo(o.rank() == 2);
            if (o.rank() == 2) matrixElements += o.size();
            else vectorElements += o.size();
            heldBytes += (long) w.size() * w.dtype().bytes();
            if (!w.isHalf()) assertThat(w.toArray()).as("%s copied exactly", w.name()).isEqualTo(o.toArray());
        }
        assertThat(matrixElements).isGreaterThan(10 * vectorElements);
        assertThat(heldBytes).isEqualTo(2 * matrixElements + 4 * vectorElements);
        assertThat(MemoryEstimate.frozenBase(base.config(), dtype).parameterBytes()).isEqualTo(heldBytes);
        assertThat(base.config().weightShapes().frozen(dtype).bytes()).isEqualTo(heldBytes);
        assertThat(MemoryEstimate.frozenBase(base.config(), DType.F32).parameterBytes()).isEqualTo(8L * base.parameters().count());

        assertThatThrownBy(() -> half.freeze(false)).hasMessageContaining(dtype + " base cannot train");
        assertThatThrownBy(() -> new Trainer(half, TrainConfig.builder().batchSize(1).blockSize(T).build(), new NextTokenObjective(half, null), GradientReducer.LOCAL))
                .hasMessageContaining("no trainable parameters").hasMessageContaining("withLora");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void logitsEqualTheWidenedFloatModelBitForBitAndTheOriginalWithinPrecision(LoraModels.Family f, DType dtype) {
        LanguageModel base = f.base(1);
        LanguageModel half = base.toFrozenBase(dtype);
        LanguageModel widened = half.toFloat32();
        assertThat(widened.baseDType()).isEqualTo(DType.F32);
        assertThat(widened.parameters().count()).isEqualTo(base.parameters().count());
        int[] ids = ids(2);
        float[] halfLogits = logits(half, ids);
        assertThat(Arrays.equals(halfLogits, logits(widened, ids))).as("half kernels = float32 kernels on the widened weights").isTrue();
        assertClose(f + " " + dtype + " vs float32", halfLogits, logits(base, ids), 2e-2);
        double diff = 0;
        float[] exact = logits(base, ids);
        for (int i = 0; i < exact.length; i++) diff = Math.max(diff, Math.abs(exact[i] - halfLogits[i]));
        assertThat(diff).as("rounding to %s changes the logits", dtype).isGreaterThan(0);

        LanguageModel copy = half.copy();
        assertThat(copy.baseDType()).isEqualTo(dtype);
        assertThat(copy.weights().get(0).halfData()).isNotSameAs(half.weights().get(0).halfData());
        assertThat(Arrays.equals(logits(copy, ids), halfLogits)).isTrue();
        assertThat(Arrays.equals(logits(half.toFrozenBase(dtype), ids), halfLogits)).as("rounding half values again changes nothing").isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void loraGradientsOnTheHalfBaseEqualThoseOnTheWidenedBase(LoraModels.Family f, DType dtype) {
        LanguageModel half = f.base(1).toFrozenBase(dtype);
        LanguageModel widened = half.toFloat32();
        LanguageModel onHalf = withRandomB(half.withLora(f.lora(0.1f), 3), 4), onFloat = withRandomB(widened.withLora(f.lora(0.1f), 3), 4);
        onHalf.setTraining(true);
        onFloat.setTraining(true);                          // adapter dropout too: the same masks from the same generator state
        int[] ids = ids(5), targets = ids(6);
        float lossHalf = onHalf.loss(ids, targets, B, T).item(), lossFloat = onFloat.loss(ids, targets, B, T).item();
        onHalf.parameters().zeroGrad();
        onFloat.parameters().zeroGrad();
        long beforeBackward = onHalf.dropoutRng().state();
        onHalf.loss(ids, targets, B, T).backward();
        onFloat.loss(ids, targets, B, T).backward();
        assertThat(lossHalf).isEqualTo(lossFloat);
        float[] g = onHalf.parameters().grads();
        assertThat(Arrays.equals(g, onFloat.parameters().grads())).as("adapter gradients bit for bit").isTrue();
        double norm = 0;
        for (float v : g) norm += v * v;
        assertThat(norm).as("the adapters have gradients").isGreaterThan(1e-6);
        assertThat(onHalf.withoutAdapters()).isSameAs(half);
        assertThat(onHalf.baseDType()).isEqualTo(dtype);

        onHalf.setGradientCheckpointing(true);              // recomputation replays the half kernels: the same bits again
        onHalf.dropoutRng().setState(beforeBackward);
        onHalf.parameters().zeroGrad();
        onHalf.loss(ids, targets, B, T).backward();
        assertThat(onHalf.parameters().grads()).isEqualTo(onFloat.parameters().grads());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theAdaptedDecoderOnTheHalfBaseIsTheWidenedOnesAndItsForward(LoraModels.Family f, DType dtype) {
        LanguageModel half = f.base(1).toFrozenBase(dtype);
        LanguageModel onHalf = withRandomB(half.withLora(f.lora(0f), 3), 4), onFloat = withRandomB(half.toFloat32().withLora(f.lora(0f), 3), 4);
        int[] prompt = {5, 6, 7};
        float[] prefill = prefill(onHalf, prompt);
        assertThat(Arrays.equals(prefill, prefill(onFloat, prompt))).as("half mat-vec = float32 mat-vec on the widened weights").isTrue();
        float[] full;
        try (var s = io.cpo4j.engine.Autograd.noGrad()) {
            full = onHalf.logits(prompt, 1, prompt.length).toArray();
        }
        assertClose(f + " prefill", prefill, full, 2e-5);
    }

    private static float[] prefill(LanguageModel m, int[] prompt) {
        Decoder dec = m.decoder();
        return dec.forward(new KvCache[] {dec.newCache(16)}, new int[][] {prompt}, true);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void mergingOverAHalfBaseGivesAFloat32ModelOfTheWidenedWeights(LoraModels.Family f, DType dtype) {
        LanguageModel half = f.base(1).toFrozenBase(dtype);
        LanguageModel onHalf = withRandomB(half.withLora(f.lora(0f), 3), 4);
        LanguageModel merged = onHalf.mergeAndUnload();
        assertThat(merged.baseDType()).isEqualTo(DType.F32);
        assertThat(merged.lora()).isEmpty();
        int[] ids = ids(2);
        assertClose(f + " merged", logits(merged, ids), logits(onHalf, ids), 1e-5);
        LanguageModel mergedFloat = withRandomB(half.toFloat32().withLora(f.lora(0f), 3), 4).mergeAndUnload();
        assertThat(Arrays.equals(merged.parameters().values(), mergedFloat.parameters().values())).isTrue();
        assertThatThrownBy(() -> onHalf.toFloat32()).hasMessageContaining("LoRA adapters");
        assertThatThrownBy(() -> onHalf.toFrozenBase(DType.BF16)).hasMessageContaining("LoRA adapters");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aFolderLoadsStraightIntoHalfPrecisionAndSavesWidened(LoraModels.Family f, DType dtype, @TempDir Path dir) throws IOException {
        LanguageModel base = f.base(1);
        HfCheckpoint.save(base, dir.resolve("float"), 0);
        LanguageModel loaded = HfCheckpoint.load(dir.resolve("float"), dtype);
        LanguageModel converted = base.toFrozenBase(dtype);
        assertThat(loaded.baseDType()).isEqualTo(dtype);
        assertThat(loaded.parameters().count()).isZero();
        for (int i = 0; i < loaded.weights().size(); i++) {
            Tensor a = loaded.weights().get(i), b = converted.weights().get(i);
            assertThat(a.dtype()).isEqualTo(b.dtype());
            assertThat(a.toArray()).as("%s: read (and for GPT-2's Conv1D transposed) into %s as toFrozenBase rounds", a.name(), dtype).isEqualTo(b.toArray());
        }
        HfCheckpoint.save(loaded, dir.resolve("widened"), 0);
        LanguageModel back = HfCheckpoint.load(dir.resolve("widened"));
        assertThat(Arrays.equals(back.parameters().values(), loaded.toFloat32().parameters().values())).isTrue();
        assertThat(HfCheckpoint.load(dir.resolve("float"), DType.F32).parameters().values()).isEqualTo(base.parameters().values());
    }

    /** GPT-2 XL with r = 16 on q|k|v over a bf16 base: 2 bytes per matrix element, 4 per norm and bias element, no base gradients. */
    @org.junit.jupiter.api.Test
    void theMemoryEstimateHoldsAHalfBaseInTwoBytesPerMatrixElement() {
        io.cpo4j.model.gpt.GptConfig xl = io.cpo4j.model.gpt.GptConfig.gpt2Xl();
        long c = 1600, matrices = 50257 * c + 1024 * c + 48 * 12 * c * c, vectors = 48 * 13 * c + 2 * c;
        assertThat(matrices + vectors).isEqualTo(xl.parameterCount());
        long adapters = 48L * 16 * (1600 + 3 * 1600);
        MemoryEstimate step = MemoryEstimate.training(xl, 32, 128);
        MemoryEstimate bf16 = step.withAdapters(xl, DType.BF16, adapters), f32 = step.withAdapters(xl, DType.F32, adapters);
        assertThat(MemoryEstimate.frozenBase(xl, DType.BF16).parameterBytes()).isEqualTo(2 * matrices + 4 * vectors);
        assertThat(bf16.parameterBytes()).isEqualTo(2 * matrices + 4 * vectors + 8 * adapters);
        assertThat(bf16.optimizerBytes()).isEqualTo(8 * adapters);
        assertThat(bf16.activationBytes()).isEqualTo(step.activationBytes());
        assertThat(f32).as("a float32 base keeps its gradient buffer: the estimate as before").isEqualTo(step.withAdapters(adapters));
        assertThat(bf16.parameterBytes()).isLessThan(f32.parameterBytes() / 3);
    }
}
