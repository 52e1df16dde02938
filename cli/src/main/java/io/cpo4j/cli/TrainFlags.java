package io.cpo4j.cli;

import io.cpo4j.model.train.TrainConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@link TrainConfig} knobs as command-line flags, shared by {@code train} and
 * {@code finetune}: {@code --batch --block --grad-accum --steps --lr --warmup --min-lr-ratio
 * --weight-decay --beta1 --beta2 --adam-eps --grad-clip --eval-every --eval-batches
 * --checkpoint-every --keep-checkpoints --max-bad-steps --seed} and the switch
 * {@code --gradient-checkpointing}.
 */
final class TrainFlags {

    private TrainFlags() {}

    /** The flag names; {@code finetune} has no {@code --block} (its rows are sized by --max-length). */
    static List<String> names(boolean withBlock) {
        List<String> n = new ArrayList<>(List.of("batch", "grad-accum", "steps", "lr", "warmup", "min-lr-ratio", "weight-decay",
                "beta1", "beta2", "adam-eps", "grad-clip", "eval-every", "eval-batches", "checkpoint-every", "keep-checkpoints",
                "max-bad-steps", "seed"));
        if (withBlock) n.add(1, "block");
        return n;
    }

    /** The on/off flags (no value). */
    static final List<String> SWITCHES = List.of("gradient-checkpointing");

    /**
     * The config from the flags, each absent flag taking {@code base}'s value; out-of-range values
     * (also floats that would overflow to Infinity or underflow to 0 as floats) are usage errors
     * naming the flag. {@code --steps 0} is refused: a run without a step writes no trained model,
     * only the starting weights under a "trained" name.
     */
    static TrainConfig parse(Options o, TrainConfig base, int block) {
        int batch = o.integer("batch", base.batchSize(), 1);
        // A micro-batch is batch rows of block + 1 tokens in one array: refuse what no array holds
        // rather than let batch × block overflow into a negative size later.
        if ((long) batch * (block + 1L) > MAX_BATCH_TOKENS) {
            throw o.usage("--batch " + batch + " × " + (block + 1) + " tokens a row is more than " + MAX_BATCH_TOKENS + " tokens in one micro-batch; use a smaller --batch and --grad-accum");
        }
        return base.toBuilder()
                .batchSize(batch)
                .blockSize(block)
                .gradAccumSteps(o.integer("grad-accum", base.gradAccumSteps(), 1))
                .maxSteps(o.integer("steps", base.maxSteps(), 1))
                .learningRate(o.positiveFloat("lr", base.learningRate()))
                .warmupSteps(o.integer("warmup", base.warmupSteps(), 0))
                .minLrRatio(o.floatNumber("min-lr-ratio", base.minLrRatio(), 0, 1))
                .weightDecay(o.floatNumber("weight-decay", base.weightDecay(), 0, Double.MAX_VALUE))
                .betas(o.floatNumber("beta1", base.beta1(), 0, Math.nextDown(1.0f)), o.floatNumber("beta2", base.beta2(), 0, Math.nextDown(1.0f)))
                .eps(o.positiveFloat("adam-eps", base.eps()))
                .gradClip(o.floatNumber("grad-clip", base.gradClip(), 0, Double.MAX_VALUE))
                .evalEvery(o.integer("eval-every", base.evalEvery(), 0))
                .evalBatches(o.integer("eval-batches", base.evalBatches(), 1))
                .checkpointEvery(o.integer("checkpoint-every", base.checkpointEvery(), 0))
                .keepCheckpoints(o.integer("keep-checkpoints", base.keepCheckpoints(), 1))
                .maxBadSteps(o.integer("max-bad-steps", base.maxBadSteps(), 1))
                .seed(o.longValue("seed", base.seed()))
                .gradientCheckpointing(o.flag("gradient-checkpointing") || base.gradientCheckpointing())
                .build();
    }

    /** Most tokens one micro-batch may hold (a Java array's practical limit). */
    static final long MAX_BATCH_TOKENS = Integer.MAX_VALUE - 8;

    /** The flags' help lines with {@code base}'s defaults; {@code batchWhat} says what a batch row is. */
    static String help(TrainConfig base, boolean withBlock, String batchWhat) {
        StringBuilder sb = new StringBuilder();
        line(sb, "--batch B", batchWhat + " per micro-batch (default " + base.batchSize() + ")");
        if (withBlock) line(sb, "--block T", "tokens per row (default: the model's context length)");
        line(sb, "--grad-accum N", "micro-batches per optimizer step (default " + base.gradAccumSteps() + ")");
        line(sb, "--steps N", "optimizer steps of the whole run (default " + base.maxSteps() + ")");
        line(sb, "--lr LR", "peak learning rate (default " + num(base.learningRate()) + ")");
        line(sb, "--warmup N", "linear warmup steps, then cosine decay (default " + base.warmupSteps() + ")");
        line(sb, "--min-lr-ratio R", "final learning rate as a fraction of the peak (default " + num(base.minLrRatio()) + ")");
        line(sb, "--weight-decay W", "AdamW decoupled weight decay on ≥2-D tensors (default " + num(base.weightDecay()) + ")");
        line(sb, "--beta1 B1 --beta2 B2", "AdamW betas (default " + num(base.beta1()) + ", " + num(base.beta2()) + ")");
        line(sb, "--adam-eps E", "AdamW epsilon (default " + num(base.eps()) + ")");
        line(sb, "--grad-clip G", "global gradient-norm limit, 0 = off (default " + num(base.gradClip()) + ")");
        line(sb, "--eval-every N", "steps between validations, 0 = off (default " + base.evalEvery() + ")");
        line(sb, "--eval-batches N", "batches per validation (default " + base.evalBatches() + ")");
        line(sb, "--checkpoint-every N", "steps between checkpoints, 0 = only at the end (default " + base.checkpointEvery() + ")");
        line(sb, "--keep-checkpoints N", "newest checkpoints kept (default " + base.keepCheckpoints() + ")");
        line(sb, "--max-bad-steps N", "consecutive NaN/Inf steps (skipped) before the run stops (default " + base.maxBadSteps() + ")");
        sb.append("  --gradient-checkpointing").append(System.lineSeparator());
        line(sb, "", "recompute each block's activations in the backward pass instead of keeping them:");
        line(sb, "", "each block's input and one block's activations in memory, one more forward pass");
        line(sb, "--seed S", "seeds initialisation, data order, dropout" + (withBlock ? "" : ", negatives") + " (default " + base.seed() + ")");
        return sb.toString();
    }

    private static void line(StringBuilder sb, String flag, String what) {
        sb.append(String.format(Locale.ROOT, "  %-22s %s%n", flag, what));
    }

    private static String num(float v) {
        return Figures.number(v);
    }
}
