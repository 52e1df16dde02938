package io.cpo4j.cpo.train;

import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.cpo.score.LengthBuckets;
import io.cpo4j.cpo.score.PaddedRows;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.MicroBatches;
import io.cpo4j.model.train.Objective;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MLE baseline: continued next-token training on the same (prefix, continuation) data —
 * cross-entropy on the continuation's tokens given the prefix (the prefix is context, not a
 * target), as supervised fine-tuning does. Rows of very different lengths run in separate
 * forward passes ({@link LengthBuckets}); the loss is still the mean over all the batch's tokens.
 */
public final class SftObjective implements Objective {

    private final LanguageModel model;
    private final ExampleSource data;
    private long lastTokens;

    public SftObjective(LanguageModel model, ExampleSource data) {
        this.model = model;
        this.data = data;
    }

    @Override
    public Map<String, Double> accumulate(int batchSize, int microBatches) {
        long[] tokens = {0};
        double loss = MicroBatches.accumulate(microBatches, m -> {
            List<TokenizedExample> examples = data.next(batchSize);
            int[] lengths = new int[examples.size()];
            int targets = 0;
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = examples.get(i).prefix().length + examples.get(i).continuation().length - 1;
                targets += examples.get(i).continuation().length;
                tokens[0] += lengths[i];
            }
            // the mean over every continuation token of the batch: each bucket's mean weighted by its share of the tokens
            Tensor sum = null;
            for (int[] bucket : LengthBuckets.of(lengths)) {
                List<TokenizedExample> part = new ArrayList<>();
                int share = 0;
                for (int i : bucket) {
                    part.add(examples.get(i));
                    share += examples.get(i).continuation().length;
                }
                PaddedRows rows = rows(part);
                Tensor piece = F.scale(model.loss(rows.inputs(), rows.targets(), rows.rows(), rows.time()), (float) share / targets);
                sum = sum == null ? piece : F.add(sum, piece);
            }
            return sum;
        });
        lastTokens = tokens[0];
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", loss);
        metrics.put("nll_loss", loss);
        return metrics;
    }

    static PaddedRows rows(List<TokenizedExample> examples) {
        int[][] p = new int[examples.size()][], c = new int[examples.size()][];
        for (int i = 0; i < p.length; i++) {
            p[i] = examples.get(i).prefix();
            c[i] = examples.get(i).continuation();
        }
        return PaddedRows.of(p, c);
    }

    @Override
    public boolean finishesGradientsInOnePass() {
        return true;                                  // one backward per micro-batch, through MicroBatches
    }

    @Override
    public long lastTokens() {
        return lastTokens;
    }

    @Override
    public Map<String, Long> state() {
        return Map.of("data", data.state());
    }

    @Override
    public void restore(Map<String, Long> state) {
        Long p = state.get("data");
        if (p == null || state.size() != 1) throw new IllegalArgumentException("sft state needs exactly a data position, got " + state.keySet());
        data.setState(p);
    }
}
