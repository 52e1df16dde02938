package io.cpo4j.engine.ops;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.cpo4j.engine.ops.GradCheck.check;
import static io.cpo4j.engine.ops.GradCheck.inputs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The ops a Llama decoder adds: forward against a double reference with HF's semantics, backward against finite differences. */
class LlamaOpGradientTest {

    private static int[] s(int... d) {
        return d;
    }

    @Test
    void rmsNorm() {
        for (int[] shape : new int[][] {s(3, 17), s(2, 3, 1000), s(5, 1), s(1, 33)}) {
            int c = shape[shape.length - 1];
            check("rmsNorm " + Arrays.toString(shape), inputs(50, shape, s(c)), x -> F.rmsNorm(x[0], x[1], 1e-6f),
                    r -> Ref.rmsNorm(r[0], r[1], 1e-6));
        }
        // eps matters where the mean square is small: a row of tiny values is normalised only partly
        Tensor tiny = Tensor.full(1e-3f, 1, 4).requiresGrad(true);
        check("rmsNorm, eps dominates", new Tensor[] {tiny, inputs(51, s(4))[0]}, x -> F.rmsNorm(x[0], x[1], 1e-5f),
                r -> Ref.rmsNorm(r[0], r[1], 1e-5));
    }

    /** HF's tables: angle p · θ^(−2i/D) for p &lt; P, i &lt; D/2, row-major (P, D/2). */
    private static float[][] tables(int positions, int headDim, double theta) {
        int half = headDim / 2;
        float[] cos = new float[positions * half], sin = new float[positions * half];
        for (int p = 0; p < positions; p++)
            for (int i = 0; i < half; i++) {
                double invFreq = 1 / Math.pow(theta, 2.0 * i / headDim);
                cos[p * half + i] = (float) Math.cos(p * invFreq);
                sin[p * half + i] = (float) Math.sin(p * invFreq);
            }
        return new float[][] {cos, sin};
    }

    @Test
    void rotary() {
        // B, T, H, D, table positions; positions in order, then shifted and shuffled (a prompt past a prefix)
        int[][] cases = {{2, 5, 3, 4, 5}, {1, 7, 2, 64, 40}, {3, 1, 1, 2, 3}, {2, 4, 2, 34, 20}};
        for (int[] c : cases) {
            int b = c[0], t = c[1], h = c[2], d = c[3];
            float[][] cs = tables(c[4], d, 10000);
            int[] inOrder = new int[t], shuffled = new int[t];
            for (int i = 0; i < t; i++) {
                inOrder[i] = i;
                shuffled[i] = (c[4] - 1 - 3 * i % c[4] + c[4]) % c[4];
            }
            for (int[] positions : new int[][] {inOrder, shuffled}) {
                check("rotary " + Arrays.toString(c) + " at " + Arrays.toString(positions), inputs(52, s(b, t, h * d)),
                        x -> F.rotary(x[0], d, cs[0], cs[1], positions), r -> Ref.rotary(r[0], d, cs[0], cs[1], positions));
            }
        }
    }

    @Test
    void rotaryAtPositionZeroIsTheIdentityAndKeepsEachPairsLength() {
        float[][] cs = tables(8, 6, 500000);
        Tensor x = Tensor.randn(new Rng(53), 1f, 1, 2, 12);
        float[] y = F.rotary(x, 6, cs[0], cs[1], new int[] {0, 7}).toArray(), xv = x.toArray();
        assertThat(Arrays.copyOf(y, 12)).containsExactly(Arrays.copyOf(xv, 12));
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < 3; i++) {
                int a = 12 + h * 6 + i, b = a + 3;
                double before = Math.hypot(xv[a], xv[b]), after = Math.hypot(y[a], y[b]);
                assertThat(after).isCloseTo(before, org.assertj.core.data.Offset.offset(1e-5 * before + 1e-7));
            }
    }

    @Test
    void rotaryRefusesBadShapesAndPositionsInOneLine() {
        float[][] cs = tables(4, 4, 10000);
        Tensor x = Tensor.zeros(1, 3, 8);
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.rotary(x, 4, cs[0], cs[1], new int[] {0, 1, 4})).getMessage())
                .contains("rotary").contains("position 4").contains("time step 2").contains("4 positions");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.rotary(x, 4, cs[0], cs[1], new int[] {0, -1, 2})).getMessage())
                .contains("position -1").contains("time step 1");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.rotary(x, 4, cs[0], cs[1], new int[] {0, 1})).getMessage())
                .contains("one position per time step (3)").contains("got 2");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.rotary(x, 3, cs[0], cs[1], new int[] {0, 1, 2})).getMessage())
                .contains("even head size").contains("[1, 3, 8]");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.rotary(x, 4, cs[0], Arrays.copyOf(cs[1], 7), new int[] {0, 1, 2})).getMessage())
                .contains("(P, D/2 = 2)").contains("8 and 7");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.rotary(Tensor.zeros(3, 8), 4, cs[0], cs[1], new int[] {0, 1, 2})).getMessage())
                .contains("(B, T, H·D)");
    }

    @Test
    void swiglu() {
        check("swiglu", inputs(54, s(3, 17), s(3, 17)), x -> F.swiglu(x[0], x[1]), r -> Ref.swiglu(r[0], r[1]));
        Tensor wide = Tensor.uniform(new Rng(55), -12f, 12f, 2, 1000).requiresGrad(true);
        check("swiglu wide range", new Tensor[] {wide, inputs(56, s(2, 1000))[0]}, x -> F.swiglu(x[0], x[1]), r -> Ref.swiglu(r[0], r[1]));
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.swiglu(Tensor.zeros(2, 3), Tensor.zeros(3, 2))).getMessage())
                .contains("swiglu").contains("[2, 3]").contains("[3, 2]");
    }

    @Test
    void swigluOfExtremeGatesStaysFinite() {
        float[] y = F.swiglu(Tensor.of(new float[] {-200f, -90f, 0f, 90f, 200f}, 5), Tensor.full(2f, 5)).toArray();
        // silu(g) → 0 for g → −∞ (underflow, never NaN) and → g for g → +∞
        assertThat(Math.abs(y[0])).isLessThan(1e-30f);
        assertThat(Math.abs(y[1])).isLessThan(1e-30f);
        assertThat(Arrays.copyOfRange(y, 2, 5)).containsExactly(0f, 180f, 400f);
    }

    @Test
    void groupedQueryAttention() {
        // B, T, H, KV, D
        int[][] cases = {{2, 17, 4, 2, 3}, {1, 1, 2, 1, 4}, {2, 9, 6, 3, 2}, {1, 5, 4, 1, 8}, {1, 6, 3, 3, 4}};
        for (int[] c : cases) {
            int b = c[0], t = c[1], h = c[2], kv = c[3], d = c[4];
            check("GQA attention " + Arrays.toString(c), inputs(57, s(b, t, h * d), s(b, t, kv * d), s(b, t, kv * d)),
                    x -> F.causalSelfAttention(x[0], x[1], x[2], h, kv), r -> Ref.groupedAttention(r[0], r[1], r[2], h, kv));
        }
    }

    @Test
    void groupedQueryAttentionWithFrozenKeysAndValuesGradsOnlyTheQueries() {
        Tensor[] x = inputs(58, s(1, 6, 8), s(1, 6, 4), s(1, 6, 4));
        x[1].requiresGrad(false);
        x[2].requiresGrad(false);
        check("GQA, k and v frozen", x, t -> F.causalSelfAttention(t[0], t[1], t[2], 4, 2), r -> Ref.groupedAttention(r[0], r[1], r[2], 4, 2));
        assertThat(x[1].grad()).isNull();
    }

    @Test
    void withAsManyKvHeadsAsQueryHeadsItIsGpt2sAttentionBitForBit() {
        int b = 2, t = 37, c = 48, heads = 4;
        Tensor qkv = Tensor.randn(new Rng(59), 1f, b, t, 3 * c);
        float[] fused = F.causalSelfAttention(qkv, heads).toArray();
        float[] all = qkv.toArray();
        float[][] parts = new float[3][b * t * c];
        for (int r = 0; r < b * t; r++)
            for (int p = 0; p < 3; p++) System.arraycopy(all, r * 3 * c + p * c, parts[p], r * c, c);
        float[] separate = F.causalSelfAttention(Tensor.of(parts[0], b, t, c), Tensor.of(parts[1], b, t, c),
                Tensor.of(parts[2], b, t, c), heads, heads).toArray();
        assertThat(separate).containsExactly(fused);
    }

    @Test
    void groupedQueryAttentionRefusesMismatchedShapes() {
        Tensor q = Tensor.zeros(1, 3, 8), k = Tensor.zeros(1, 3, 4);
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.causalSelfAttention(q, k, k, 4, 3)).getMessage())
                .contains("4 query heads").contains("3 KV heads");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.causalSelfAttention(q, Tensor.zeros(1, 3, 6), k, 4, 2)).getMessage())
                .contains("[1, 3, 4]").contains("k [1, 3, 6]");
        assertThat(assertThrows(IllegalArgumentException.class, () -> F.causalSelfAttention(q, k, k, 3, 1)).getMessage())
                .contains("q of shape (B, T, H·D)").contains("[1, 3, 8]");
    }
}
