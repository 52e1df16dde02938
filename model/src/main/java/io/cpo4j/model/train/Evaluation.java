package io.cpo4j.model.train;

import io.cpo4j.engine.Autograd;
import io.cpo4j.model.gpt.Gpt;

/** Next-token loss on held-out data, without dropout and without recording a graph. */
public final class Evaluation {

    private Evaluation() {}

    /** Loss and token count; {@code perplexity = exp(loss)}. */
    public record Result(double loss, long tokens) {
        public double perplexity() {
            return Math.exp(loss);
        }
    }

    /** Token-weighted mean loss over {@code batches} batches of {@code source}. */
    public static Result meanLoss(Gpt model, BatchSource source, int batches) {
        boolean was = model.isTraining();
        model.setTraining(false);
        double sum = 0;
        long count = 0;
        try (var scope = Autograd.noGrad()) {
            for (int i = 0; i < batches; i++) {
                Batch b = source.next();
                int n = b.targetCount();
                if (n == 0) continue;
                sum += model.loss(b.inputs(), b.targets(), b.batch(), b.time()).item() * (double) n;
                count += n;
            }
        } finally {
            model.setTraining(was);
        }
        return new Result(count == 0 ? Double.NaN : sum / count, count);
    }
}
