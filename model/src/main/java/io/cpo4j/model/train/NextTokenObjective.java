package io.cpo4j.model.train;

import io.cpo4j.model.data.Batch;
import io.cpo4j.model.data.BatchSource;
import io.cpo4j.model.lm.LanguageModel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Next-token prediction: mean cross-entropy of the model's logits against the shifted tokens. */
public final class NextTokenObjective implements Objective {

    private final LanguageModel model;
    private final BatchSource data;
    private long lastTokens;

    public NextTokenObjective(LanguageModel model, BatchSource data) {
        this.model = model;
        this.data = data;
    }

    @Override
    public Map<String, Double> accumulate(int batchSize, int microBatches) {
        long[] tokens = {0};
        double loss = MicroBatches.accumulate(microBatches, m -> {
            Batch b = data.next(batchSize);
            tokens[0] += b.inputs().length;
            return model.loss(b.inputs(), b.targets(), b.rows(), b.block());
        });
        lastTokens = tokens[0];
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", loss);
        return metrics;
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
        if (p == null || state.size() != 1) throw new IllegalArgumentException("next-token state needs exactly a data position, got " + state.keySet());
        data.setState(p);
    }
}
