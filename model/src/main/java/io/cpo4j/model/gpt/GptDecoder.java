package io.cpo4j.model.gpt;

import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.model.lm.CachedAttention;
import io.cpo4j.model.lm.DecodeRows;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;

/**
 * The GPT forward pass with a KV cache: the model's own {@link Gpt#block}, run without a graph on
 * the new tokens of all sequences as one (1, R, C) batch, each row at its own position, with
 * attention over each row's sequence cache.
 */
final class GptDecoder implements Decoder {

    private final Gpt model;
    private final GptConfig config;

    GptDecoder(Gpt model) {
        this.model = model;
        this.config = model.config();
    }

    @Override
    public GptConfig config() {
        return config;
    }

    @Override
    public float[] forward(KvCache[] caches, int[][] tokens, boolean allPositions) {
        DecodeRows rows = DecodeRows.of(config, caches, tokens);
        int c = config.width(), heads = config.heads();
        try (var scope = Autograd.noGrad()) {
            Gpt.SelfAttention cached = (layer, qkv) -> {
                float[] packed = qkv.toArray();                                         // (R, 3C)
                float[] out = CachedAttention.attend(caches, rows, layer, heads, heads, c / heads,
                        packed, 0, 3 * c, packed, c, 3 * c, packed, 2 * c, 3 * c);
                return Tensor.wrap(out, 1, rows.count(), c);
            };
            Tensor x = model.embedRows(rows.token(), rows.position());                  // (1, R, C)
            for (int l = 0; l < config.layers(); l++) x = model.block(l, x, cached, false);   // never training: no dropout
            rows.advance(caches, tokens);
            float[] last = rows.outputRows(x.toArray(), c, allPositions);
            return model.head(model.finalNorm(Tensor.wrap(last, 1, last.length / c, c))).toArray();   // (S or R, V)
        }
    }
}
