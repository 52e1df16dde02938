package io.cpo4j.model.llama;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.lm.CachedAttention;
import io.cpo4j.model.lm.DecodeRows;
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
        DecodeRows rows = DecodeRows.of(config, caches, tokens);
        int c = config.width(), heads = config.heads(), kvHeads = config.kvHeads(), d = config.headSize();
        try (var scope = Autograd.noGrad()) {
            Llama.SelfAttention cached = (layer, q, k, v) -> {
                float[] out = CachedAttention.attend(caches, rows, layer, heads, kvHeads, d,
                        q.toArray(), 0, heads * d, k.toArray(), 0, kvHeads * d, v.toArray(), 0, kvHeads * d);
                return Tensor.wrap(out, 1, rows.count(), heads * d);
            };
            Tensor x = model.embed(rows.token(), 1, rows.count());                      // (1, R, C)
            for (int l = 0; l < config.layers(); l++) x = model.block(l, x, rows.position(), cached, false);
            rows.advance(caches, tokens);
            float[] last = rows.outputRows(x.toArray(), c, allPositions);
            return model.head(model.finalNorm(Tensor.wrap(last, 1, last.length / c, c))).toArray();   // (S or R, V)
        }
    }
}
