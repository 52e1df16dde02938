package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.tokenizer.Tokenizers;
import io.cpo4j.model.train.Evaluation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training commands end to end, in-process: a character tokenizer and shards from a small
 * text, {@code train} (about 20 steps of a very small model), {@code eval}, {@code generate},
 * {@code finetune} with CPO and MLE, {@code ensemble}, and resuming a run.
 */
class CliTrainingTest {

    @TempDir
    static Path dir;

    static Path text, chars, trainBin, valBin, run;

    /** A child-language text: short sentences over a few words, paragraphs between blank lines. */
    static String corpus(int paragraphs, long seed) {
        String[] subjects = {"the cat", "a dog", "the old man", "my sister", "the bird"};
        String[] verbs = {"sees", "likes", "finds", "draws", "feeds"};
        String[] objects = {"the red ball", "a small fish", "the green tree", "two apples", "the river"};
        Rng rng = new Rng(seed);
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < paragraphs; p++) {
            int sentences = 3 + rng.nextInt(4);
            for (int s = 0; s < sentences; s++) {
                sb.append(subjects[rng.nextInt(subjects.length)]).append(' ').append(verbs[rng.nextInt(verbs.length)]).append(' ')
                        .append(objects[rng.nextInt(objects.length)]).append(s + 1 < sentences ? ". " : ".\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static final Object[] SMALL_MODEL = {"--layers", 1, "--heads", 2, "--width", 32, "--context", 48};

    static Object[] args(Object[] first, Object... more) {
        Object[] all = new Object[first.length + more.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(first, 0, all, more.length, first.length);
        return all;
    }

    @BeforeAll
    static void trainASmallModel() throws Exception {
        text = dir.resolve("corpus.txt");
        Files.writeString(text, corpus(300, 1));
        Path val = dir.resolve("val.txt");
        Files.writeString(val, corpus(40, 2));
        chars = dir.resolve("chars");
        CliRun.of("tokenizer", "train", "--type", "char", "--data", text, "--out", chars).ok();
        trainBin = dir.resolve("train.bin");
        valBin = dir.resolve("val.bin");
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", text, "--out", trainBin).ok();
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", val, "--out", valBin).ok();
        run = dir.resolve("run");
        CliRun r = CliRun.of(args(SMALL_MODEL, "train", "--data", trainBin, "--val", valBin, "--tokenizer", chars, "--out", run,
                "--batch", 8, "--steps", 20, "--lr", 3e-3, "--warmup", 2, "--eval-every", 10, "--eval-batches", 2, "--checkpoint-every", 10)).ok();
        assertThat(r.out()).contains("train: finished at step 20", "val/loss");
    }

    @Test
    void trainWritesTheRunFolder() throws Exception {
        assertThat(run.resolve("config.json")).exists();
        assertThat(run.resolve("report.html")).exists();
        assertThat(run.resolve("checkpoints/step-00000010/trainer.safetensors")).exists();
        assertThat(run.resolve("checkpoints/step-00000020/trainer.safetensors")).exists();
        for (String f : List.of("config.json", "model.safetensors", "chars.json")) assertThat(run.resolve("model").resolve(f)).exists();

        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")), "config.json");
        assertThat((String) config.get("command")).startsWith("./cpo4j train --data ").contains("--layers 1 --heads 2 --width 32 --context 48");
        assertThat(((Map<?, ?>) config.get("model")).get("n_positions")).isEqualTo(48L);
        assertThat(((Map<?, ?>) config.get("model")).get("vocab_size")).as("the char tokenizer's size").isEqualTo((long) Tokenizers.load(chars).vocabSize());
        assertThat(((Map<?, ?>) config.get("train")).get("max_steps")).isEqualTo(20L);
        assertThat(((Map<?, ?>) config.get("data")).get("train")).isEqualTo(trainBin.toAbsolutePath().normalize().toString());

        List<Map<String, Object>> metrics = CliRun.metrics(run);
        List<Map<String, Object>> train = metrics.stream().filter(m -> m.get("kind").equals("train")).toList();
        List<Map<String, Object>> val = metrics.stream().filter(m -> m.get("kind").equals("validation")).toList();
        assertThat(train).hasSize(20);
        assertThat(train.get(0)).containsKeys("loss", "grad_norm", "lr", "tokens_per_sec");
        assertThat(val).extracting(m -> m.get("step")).containsExactly(10L, 20L);
        double first = (Double) train.get(0).get("loss"), last = (Double) train.get(19).get("loss");
        assertThat(last).as("20 steps learn the character statistics").isLessThan(first - 0.5);

        String html = Files.readString(run.resolve("report.html"));
        assertThat(html).contains("<svg", "val/loss", "Samples", "model (greedy)").doesNotContain("<script");
    }

    @Test
    void evalJsonEqualsEvaluationMeanLossOnTheSameWindows() throws Exception {
        CliRun r = CliRun.of("eval", "--model", run, "--data", valBin, "--block", 32, "--batch", 3, "--json").ok();
        Map<String, Object> json = Json.parseObject(r.out().strip(), "eval output");
        assertThat(json.keySet()).containsExactly("loss", "perplexity", "tokens");

        LanguageModel model = HfCheckpoint.load(run.resolve("model"));
        TokenShard shard = TokenShard.read(valBin);
        Evaluation.Result expected = Evaluation.meanLoss(model, new SequentialWindows(shard, 3, 32), Integer.MAX_VALUE);
        assertThat(json.get("loss")).isEqualTo(expected.loss());
        assertThat(json.get("perplexity")).isEqualTo(Math.exp(expected.loss()));
        assertThat(json.get("tokens")).isEqualTo(expected.tokens()).isEqualTo((shard.size() - 1) / 32 * 32L);

        // The batch size groups windows but does not change the mean; the default block is the context (48).
        Map<String, Object> other = Json.parseObject(CliRun.of("eval", "--model", run.resolve("model"), "--data", valBin, "--block", 32, "--json").ok().out(), "eval");
        assertThat((Double) other.get("loss")).isCloseTo(expected.loss(), org.assertj.core.data.Offset.offset(1e-5));
        CliRun plain = CliRun.of("eval", "--model", run, "--data", valBin).ok();
        assertThat(plain.out()).startsWith("loss ").contains("perplexity", "windows of 48");
    }

    @Test
    void greedyGenerationIsDeterministicStopsAtMaxTokensAndMatchesTheLibrary() throws Exception {
        CliRun a = CliRun.of("generate", "--model", run, "--prompt", "the cat", "--greedy", "--max-new-tokens", 15).ok();
        CliRun b = CliRun.of("generate", "--model", run.resolve("model"), "--prompt", "the cat", "--greedy", "--max-new-tokens", 15, "--tokenizer", chars).ok();
        assertThat(a.out()).isEqualTo(b.out());
        assertThat(a.err()).contains("15 new tokens", "stopped at max new tokens");

        LanguageModel model = HfCheckpoint.load(run.resolve("model"));
        Tokenizer tok = Tokenizers.load(chars);
        int[] tokens = new Generator(model).generate(List.of(tok.encode("the cat")), GenerationConfig.of(15, Sampling.greedyDecoding(), 0)
                .withStopTokens(tok.eotToken())).get(0).tokens();
        assertThat(tokens).hasSize(15);
        assertThat(a.out()).isEqualTo("the cat" + tok.decode(tokens) + (tok.decode(tokens).endsWith("\n") ? "" : "\n"));

        CliRun only = CliRun.of("generate", "--model", run, "--prompt", "the cat", "--greedy", "--max-new-tokens", 15, "--continuation-only").ok();
        assertThat(only.out()).isEqualTo(a.out().substring("the cat".length()));

        // A stop string cuts the text where it begins and ends generation.
        String continuation = tok.decode(tokens);
        String stop = continuation.substring(6, 8);
        int cut = continuation.indexOf(stop);
        CliRun stopped = CliRun.of("generate", "--model", run, "--prompt", "the cat", "--greedy", "--max-new-tokens", 15, "--continuation-only", "--stop", stop).ok();
        assertThat(stopped.out()).isEqualTo(continuation.substring(0, cut) + "\n");
        assertThat(stopped.err()).contains("stopped at a stop string");
    }

    @Test
    void samplingIsSeededAndSeveralSamplesPrintOneAfterAnother() {
        Object[] common = {"generate", "--model", run, "--prompt", "a dog", "--max-new-tokens", 20, "--n", 3, "--temperature", 1.5};
        CliRun a = CliRun.of(args(new Object[] {"--seed", 7}, common)).ok();
        CliRun b = CliRun.of(args(new Object[] {"--seed", 7}, common)).ok();
        CliRun c = CliRun.of(args(new Object[] {"--seed", 8}, common)).ok();
        assertThat(a.out()).isEqualTo(b.out()).isNotEqualTo(c.out());
        assertThat(a.out()).startsWith("--- sample 1/3 ---\na dog").contains("\n--- sample 2/3 ---\na dog", "\n--- sample 3/3 ---\na dog");
        List<String> samples = new ArrayList<>(List.of(a.out().split("--- sample \\d/3 ---\n")));
        samples.remove(0);
        assertThat(samples).hasSize(3).doesNotHaveDuplicates();
        assertThat(a.err()).startsWith("generate: ").contains(" new tokens in ", "stopped at ");
    }

    @Test
    void finetuneWithCpoAndMleWritesTrlMetricsAndTheEnsembleEndpointsAreExact() throws Exception {
        Path cpo = dir.resolve("ft-cpo"), mle = dir.resolve("ft-mle");
        Object[] common = {"--model", run, "--data", text, "--prefix-tokens", 12, "--continuation-tokens", 12, "--steps", 4, "--batch", 4,
                "--lr", 1e-3, "--warmup", 0, "--eval-every", 2, "--eval-batches", 1, "--report-samples", 2};
        CliRun r = CliRun.of(args(common, "finetune", "--out", cpo, "--loss-type", "cpo", "--negatives", "autoregressive,truncation", "--k", 3, "--beta", 0.5)).ok();
        assertThat(r.out()).contains("cpo with autoregressive+truncation negatives, K = 3", "finetune: finished at step 4");
        List<Map<String, Object>> metrics = CliRun.metrics(cpo);
        Map<String, Object> step = metrics.stream().filter(m -> m.get("kind").equals("train")).reduce((x, y) -> y).orElseThrow();
        assertThat(step).containsKeys("loss", "nll_loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
                "logps/chosen", "logps/rejected", "truth_rank",
                "rewards/accuracies/autoregressive", "rewards/accuracies/truncation", "grad_norm", "lr", "tokens_per_sec");
        Map<String, Object> val = metrics.stream().filter(m -> m.get("kind").equals("validation")).reduce((x, y) -> y).orElseThrow();
        assertThat(val.get("step")).isEqualTo(4L);
        assertThat(val).containsKeys("val/loss", "val/nll_loss", "val/perplexity", "val/rewards/accuracies", "val/rewards/margins");
        assertThat((Double) val.get("val/nll_loss")).isPositive();
        assertThat(cpo.resolve("model/chars.json")).exists();
        assertThat(Files.readString(cpo.resolve("report.html"))).contains("reward accuracy", "cpo (greedy)");
        Map<String, Object> config = Json.parseObject(Files.readString(cpo.resolve("config.json")), "config.json");
        assertThat(((Map<?, ?>) config.get("finetune")).get("loss_type")).isEqualTo("cpo");
        assertThat(((Map<?, ?>) config.get("finetune")).get("k")).isEqualTo(3L);

        CliRun old = CliRun.of(args(common, "finetune", "--out", mle, "--objective", "mle")).ok();
        assertThat(old.err()).as("the old option name still works, with a warning")
                .contains("finetune: warning: --objective is deprecated and will be removed in the next release; use --loss-type");
        Map<String, Object> mleStep = CliRun.metrics(mle).get(0);
        assertThat(mleStep).containsKeys("loss", "nll_loss", "grad_norm", "lr", "tokens_per_sec").doesNotContainKey("rewards/accuracies");

        Path zero = dir.resolve("ens0"), one = dir.resolve("ens1"), half = dir.resolve("ens-half");
        assertThat(CliRun.of("ensemble", "--mle", mle, "--cpo", cpo, "--alpha", 0, "--out", zero).ok().out()).contains("with the tokenizer files");
        assertThat(Files.mismatch(zero.resolve("model.safetensors"), mle.resolve("model/model.safetensors"))).isEqualTo(-1L);
        CliRun.of("ensemble", "--mle", mle, "--cpo", cpo, "--alpha", 1, "--out", one).ok();
        assertThat(Files.mismatch(one.resolve("model.safetensors"), cpo.resolve("model/model.safetensors"))).isEqualTo(-1L);
        CliRun.of("ensemble", "--mle", mle, "--cpo", cpo, "--alpha", 0.5, "--out", half).ok();
        float[] a = HfCheckpoint.load(mle.resolve("model")).parameters().values(), b = HfCheckpoint.load(cpo.resolve("model")).parameters().values();
        float[] h = HfCheckpoint.load(half).parameters().values();
        for (int i = 0; i < h.length; i += 97) assertThat(h[i]).isEqualTo(0.5f * a[i] + 0.5f * b[i]);
        assertThat(half.resolve("chars.json")).exists();
        CliRun.of("generate", "--model", half, "--prompt", "the", "--max-new-tokens", 5).ok();
    }

    @Test
    void resumingContinuesFromTheCheckpointBitForBit() throws Exception {
        // A constant learning rate (no warmup, min ratio 1) makes 10 + 10 steps the same schedule as 20.
        Object[] common = args(SMALL_MODEL, "train", "--data", trainBin, "--batch", 4, "--lr", 2e-3, "--warmup", 0, "--min-lr-ratio", 1,
                "--checkpoint-every", 0, "--eval-every", 0);
        Path split = dir.resolve("resumed"), straight = dir.resolve("straight");
        CliRun.of(args(new Object[] {"--out", split, "--steps", 10}, common)).ok();
        assertThat(split.resolve("checkpoints/step-00000010")).exists();

        CliRun again = CliRun.of(args(new Object[] {"--out", split, "--steps", 20}, common));
        again.failsWith(2, "already holds a run");

        CliRun resumed = CliRun.of(args(new Object[] {"--out", split, "--steps", 20, "--resume"}, common)).ok();
        assertThat(resumed.out()).contains("resumed " + split + " at step 10", "finished at step 20");
        List<Object> steps = CliRun.metrics(split).stream().map(m -> m.get("step")).toList();
        assertThat(steps).hasSize(20).startsWith(1L).endsWith(20L).doesNotHaveDuplicates();

        CliRun.of(args(new Object[] {"--out", straight, "--steps", 20}, common)).ok();
        assertThat(HfCheckpoint.load(split.resolve("model")).parameters().values())
                .containsExactly(HfCheckpoint.load(straight.resolve("model")).parameters().values());

        // The saved options are the defaults of a resumed run: only --out, --resume and the new --steps are needed.
        CliRun shortForm = CliRun.of("train", "--out", split, "--resume", "--steps", 25).ok();
        assertThat(shortForm.out()).contains("resumed " + split + " at step 20", "finished at step 25");
    }
}
