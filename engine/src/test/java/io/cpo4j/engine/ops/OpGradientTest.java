package io.cpo4j.engine.ops;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static io.cpo4j.engine.ops.GradCheck.check;
import static io.cpo4j.engine.ops.GradCheck.inputs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every differentiable op: forward against a double reference, backward against finite differences. */
class OpGradientTest {

    private static int[] s(int... d) {
        return d;
    }

    static Stream<Arguments> broadcastPairs() {
        return Stream.of(
                Arguments.of(s(3, 17), s(3, 17)),
                Arguments.of(s(2, 3, 5), s(5)),
                Arguments.of(s(17), s(33, 17)),
                Arguments.of(s(4, 1, 3), s(1, 5, 3)),
                Arguments.of(s(3, 1), s(1)),
                Arguments.of(s(), s(3)),
                Arguments.of(s(1000), s(1000)),
                Arguments.of(s(2, 33, 1), s(2, 1, 3)));
    }

    @ParameterizedTest
    @MethodSource("broadcastPairs")
    void addSubMulWithBroadcasting(int[] a, int[] b) {
        check("add" + Arrays.toString(a) + Arrays.toString(b), inputs(1, a, b), x -> F.add(x[0], x[1]), r -> Ref.binary(r[0], r[1], Double::sum));
        check("sub", inputs(2, a, b), x -> F.sub(x[0], x[1]), r -> Ref.binary(r[0], r[1], (p, q) -> p - q));
        check("mul", inputs(3, a, b), x -> F.mul(x[0], x[1]), r -> Ref.binary(r[0], r[1], (p, q) -> p * q));
    }

    @ParameterizedTest
    @MethodSource("broadcastPairs")
    void divWithBroadcasting(int[] a, int[] b) {
        Tensor[] xs = inputs(4, a, b);
        Tensor den = Tensor.uniform(new Rng(5), 0.5f, 1.5f, b).requiresGrad(true);
        check("div", new Tensor[] {xs[0], den}, x -> F.div(x[0], x[1]), r -> Ref.binary(r[0], r[1], (p, q) -> p / q));
    }

    @Test
    void scale() {
        check("scale", inputs(6, s(3, 17)), x -> F.scale(x[0], -2.5f), r -> Ref.binary(r[0], new Ref.D(new double[] {-2.5}, s()), (p, q) -> p * q));
    }

    static Stream<Arguments> matmulShapes() {
        return Stream.of(
                Arguments.of(s(17, 33), s(33, 3)),
                Arguments.of(s(1, 1), s(1, 1)),
                Arguments.of(s(2, 3, 17), s(17, 5)),
                Arguments.of(s(2, 3, 4, 5), s(2, 3, 5, 1)),
                Arguments.of(s(3, 17), s(2, 17, 4)),
                Arguments.of(s(3, 1000), s(1000, 2)),
                Arguments.of(s(33, 17), s(17, 33)));
    }

    @ParameterizedTest
    @MethodSource("matmulShapes")
    void matmul(int[] a, int[] b) {
        check("matmul", inputs(7, a, b), x -> F.matmul(x[0], x[1]), r -> Ref.matmul(r[0], r[1]));
    }

    @ParameterizedTest
    @MethodSource("matmulShapes")
    void matmulOfTransposedViews(int[] a, int[] b) {
        int[] at = swapLast(a), bt = swapLast(b);
        check("matmul(aᵀᵀ…)", inputs(8, at, b), x -> F.matmul(x[0].transpose(), x[1]), r -> Ref.matmul(Ref.transpose(r[0]), r[1]));
        check("matmul(…, bᵀ)", inputs(9, a, bt), x -> F.matmul(x[0], x[1].transpose()), r -> Ref.matmul(r[0], Ref.transpose(r[1])));
        check("matmul(aᵀ, bᵀ)", inputs(10, at, bt), x -> F.matmul(x[0].transpose(), x[1].transpose()),
                r -> Ref.matmul(Ref.transpose(r[0]), Ref.transpose(r[1])));
    }

    private static int[] swapLast(int[] s) {
        int[] t = s.clone();
        t[t.length - 1] = s[s.length - 2];
        t[t.length - 2] = s[s.length - 1];
        return t;
    }

    @Test
    void linearWithAndWithoutBias() {
        check("linear", inputs(11, s(2, 3, 17), s(5, 17), s(5)), x -> F.linear(x[0], x[1], x[2]), r -> Ref.linear(r[0], r[1], r[2]));
        check("linear, no bias", inputs(12, s(33), s(3, 33)), x -> F.linear(x[0], x[1], null), r -> Ref.linear(r[0], r[1], null));
        check("linear, wide", inputs(13, s(4, 1000), s(17, 1000), s(17)), x -> F.linear(x[0], x[1], x[2]), r -> Ref.linear(r[0], r[1], r[2]));
    }

    @Test
    void sumAndMeanOverEachDimension() {
        int[] shape = s(3, 1, 17, 4);
        for (int dim = 0; dim < shape.length; dim++) {
            for (boolean keep : new boolean[] {true, false}) {
                int d = dim;
                check("sum dim " + d, inputs(14, shape), x -> F.sum(x[0], d, keep), r -> Ref.sum(r[0], d, keep, false));
                check("mean dim " + d, inputs(15, shape), x -> F.mean(x[0], d, keep), r -> Ref.sum(r[0], d, keep, true));
            }
        }
        check("sum -1", inputs(16, s(33, 1000)), x -> F.sum(x[0], -1, false), r -> Ref.sum(r[0], 1, false, false));
    }

    @Test
    void sumAndMeanOfEverything() {
        check("sum()", inputs(17, s(3, 17)), x -> F.sum(x[0]), r -> new Ref.D(new double[] {Arrays.stream(r[0].v()).sum()}, s()));
        check("mean()", inputs(18, s(1000)), x -> F.mean(x[0]), r -> new Ref.D(new double[] {Arrays.stream(r[0].v()).average().orElseThrow()}, s()));
    }

    @Test
    void layoutOpsPassGradientsThrough() {
        check("reshape", inputs(19, s(3, 4, 5)), x -> F.matmul(x[0].reshape(5, -1), Tensor.of(ramp(12 * 2), 12, 2)),
                r -> Ref.matmul(new Ref.D(r[0].v(), s(5, 12)), new Ref.D(toDouble(ramp(24)), s(12, 2))));
        check("transpose", inputs(20, s(2, 3, 5)), x -> F.mul(x[0].transpose().contiguous(), x[0].transpose()),
                r -> Ref.binary(Ref.transpose(r[0]), Ref.transpose(r[0]), (p, q) -> p * q));
        check("slice", inputs(21, s(5, 3)), x -> F.scale(x[0].slice(1, 4), 3f), r -> new Ref.D(Arrays.stream(Arrays.copyOfRange(r[0].v(), 3, 12)).map(v -> 3 * v).toArray(), s(3, 3)));
        check("slice of transposed", inputs(22, s(4, 3)), x -> F.scale(x[0].transpose().slice(1, 3), 1f),
                r -> new Ref.D(Arrays.copyOfRange(Ref.transpose(r[0]).v(), 4, 12), s(2, 4)));
        check("reshape of transposed", inputs(23, s(2, 3, 5)), x -> F.scale(x[0].transpose().reshape(-1), 2f),
                r -> new Ref.D(Arrays.stream(Ref.transpose(r[0]).v()).map(v -> 2 * v).toArray(), s(30)));
    }

    private static float[] ramp(int n) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (i % 7 - 3) * 0.25f;
        return r;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Test
    void embeddingScatterAddsRepeatedIds() {
        Rng rng = new Rng(24);
        int[] ids = new int[33];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(17);
        ids[5] = ids[6] = ids[30] = 3;
        check("embedding", inputs(25, s(17, 5)), x -> F.embedding(ids, s(3, 11), x[0]), r -> Ref.embedding(r[0], ids, s(3, 11)));
    }

    @Test
    void layerNorm() {
        for (int[] shape : new int[][] {s(3, 17), s(2, 3, 1000), s(5, 1), s(1, 33)}) {
            int c = shape[shape.length - 1];
            check("layerNorm " + Arrays.toString(shape), inputs(26, shape, s(c), s(c)), x -> F.layerNorm(x[0], x[1], x[2], 1e-5f),
                    r -> Ref.layerNorm(r[0], r[1], r[2], 1e-5));
        }
    }

    @Test
    void gelu() {
        Tensor wide = Tensor.uniform(new Rng(27), -6f, 6f, 1000).requiresGrad(true);
        check("gelu wide range", new Tensor[] {wide}, x -> F.gelu(x[0]), r -> Ref.gelu(r[0]));
        check("gelu", inputs(28, s(3, 17)), x -> F.gelu(x[0]), r -> Ref.gelu(r[0]));
    }

    @Test
    void softmaxAndLogSoftmax() {
        for (int[] shape : new int[][] {s(3, 17), s(2, 1000), s(5, 1), s(33)}) {
            check("softmax", inputs(29, shape), x -> F.softmax(x[0]), r -> Ref.softmax(r[0], false));
            check("logSoftmax", inputs(30, shape), x -> F.logSoftmax(x[0]), r -> Ref.softmax(r[0], true));
        }
    }

    @Test
    void causalSelfAttention() {
        int[][] cases = {{2, 17, 12, 3}, {1, 1, 4, 1}, {3, 33, 8, 2}, {1, 3, 32, 2}};
        for (int[] c : cases) {
            int b = c[0], t = c[1], width = c[2], heads = c[3];
            check("attention B" + b + " T" + t + " C" + width + " H" + heads, inputs(31, s(b, t, 3 * width)),
                    x -> F.causalSelfAttention(x[0], heads), r -> Ref.attention(r[0], heads));
        }
    }

    @Test
    void crossEntropyIgnoresTheDefaultIgnoreIndex() {
        Rng rng = new Rng(32);
        int[] targets = new int[17];
        for (int i = 0; i < targets.length; i++) targets[i] = i % 4 == 1 ? -100 : rng.nextInt(33);
        check("crossEntropy", inputs(33, s(17, 33)), x -> F.crossEntropy(x[0], targets), r -> Ref.crossEntropy(r[0], targets));
        int[] wide = new int[6];
        for (int i = 0; i < wide.length; i++) wide[i] = rng.nextInt(1000);
        check("crossEntropy V=1000", inputs(34, s(2, 3, 1000)), x -> F.crossEntropy(x[0], wide), r -> Ref.crossEntropy(r[0], wide));
        check("tokenLogProbs", inputs(35, s(17, 33)), x -> F.tokenLogProbs(x[0], targets), r -> Ref.tokenLogProbs(r[0], targets));
    }

    @Test
    void anExplicitIgnoreIndexSkipsThatClassOnly() {
        // class 7 is the ignore index here: positions targeting it count as ignored (−100 for the reference)
        int[] targets = {7, 3, 7, 0, 32, 7, 12};
        int[] asDefault = targets.clone();
        for (int i = 0; i < asDefault.length; i++) if (asDefault[i] == 7) asDefault[i] = F.IGNORE_INDEX;
        check("crossEntropy ignoreIndex 7", inputs(40, s(7, 33)), x -> F.crossEntropy(x[0], targets, 7), r -> Ref.crossEntropy(r[0], asDefault));
        check("tokenLogProbs ignoreIndex 7", inputs(41, s(7, 33)), x -> F.tokenLogProbs(x[0], targets, 7), r -> Ref.tokenLogProbs(r[0], asDefault));
        Tensor logits = Tensor.randn(new Rng(42), 1f, 7, 33);
        float[] lp = F.tokenLogProbs(logits, targets, 7).toArray();
        assertThat(lp[0]).isZero();
        assertThat(lp[1]).isLessThan(0f);
        assertThat(F.crossEntropy(logits, new int[] {7, 7, 7, 7, 7, 7, 7}, 7).item()).as("every target ignored").isNaN();
    }

    @Test
    void aTargetOutsideTheVocabularyThatIsNotIgnoredIsAnError() {
        Tensor logits = Tensor.zeros(4, 5);
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(logits, new int[] {0, -1, 2, 3})).getMessage())
                .contains("crossEntropy").contains("target -1").contains("position 1").contains("-100");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.tokenLogProbs(logits, new int[] {0, 1, 2, 5})).getMessage())
                .contains("tokenLogProbs").contains("target 5").contains("position 3");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(logits, new int[] {0, -100, 2, 3}, 4)).getMessage())
                .contains("target -100").contains("position 1");
        assertThat(F.crossEntropy(logits, new int[] {0, -100, 2, 3}).item()).as("uniform logits: log 5").isCloseTo((float) Math.log(5), within(1e-6f));
    }

    @Test
    void dropoutUsesOneMaskForwardAndBackward() {
        Tensor ones = Tensor.full(1f, 3, 17);
        float[] mask = F.dropout(ones, 0.3f, new Rng(36)).toArray();
        check("dropout", inputs(37, s(3, 17)), x -> F.dropout(x[0], 0.3f, new Rng(36)),
                r -> { double[] v = r[0].v().clone(); for (int i = 0; i < v.length; i++) v[i] *= mask[i]; return new Ref.D(v, r[0].shape()); });
    }

    @Test
    void gradientsAccumulateAcrossUses() {
        // x feeds three ops; its gradient is the sum of all three paths.
        check("x·x + gelu(x) − 2x", inputs(38, s(3, 17)), x -> F.sub(F.add(F.mul(x[0], x[0]), F.gelu(x[0])), F.scale(x[0], 2f)),
                r -> { Ref.D sq = Ref.binary(r[0], r[0], (p, q) -> p * q); Ref.D g = Ref.gelu(r[0]);
                       return Ref.binary(Ref.binary(sq, g, Double::sum), r[0], (p, q) -> p - 2 * q); });
    }

    @Test
    void shapeErrorsNameTheOpAndShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4, 5);
        org.assertj.core.api.Assertions.assertThat(assertThrows(IllegalArgumentException.class, () -> F.matmul(a, b)).getMessage())
                .contains("matmul").contains("[2, 3]").contains("[4, 5]");
        org.assertj.core.api.Assertions.assertThat(assertThrows(IllegalArgumentException.class, () -> F.add(a, b)).getMessage())
                .contains("add").contains("[2, 3]").contains("[4, 5]");
        org.assertj.core.api.Assertions.assertThat(assertThrows(IllegalArgumentException.class, () -> a.reshape(7)).getMessage())
                .contains("reshape").contains("[2, 3]");
        org.assertj.core.api.Assertions.assertThat(assertThrows(IllegalArgumentException.class, () -> F.layerNorm(a, Tensor.zeros(2), Tensor.zeros(3), 1e-5f)).getMessage())
                .contains("layerNorm");
        org.assertj.core.api.Assertions.assertThat(assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(a, new int[] {1})).getMessage())
                .contains("crossEntropy").contains("2 positions");
        org.assertj.core.api.Assertions.assertThat(assertThrows(IndexOutOfBoundsException.class, () -> F.embedding(new int[] {0, 2}, s(2), a)).getMessage())
                .contains("id 2").contains("position 1");
    }
}
