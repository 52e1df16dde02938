package io.cpo4j.cli.experiment;

import io.cpo4j.cpo.train.FinetuneSpec;

/**
 * The demo's settings: an oracle corpus, a {@code tiny} GPT pretrained with next-token prediction,
 * then continued the same number of steps with sequence-level CPO and with plain next-token
 * training (on the same prefix/continuation examples), and all three evaluated.
 *
 * @param seed           one seed for corpus, initialisation, data order, negatives and sampling
 * @param trainDocs      oracle documents to train on
 * @param pretrainSteps  next-token steps from scratch
 * @param finetuneSteps  steps of each continuation (CPO and MLE)
 * @param batch          pretraining windows per step
 * @param block          pretraining window length (tokens)
 * @param finetuneBatch  examples per fine-tuning step
 * @param pretrainLr     peak learning rate from scratch
 * @param finetuneLr     peak learning rate of the continuations
 * @param promptWords    words of a document that form a prompt
 * @param prompts        held-out prompts per decoding
 * @param coverageDocs   held-out documents for the model's own NLL
 * @param maxNewTokens   generation limit per continuation
 * @param cpo            the CPO recipe
 */
public record DemoConfig(long seed, int trainDocs, int pretrainSteps, int finetuneSteps, int batch, int block, int finetuneBatch,
                         float pretrainLr, float finetuneLr, int promptWords, int prompts, int coverageDocs, int maxNewTokens,
                         FinetuneSpec cpo) {

    /**
     * The CPO recipe the demo runs: autoregressive negatives from the frozen reference, K = 4, β = 1.
     * In the oracle experiment of docs/RESULTS.md (same seed and sizes as the demo) it was the CPO arm
     * that matched or beat MLE on oracle NLL, validity and win rate at every temperature (intervals
     * overlapping); at TRL's β = 0.1, with or without the truth's NLL, CPO trailed MLE at T = 0.7.
     */
    public static FinetuneSpec demoRecipe() {
        return FinetuneSpec.defaults().withBeta(1.0);
    }

    /** The defaults ./cpo4j demo runs with: a few minutes on two cores. */
    public static DemoConfig defaults() {
        return new DemoConfig(1, 20_000, 600, 100, 16, 64, 16, 2e-3f, 2e-4f, 8, 300, 300, 96, demoRecipe());
    }

    /** A seconds-long version for tests. */
    public static DemoConfig quick() {
        return new DemoConfig(1, 600, 12, 4, 8, 32, 4, 2e-3f, 2e-4f, 8, 16, 16, 24, demoRecipe());
    }

    public DemoConfig withSteps(int pretrain, int finetune) {
        return new DemoConfig(seed, trainDocs, pretrain, finetune, batch, block, finetuneBatch, pretrainLr, finetuneLr, promptWords, prompts,
                coverageDocs, maxNewTokens, cpo);
    }

    public DemoConfig withSeed(long s) {
        return new DemoConfig(s, trainDocs, pretrainSteps, finetuneSteps, batch, block, finetuneBatch, pretrainLr, finetuneLr, promptWords, prompts,
                coverageDocs, maxNewTokens, cpo);
    }

    public DemoConfig withPrompts(int n) {
        return new DemoConfig(seed, trainDocs, pretrainSteps, finetuneSteps, batch, block, finetuneBatch, pretrainLr, finetuneLr, promptWords, n,
                n, maxNewTokens, cpo);
    }

    public DemoConfig withCpo(FinetuneSpec spec) {
        return new DemoConfig(seed, trainDocs, pretrainSteps, finetuneSteps, batch, block, finetuneBatch, pretrainLr, finetuneLr, promptWords, prompts,
                coverageDocs, maxNewTokens, spec);
    }

    public DemoConfig withFinetuneLr(float lr) {
        return new DemoConfig(seed, trainDocs, pretrainSteps, finetuneSteps, batch, block, finetuneBatch, pretrainLr, lr, promptWords, prompts,
                coverageDocs, maxNewTokens, cpo);
    }
}
