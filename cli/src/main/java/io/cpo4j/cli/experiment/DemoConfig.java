package io.cpo4j.cli.experiment;

import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;

/**
 * The demo's settings: an oracle corpus, a {@code tiny} GPT pretrained with next-token prediction,
 * then continued the same number of steps with sequence-level CPO and with plain next-token
 * training (on the same prefix/continuation examples), and all three evaluated. Built by name;
 * each default lives once, in {@link Builder}.
 */
public final class DemoConfig {
    private final long seed;
    private final int trainDocs;
    private final int pretrainSteps;
    private final int finetuneSteps;
    private final int batch;
    private final int block;
    private final int finetuneBatch;
    private final float pretrainLr;
    private final float finetuneLr;
    private final int promptWords;
    private final int prompts;
    private final int coverageDocs;
    private final int maxNewTokens;
    private final CpoConfig cpo;

    private DemoConfig(Builder b) {
        this.seed = b.seed;
        this.trainDocs = b.trainDocs;
        this.pretrainSteps = b.pretrainSteps;
        this.finetuneSteps = b.finetuneSteps;
        this.batch = b.batch;
        this.block = b.block;
        this.finetuneBatch = b.finetuneBatch;
        this.pretrainLr = b.pretrainLr;
        this.finetuneLr = b.finetuneLr;
        this.promptWords = b.promptWords;
        this.prompts = b.prompts;
        this.coverageDocs = b.coverageDocs;
        this.maxNewTokens = b.maxNewTokens;
        this.cpo = b.cpo;
        if (trainDocs <= 0 || pretrainSteps < 0 || finetuneSteps < 0 || batch <= 0 || block <= 0 || finetuneBatch <= 0 || prompts <= 0
                || coverageDocs <= 0 || promptWords <= 0 || maxNewTokens <= 0) {
            throw new IllegalArgumentException("demo config: sizes must be positive (steps >= 0): " + this);
        }
    }

    /**
     * The CPO recipe the demo runs: ranked CPO with autoregressive negatives from the frozen
     * reference, K = 4, β = 1 — the contrastive arm that the validation prompts of
     * {@code ./cpo4j experiment} chose as the best (docs/RESULTS.md, "Choices made on validation
     * data"; β = 1 was chosen for its negative family over TRL's 0.1).
     */
    public static CpoConfig demoRecipe() {
        return CpoConfig.builder().lossType(LossType.CPO_RANKED).beta(1.0).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults ./cpo4j demo runs with: a few minutes on two cores. */
    public static DemoConfig defaults() {
        return builder().build();
    }

    /** A seconds-long version for tests. */
    public static DemoConfig quick() {
        return builder().trainDocs(600).pretrainSteps(12).finetuneSteps(4).batch(8).block(32).finetuneBatch(4).prompts(16).coverageDocs(16)
                .maxNewTokens(24).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.seed = seed;
        b.trainDocs = trainDocs;
        b.pretrainSteps = pretrainSteps;
        b.finetuneSteps = finetuneSteps;
        b.batch = batch;
        b.block = block;
        b.finetuneBatch = finetuneBatch;
        b.pretrainLr = pretrainLr;
        b.finetuneLr = finetuneLr;
        b.promptWords = promptWords;
        b.prompts = prompts;
        b.coverageDocs = coverageDocs;
        b.maxNewTokens = maxNewTokens;
        b.cpo = cpo;
        return b;
    }

    /** One seed for corpus, initialisation, data order, negatives and sampling. */
    public long seed() {
        return seed;
    }

    /** Oracle documents to train on. */
    public int trainDocs() {
        return trainDocs;
    }

    /** Next-token steps from scratch. */
    public int pretrainSteps() {
        return pretrainSteps;
    }

    /** Steps of each continuation (CPO and MLE). */
    public int finetuneSteps() {
        return finetuneSteps;
    }

    /** Pretraining windows per step. */
    public int batch() {
        return batch;
    }

    /** Pretraining window length (tokens). */
    public int block() {
        return block;
    }

    /** Examples per fine-tuning step. */
    public int finetuneBatch() {
        return finetuneBatch;
    }

    /** Peak learning rate from scratch. */
    public float pretrainLr() {
        return pretrainLr;
    }

    /** Peak learning rate of the continuations. */
    public float finetuneLr() {
        return finetuneLr;
    }

    /** Words of a document that form a prompt. */
    public int promptWords() {
        return promptWords;
    }

    /** Held-out prompts per decoding. */
    public int prompts() {
        return prompts;
    }

    /** Held-out documents for the model's own NLL. */
    public int coverageDocs() {
        return coverageDocs;
    }

    /** Generation limit per continuation. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** The contrastive recipe (its training settings and end-of-text token are the study's). */
    public CpoConfig cpo() {
        return cpo;
    }

    @Override
    public String toString() {
        return "DemoConfig[seed=" + seed + ", trainDocs=" + trainDocs + ", pretrainSteps=" + pretrainSteps + ", finetuneSteps=" + finetuneSteps
                + ", batch=" + batch + ", block=" + block + ", finetuneBatch=" + finetuneBatch + ", pretrainLr=" + pretrainLr + ", finetuneLr=" + finetuneLr
                + ", promptWords=" + promptWords + ", prompts=" + prompts + ", coverageDocs=" + coverageDocs + ", maxNewTokens=" + maxNewTokens
                + ", cpo=" + cpo.toJson() + "]";
    }

    /** Named setters over the defaults. */
    public static final class Builder {
        private long seed = 1;
        private int trainDocs = 20_000;
        private int pretrainSteps = 600;
        private int finetuneSteps = 100;
        private int batch = 16;
        private int block = 64;
        private int finetuneBatch = 16;
        private float pretrainLr = 2e-3f;
        private float finetuneLr = 1e-3f;     // the experiment's choice on MLE's validation loss
        private int promptWords = 8;
        private int prompts = 300;
        private int coverageDocs = 300;
        private int maxNewTokens = 96;
        private CpoConfig cpo = demoRecipe();

        private Builder() {}

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        public Builder trainDocs(int value) {
            this.trainDocs = value;
            return this;
        }

        public Builder pretrainSteps(int value) {
            this.pretrainSteps = value;
            return this;
        }

        public Builder finetuneSteps(int value) {
            this.finetuneSteps = value;
            return this;
        }

        public Builder batch(int value) {
            this.batch = value;
            return this;
        }

        public Builder block(int value) {
            this.block = value;
            return this;
        }

        public Builder finetuneBatch(int value) {
            this.finetuneBatch = value;
            return this;
        }

        public Builder pretrainLr(float value) {
            this.pretrainLr = value;
            return this;
        }

        public Builder finetuneLr(float value) {
            this.finetuneLr = value;
            return this;
        }

        public Builder promptWords(int value) {
            this.promptWords = value;
            return this;
        }

        public Builder prompts(int value) {
            this.prompts = value;
            return this;
        }

        public Builder coverageDocs(int value) {
            this.coverageDocs = value;
            return this;
        }

        public Builder maxNewTokens(int value) {
            this.maxNewTokens = value;
            return this;
        }

        public Builder cpo(CpoConfig value) {
            this.cpo = value;
            return this;
        }

        public DemoConfig build() {
            return new DemoConfig(this);
        }
    }
}
