package io.cpo4j.model.llama;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.kernels.DecodeAttentionKernel;
import io.cpo4j.engine.kernels.Parallel;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;

/**
 * The Llama forward pass with a KV cache: the model's own {@link Llama#block}, run without a graph
 * on the new tokens of all sequences as one (1, R, C) batch, each row at its own position, with
 * attention over each row's sequence cache (K/V heads shared by their query-head group, as stored).
 */
final class LlamaDecoder implements Decoder {

    private final Llama model;
    private final LlamaConfig config;

    LlamaDecoder(Llama model) {
        this.model = model;
        this.config = model.config();
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public float[] forward(KvCache[] caches, int[][] tokens, boolean allPositions) {
        int rows = Decoder.checkStep(config, caches, tokens);
        int seqs = caches.length, c = config.width();
        int[] rowSeq = new int[rows], rowPos = new int[rows], rowTok = new int[rows];
        for (int s = 0, r = 0; s < seqs; s++) {
            for (int j = 0; j < tokens[s].length; j++, r++) {
                rowSeq[r] = s;
                rowPos[r] = caches[s].length() + j;
                rowTok[r] = tokens[s][j];
            }
        }
        try (var scope = Autograd.noGrad()) {
            Llama.SelfAttention cached = (layer, q, k, v) -> attend(caches, rowSeq, rowPos, layer, q, k, v);
            Tensor x = model.embed(rowTok, 1, rows);                                    // (1, R, C)
            for (int l = 0; l < config.layers(); l++) x = model.block(l, x, rowPos, cached);
            for (int s = 0; s < seqs; s++) caches[s].advance(tokens[s].length);

            int outRows = allPositions ? rows : seqs;
            float[] all = x.toArray(), last = new float[outRows * c];
            for (int s = 0, r = 0, o = 0; s < seqs; s++) {
                for (int j = 0; j < tokens[s].length; j++, r++) {
                    if (allPositions || j == tokens[s].length - 1) System.arraycopy(all, r * c, last, (o++) * c, c);
                }
            }
            return model.head(model.finalNorm(Tensor.wrap(last, 1, outRows, c))).toArray();   // (outRows, V)
        }
    }

    /** Stores each row's k and v at its position in its sequence's cache, then attends over the cache up to that position. */
    private Tensor attend(KvCache[] caches, int[] rowSeq, int[] rowPos, int layer, Tensor q, Tensor k, Tensor v) {
        int rows = rowSeq.length, heads = config.heads(), d = config.headSize(), kvWidth = config.kvHeads() * d, qWidth = heads * d;
        int group = config.groupSize();
        float[] ks = k.toArray(), vs = v.toArray(), qs = q.toArray();
        for (int r = 0; r < rows; r++) {
            KvCache cache = caches[rowSeq[r]];
            System.arraycopy(ks, r * kvWidth, cache.keys(layer), rowPos[r] * kvWidth, kvWidth);
            System.arraycopy(vs, r * kvWidth, cache.values(layer), rowPos[r] * kvWidth, kvWidth);
        }
        float[] out = new float[rows * qWidth];
        int longest = 0;
        for (int p : rowPos) longest = Math.max(longest, p + 1);
        int scoresLength = longest;
        Parallel.forRange(rows * heads, 1, (from, to) -> {
            float[] scores = new float[scoresLength];
            for (int task = from; task < to; task++) {
                int r = task / heads, h = task % heads;
                KvCache cache = caches[rowSeq[r]];
                DecodeAttentionKernel.attend(qs, r * qWidth + h * d, cache.keys(layer), cache.values(layer), 0, kvWidth, (h / group) * d,
                        rowPos[r] + 1, d, out, r * qWidth + h * d, scores);
            }
        });
        return Tensor.wrap(out, 1, rows, qWidth);
    }
}
