package io.cpo4j.model.gpt;

import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.DecodeAttentionKernel;
import io.cpo4j.engine.kernels.Elementwise;
import io.cpo4j.engine.kernels.GeluKernel;
import io.cpo4j.engine.kernels.Gemm;
import io.cpo4j.engine.kernels.LayerNormKernel;
import io.cpo4j.engine.kernels.MatVecKernel;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;

/**
 * The GPT forward pass for inference with a KV cache, straight on the kernels: every linear layer
 * runs once over all new tokens of all sequences, and attention runs per sequence over its own
 * cache.
 */
final class GptDecoder implements Decoder {

    /** Up to this many rows a linear layer reads its weight once per row group (memory-bound decoding); above it, a GEMM. */
    static final int MATVEC_ROWS = 8;

    private final GptConfig config;
    private final GptWeights weights;

    GptDecoder(Gpt model, GptWeights weights) {
        this.config = model.config();
        this.weights = weights;
    }

    @Override
    public GptConfig config() {
        return config;
    }

    @Override
    public float[] forward(KvCache[] caches, int[][] tokens, boolean allPositions) {
        int seqs = caches.length, c = config.width(), v = config.vocabSize();
        int rows = Decoder.checkStep(config, caches, tokens);
        int[] rowSeq = new int[rows], rowPos = new int[rows], rowTok = new int[rows];
        for (int s = 0, r = 0; s < seqs; s++) {
            for (int j = 0; j < tokens[s].length; j++, r++) {
                rowSeq[r] = s;
                rowPos[r] = caches[s].length() + j;
                rowTok[r] = tokens[s][j];
            }
        }

        float[] x = embed(rowTok, rowPos);                               // (R, C)
        float[] h = new float[rows * c], qkv = new float[rows * 3 * c], att = new float[rows * c];
        float[] fc = new float[rows * 4 * c], tmp = new float[rows * c];
        float eps = config.layerNormEps();
        for (int l = 0; l < config.layers(); l++) {
            GptWeights.Layer w = weights.layers()[l];
            layerNorm(x, rows, w.norm1Weight(), w.norm1Bias(), h);
            linear(h, rows, c, w.qkvWeight(), w.qkvBias(), 3 * c, qkv);          // (R, 3C)
            store(caches, qkv, rowSeq, rowPos, rows, l);
            attend(caches, qkv, rowSeq, rowPos, rows, l, att);
            linear(att, rows, c, w.attnOutWeight(), w.attnOutBias(), c, tmp);
            Elementwise.axpy(1f, tmp, 0, x, 0, rows * c);
            layerNorm(x, rows, w.norm2Weight(), w.norm2Bias(), h);
            linear(h, rows, c, w.fcWeight(), w.fcBias(), 4 * c, fc);             // (R, 4C)
            GeluKernel.forward(fc, 0, fc, 0, rows * 4 * c);
            linear(fc, rows, 4 * c, w.fcOutWeight(), w.fcOutBias(), c, tmp);
            Elementwise.axpy(1f, tmp, 0, x, 0, rows * c);
        }
        for (int s = 0; s < seqs; s++) caches[s].advance(tokens[s].length);

        // Logits only for the rows asked for.
        int outRows = allPositions ? rows : seqs;
        float[] last = new float[outRows * c];
        for (int s = 0, r = 0, o = 0; s < seqs; s++) {
            for (int j = 0; j < tokens[s].length; j++, r++) {
                if (allPositions || j == tokens[s].length - 1) System.arraycopy(x, r * c, last, (o++) * c, c);
            }
        }
        float[] normed = new float[outRows * c];
        Tensor lw = weights.finalNormWeight(), lb = weights.finalNormBias();
        LayerNormKernel.forward(last, 0, lw.data(), lw.offset(), lb.data(), lb.offset(), normed, 0, null, null, outRows, c, eps);
        float[] logits = new float[outRows * v];
        Tensor wte = weights.tokenEmbedding();
        project(normed, outRows, c, wte.data(), wte.offset(), v, null, 0, logits);
        return logits;
    }

    /** x[r] = wte[token] + wpe[position]. */
    private float[] embed(int[] tokens, int[] positions) {
        int c = config.width();
        Tensor wte = weights.tokenEmbedding(), wpe = weights.positionEmbedding();
        float[] x = new float[tokens.length * c];
        for (int r = 0; r < tokens.length; r++) {
            Elementwise.binaryScalar(Elementwise.Op.ADD, wte.data(), wte.offset() + tokens[r] * c,
                    wpe.data(), wpe.offset() + positions[r] * c, x, r * c, c);
        }
        return x;
    }

    private void layerNorm(float[] x, int rows, Tensor w, Tensor b, float[] out) {
        LayerNormKernel.forward(x, 0, w.data(), w.offset(), b.data(), b.offset(), out, 0, null, null, rows, config.width(), config.layerNormEps());
    }

    private static void linear(float[] x, int rows, int in, Tensor w, Tensor b, int out, float[] y) {
        project(x, rows, in, w.data(), w.offset(), out, b.data(), b.offset(), y);
    }

    /** y (rows, out) = x (rows, in) · Wᵀ + bias, W stored (out, in). */
    private static void project(float[] x, int rows, int in, float[] w, int wOff, int out, float[] bias, int bOff, float[] y) {
        if (rows <= MATVEC_ROWS) {
            MatVecKernel.multiply(x, 0, rows, in, w, wOff, out, bias, bOff, y, 0);
            return;
        }
        if (bias != null) for (int r = 0; r < rows; r++) System.arraycopy(bias, bOff, y, r * out, out);
        Gemm.gemm(false, true, rows, out, in, x, 0, in, w, wOff, in, y, 0, out, bias != null);
    }

    /** Writes each row's key and value into its sequence's cache at its position. */
    private void store(KvCache[] caches, float[] qkv, int[] rowSeq, int[] rowPos, int rows, int layer) {
        int c = config.width();
        for (int r = 0; r < rows; r++) {
            KvCache cache = caches[rowSeq[r]];
            System.arraycopy(qkv, r * 3 * c + c, cache.keys(layer), rowPos[r] * c, c);
            System.arraycopy(qkv, r * 3 * c + 2 * c, cache.values(layer), rowPos[r] * c, c);
        }
    }

    /** Each row's query attends to its sequence's cache up to and including its own position. */
    private void attend(KvCache[] caches, float[] qkv, int[] rowSeq, int[] rowPos, int rows, int layer, float[] out) {
        int c = config.width(), heads = config.heads(), d = c / heads;
        Parallel.forRange(rows * heads, 1, (from, to) -> {
            float[] scores = new float[config.contextLength()];
            for (int task = from; task < to; task++) {
                int r = task / heads, hd = task % heads;
                KvCache cache = caches[rowSeq[r]];
                DecodeAttentionKernel.attend(qkv, r * 3 * c + hd * d, cache.keys(layer), cache.values(layer), 0, c, hd * d,
                        rowPos[r] + 1, d, out, r * c + hd * d, scores);
            }
        });
    }
}
