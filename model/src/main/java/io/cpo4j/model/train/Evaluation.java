package io.cpo4j.model.train;

import io.cpo4j.engine.Autograd;
import io.cpo4j.model.data.Batch;
import io.cpo4j.model.lm.LanguageModel;

/** Next-token loss on held-out data, without dropout and without recording a graph. */
public final class Evaluation {

    private Evaluation() {}

    /** Loss and token count; {@code perplexity = exp(loss)}. */
    public record Result(double loss, long tokens) {
        public double perplexity() {
            return Math.exp(loss);
        }
    }

    /**
     * Token-weighted mean loss over the batches (at most {@code maxBatches} of them; ignored
     * targets do not count); no token to score is an {@link IllegalArgumentException}.
     */
    public static Result meanLoss(LanguageModel model, Iterable<Batch> batches, int maxBatches) {
        boolean was = model.isTraining();
        model.setTraining(false);
        double sum = 0;
        long count = 0;
        int seen = 0;
        try (var scope = Autograd.noGrad()) {
            for (Batch b : batches) {
                if (seen++ >= maxBatches) break;
                int n = 0;
                for (int t : b.targets()) if (t >= 0) n++;
                if (n == 0) continue;
                sum += model.loss(b.inputs(), b.targets(), b.rows(), b.block()).item() * (double) n;
                count += n;
            }
        } finally {
            model.setTraining(was);
        }
        // A mean over nothing is no loss: an error, not NaN printed as a result.
        if (count == 0) throw new IllegalArgumentException("evaluation: no tokens to score (no batches, or only ignored targets)");
        return new Result(sum / count, count);
    }
}
