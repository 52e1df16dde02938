package io.cpo4j.cpo.train;

import io.cpo4j.cpo.score.PaddedRows;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.MicroBatches;
import io.cpo4j.model.train.Objective;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parallel Scheduled Sampling (Duckworth et al. 2019): a teacher-forced pass without a graph
 * predicts every continuation position at once; each continuation input token is then replaced,
 * with probability {@code mix}, by a token sampled from the model's prediction for it; the loss is
 * the cross-entropy of the model on this mixed input against the true targets. The model thus
 * trains on inputs that contain its own tokens, in one extra parallel pass instead of a
 * sequential decode.
 */
public final class PssObjective implements Objective {

    private final LanguageModel model;
    private final ExampleSource data;
    private final double mix;
    private final Rng rng;
    private long lastTokens;

    public PssObjective(LanguageModel model, ExampleSource data, double mix, long seed) {
        if (!(mix >= 0 && mix <= 1)) throw new IllegalArgumentException("pss: mixing probability must be in [0, 1], got " + mix);
        this.model = model;
        this.data = data;
        this.mix = mix;
        this.rng = new Rng(seed);
    }

    @Override
    public Map<String, Double> accumulate(int batchSize, int microBatches) {
        double[] replaced = {0};
        long[] tokens = {0};
        int v = model.config().vocabSize();
        double loss = MicroBatches.accumulate(microBatches, m -> {
            PaddedRows rows = SftObjective.rows(data.next(batchSize));
            int t = rows.time();
            float[] logits;
            boolean was = model.isTraining();
            model.setTraining(false);
            try (var scope = Autograd.noGrad()) {
                logits = model.logits(rows.inputs(), rows.rows(), t).toArray();       // (rows, T, V)
            } finally {
                model.setTraining(was);
            }
            int[] mixed = rows.inputs().clone();
            int candidates = 0, swapped = 0;
            for (int r = 0; r < rows.rows(); r++) {
                // input at p+1 is the target of p; replace it when p+1 is still an input position
                for (int p = 0; p + 1 < t; p++) {
                    int i = r * t + p;
                    if (rows.targets()[i] < 0 || rows.targets()[i + 1] < 0) continue;
                    candidates++;
                    if (rng.nextDouble() < mix) {
                        mixed[i + 1] = sample(logits, i * v, v);
                        swapped++;
                    }
                }
            }
            replaced[0] += candidates == 0 ? 0 : (double) swapped / candidates;
            tokens[0] += 2L * rows.inputs().length;
            return model.loss(mixed, rows.targets(), rows.rows(), t);
        });
        lastTokens = tokens[0];
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", loss);
        metrics.put("mixed_fraction", replaced[0] / microBatches);
        return metrics;
    }

    private int sample(float[] logits, int off, int v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) max = Math.max(max, logits[off + j]);
        double total = 0;
        for (int j = 0; j < v; j++) total += Math.exp(logits[off + j] - max);
        double u = rng.nextDouble() * total, cum = 0;
        for (int j = 0; j < v; j++) {
            cum += Math.exp(logits[off + j] - max);
            if (u < cum) return j;
        }
        return v - 1;
    }

    @Override
    public long lastTokens() {
        return lastTokens;
    }

    @Override
    public Map<String, Long> state() {
        return Map.of("data", data.state(), "mixing", rng.state());
    }

    @Override
    public void restore(Map<String, Long> state) {
        if (!state.containsKey("data") || !state.containsKey("mixing") || state.size() != 2) {
            throw new IllegalArgumentException("pss state needs data and mixing positions, got " + state.keySet());
        }
        data.setState(state.get("data"));
        rng.setState(state.get("mixing"));
    }
}
