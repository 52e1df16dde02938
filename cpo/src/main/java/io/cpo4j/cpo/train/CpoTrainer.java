package io.cpo4j.cpo.train;

import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.MemoryEstimate;
import io.cpo4j.model.train.Replica;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes a policy on (prefix, continuation) examples with a {@link CpoConfig}: the entry
 * point of the method, as TRL's {@code CPOTrainer} is of its own. The reference is a frozen copy
 * of the policy as it is now, made only when the recipe needs one, unless you pass your own; a
 * policy with LoRA adapters ({@link LanguageModel#withLora}) uses its base, the adapters switched
 * off, as TRL does with PEFT: no copy, no extra memory.
 *
 * <pre>{@code
 * CpoTrainer trainer = new CpoTrainer(policy, examples, config);
 * for (Map<String, Double> metrics : trainer.train()) System.out.println(metrics.get("rewards/margins"));
 * }</pre>
 *
 * Each step's metrics are those {@code ./cpo4j finetune} logs (TRL's names: {@code loss},
 * {@code nll_loss}, {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/margins},
 * {@code rewards/accuracies}, {@code logps/chosen}, {@code logps/rejected}, then {@code grad_norm},
 * {@code lr}, {@code tokens_per_sec}, {@code skipped}). Data order is seeded by the training
 * config's seed + 1 and negatives by its seed, as in the command line, so a run repeats bit for bit.
 */
public final class CpoTrainer {

    private final LanguageModel policy, reference;
    private final CpoConfig config;
    private final Trainer trainer;

    /** Trains {@code policy} against a frozen copy of itself, or its base when it has adapters (only if the recipe needs a reference). */
    public CpoTrainer(LanguageModel policy, List<TokenizedExample> examples, CpoConfig config) {
        this(policy, null, examples, config);
    }

    /**
     * Trains {@code policy} against {@code reference} (frozen; null: a frozen copy of the policy
     * when the recipe needs one, or the policy's base without its adapters). Refuses, before allocating the reference or the optimizer, a
     * configuration that cannot fit the heap, and examples longer than the model's context.
     */
    public CpoTrainer(LanguageModel policy, LanguageModel reference, List<TokenizedExample> examples, CpoConfig config) {
        this(policy, reference, examples, config, Replica.ALONE);
    }

    /**
     * As above, as one replica of a data-parallel run: {@code config}'s batch size is this replica's
     * share of the global batch; it draws its share of every global batch, samples negatives from
     * its own stream ({@link Replica#seed}) and combines gradients with {@code replica}'s reducer.
     */
    public CpoTrainer(LanguageModel policy, LanguageModel reference, List<TokenizedExample> examples, CpoConfig config, Replica replica) {
        int longest = 0;
        for (int i = 0; i < examples.size(); i++) {
            TokenizedExample e = examples.get(i);
            int length = e.prefix().length + e.continuation().length;
            if (length > policy.config().contextLength()) {
                throw new IllegalArgumentException("example " + i + " has " + e.prefix().length + " + " + e.continuation().length
                        + " tokens, more than the context length " + policy.config().contextLength() + "; cut it with TokenizedExample.truncated");
            }
            longest = Math.max(longest, length);
        }
        TrainConfig training = config.training();
        if (training.blockSize() < longest) training = training.toBuilder().blockSize(longest).build();
        boolean needsReference = config.needsReference();
        if (needsReference && reference == null && policy.lora().isPresent()) {
            reference = policy.withoutAdapters();           // the frozen base the adapters sit on: shared, no second copy
            reference.setTraining(false);
        } else if (needsReference && reference == null) {
            MemoryEstimate step = MemoryEstimate.training(policy.config(), training.batchSize() * config.rowsPerExample(), training.blockSize(),
                    training.gradientCheckpointing() || policy.gradientCheckpointing());
            new MemoryEstimate(step.parameterBytes() + MemoryEstimate.parameters(policy.config()).parameterBytes(), step.optimizerBytes(),
                    step.activationBytes()).requireFits("fine-tuning with " + config.lossType() + " beside a frozen reference");
            reference = policy.copy().freeze(true);
        }
        this.policy = policy;
        this.reference = needsReference ? reference : null;
        this.config = config;
        ExampleSource data = new ExampleSource(examples, training.seed() + 1, replica.rank(), replica.replicas());
        this.trainer = new Trainer(policy, training, config.objective(policy, this.reference, data, replica.seed(training.seed())), replica.reducer());
    }

    /** One optimizer step; its metrics. */
    public Map<String, Double> step() {
        return trainer.step();
    }

    /** Steps to the end of the schedule; every step's metrics, in order. */
    public List<Map<String, Double>> train() {
        List<Map<String, Double>> history = new ArrayList<>();
        while (!trainer.finished()) history.add(trainer.step());
        return history;
    }

    public LanguageModel policy() {
        return policy;
    }

    /** The frozen reference, or null when the recipe needs none. */
    public LanguageModel reference() {
        return reference;
    }

    public CpoConfig config() {
        return config;
    }

    /** The optimisation loop underneath, for {@link io.cpo4j.model.train.TrainingRun} (run folders, checkpoints, resume). */
    public Trainer trainer() {
        return trainer;
    }
}
