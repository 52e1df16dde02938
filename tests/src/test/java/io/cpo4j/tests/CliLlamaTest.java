package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.LanguageModel;
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

import static io.cpo4j.tests.CliTrainingTest.args;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The training commands end to end on the Llama family, as {@link CliTrainingTest} runs them on
 * GPT-2: {@code train} of a two-layer {@code llama-tiny} (4 query heads sharing 2 K/V heads), then
 * {@code eval}, every sampler of {@code generate}, {@code finetune} with every loss and every
 * negative generator, {@code ensemble}, and resuming a run. The family comes from config.json.
 */
class CliLlamaTest {

    @TempDir
    static Path dir;

    static Path text, chars, trainBin, valBin, run;

    static final Object[] SMALL_LLAMA = {"--model", "llama-tiny", "--layers", 2, "--context", 64};

    @BeforeAll
    static void trainASmallLlama() throws Exception {
        text = dir.resolve("corpus.txt");
        Files.writeString(text, CliTrainingTest.corpus(120, 3));
        Path val = dir.resolve("val.txt");
        Files.writeString(val, CliTrainingTest.corpus(20, 4));
        chars = dir.resolve("chars");
        CliRun.of("tokenizer", "train", "--type", "char", "--data", text, "--out", chars).ok();
        trainBin = dir.resolve("train.bin");
        valBin = dir.resolve("val.bin");
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", text, "--out", trainBin).ok();
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", val, "--out", valBin).ok();
        run = dir.resolve("run");
        CliRun r = CliRun.of(args(SMALL_LLAMA, "train", "--data", trainBin, "--val", valBin, "--tokenizer", chars, "--out", run,
                "--batch", 4, "--steps", 6, "--lr", 3e-3, "--warmup", 1, "--eval-every", 3, "--eval-batches", 1, "--report-samples", 1)).ok();
        assertThat(r.out()).contains("train: a llama of", "4 heads sharing 2 K/V heads", "train: finished at step 6", "val/loss");
    }

    @Test
    void trainWritesALlamaFolderWhoseFamilyComesFromConfigJson() throws Exception {
        Map<String, Object> hf = Json.parseObject(Files.readString(run.resolve("model/config.json")), "config.json");
        assertThat(hf.get("model_type")).isEqualTo("llama");
        assertThat(hf.get("num_key_value_heads")).isEqualTo(2L);
        assertThat(hf.get("num_attention_heads")).isEqualTo(4L);
        assertThat(hf.get("num_hidden_layers")).isEqualTo(2L);
        assertThat(hf.get("max_position_embeddings")).isEqualTo(64L);
        assertThat(hf.get("vocab_size")).isEqualTo((long) Tokenizers.load(chars).vocabSize());
        assertThat(run.resolve("model/chars.json")).exists();

        LanguageModel model = HfCheckpoint.load(run.resolve("model"));
        assertThat(model.config()).isInstanceOf(LlamaConfig.class);
        assertThat(model.config().kvHeads()).isEqualTo(2);

        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")), "config.json");
        assertThat(((Map<?, ?>) config.get("model")).get("model_type")).isEqualTo("llama");
        List<Map<String, Object>> train = CliRun.metrics(run).stream().filter(m -> m.get("kind").equals("train")).toList();
        assertThat(train).hasSize(6);
        assertThat((Double) train.get(5).get("loss")).as("six steps learn something").isLessThan((Double) train.get(0).get("loss"));
        assertThat(Files.readString(run.resolve("report.html"))).contains("<svg", "val/loss", "model (greedy)", "llama");
    }

    @Test
    void gptOnlyOptionsAreRefusedForLlamaPresets() {
        for (Object[] bad : List.of(new Object[] {"--heads", 2}, new Object[] {"--width", 64}, new Object[] {"--dropout", 0.1})) {
            Path out = dir.resolve("refused");
            CliRun r = CliRun.of(args(bad, args(SMALL_LLAMA, "train", "--data", trainBin, "--out", out, "--steps", 1)));
            r.failsWith(2, String.valueOf(bad[0]));
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void evalEqualsTheLibrarysLossOnTheSameWindows() throws Exception {
        LanguageModel model = HfCheckpoint.load(run.resolve("model"));
        TokenShard shard = TokenShard.read(valBin);
        for (int block : new int[] {64, 24}) {
            CliRun r = CliRun.of("eval", "--model", run, "--data", valBin, "--block", block, "--batch", 3, "--json").ok();
            Map<String, Object> json = Json.parseObject(r.out().strip(), "eval output");
            Evaluation.Result expected = Evaluation.meanLoss(model, new SequentialWindows(shard, 3, block), Integer.MAX_VALUE);
            assertThat((Double) json.get("loss")).isCloseTo(expected.loss(), within(1e-6 * expected.loss()));
            assertThat(json.get("tokens")).isEqualTo((shard.size() - 1) / block * (long) block);

            // The library's loss on the first window, computed directly, is part of that mean.
            SequentialWindows one = new SequentialWindows(shard, 1, block);
            var b = one.batch(0);
            double direct = model.loss(b.inputs(), b.targets(), 1, block).item();
            assertThat(Evaluation.meanLoss(model, List.of(b), 1).loss()).isCloseTo(direct, within(1e-6 * direct));
        }
        assertThat(CliRun.of("eval", "--model", run, "--data", valBin).ok().out()).contains("windows of 64");
    }

    @Test
    void everySamplerIsSeededAndGreedyMatchesTheLibrarysKvCacheDecoding() throws Exception {
        CliRun greedy = CliRun.of("generate", "--model", run, "--prompt", "the cat", "--greedy", "--max-new-tokens", 12, "--continuation-only").ok();
        LanguageModel model = HfCheckpoint.load(run.resolve("model"));
        Tokenizer tok = Tokenizers.load(chars);
        int[] tokens = new Generator(model).generate(List.of(tok.encode("the cat")), GenerationConfig.of(12, Sampling.greedyDecoding(), 0)
                .withStopTokens(tok.eotToken())).get(0).tokens();
        String continuation = tok.decode(tokens);
        assertThat(greedy.out()).isEqualTo(continuation + (continuation.endsWith("\n") ? "" : "\n"));

        List<Object[]> samplers = List.of(
                new Object[] {"--temperature", 1.3, "--top-k", 5},
                new Object[] {"--temperature", 1.5, "--top-p", 0.9},
                new Object[] {"--temperature", 1.5, "--min-p", 0.05},
                new Object[] {"--temperature", 1.2, "--repetition-penalty", 1.3, "--no-repeat-ngram", 3});
        for (Object[] sampler : samplers) {
            Object[] common = args(sampler, "generate", "--model", run, "--prompt", "a dog", "--max-new-tokens", 16, "--n", 4);
            CliRun a = CliRun.of(args(new Object[] {"--seed", 11}, common)).ok();
            CliRun b = CliRun.of(args(new Object[] {"--seed", 11}, common)).ok();
            CliRun c = CliRun.of(args(new Object[] {"--seed", 12}, common)).ok();
            assertThat(a.out()).as("%s", List.of(sampler)).isEqualTo(b.out()).isNotEqualTo(c.out());
            List<String> samples = new ArrayList<>(List.of(a.out().split("--- sample \\d/4 ---\n")));
            samples.remove(0);
            assertThat(samples).hasSize(4).allSatisfy(s -> assertThat(s).startsWith("a dog"));
        }
    }

    @Test
    void finetuneRunsEveryLossAndEveryNegativeGeneratorAndTheEnsembleEndpointsAreExact() throws Exception {
        Object[] common = {"--model", run, "--data", text, "--prefix-tokens", 10, "--continuation-tokens", 10, "--steps", 1, "--batch", 2,
                "--lr", 1e-3, "--warmup", 0, "--eval-every", 0, "--eval-batches", 1, "--report-samples", 0, "--checkpoint-every", 0};
        Map<String, Path> outs = new java.util.LinkedHashMap<>();
        for (String loss : List.of("cpo", "cpo-ranked", "dpo", "cpo-xu", "simpo", "mle", "pss")) {
            Path out = dir.resolve("ft-" + loss);
            boolean contrastive = !loss.equals("mle") && !loss.equals("pss");
            Object[] extra = loss.equals("cpo") || loss.equals("cpo-ranked")
                    ? new Object[] {"--negatives", "autoregressive,batch,meanfield,truncation", "--k", 5}
                    : contrastive ? new Object[] {"--negatives", "truncation"} : new Object[0];
            CliRun r = CliRun.of(args(args(extra, common), "finetune", "--out", out, "--loss-type", loss)).ok();
            assertThat(r.out()).as(loss).contains("finetune: finished at step 1");
            Map<String, Object> step = CliRun.metrics(out).stream().filter(m -> m.get("kind").equals("train")).findFirst().orElseThrow();
            assertThat((Double) step.get("loss")).as(loss).isFinite();
            assertThat((Double) step.get("grad_norm")).as(loss).isPositive();
            if (contrastive) assertThat(step).as(loss).containsKeys("rewards/accuracies", "rewards/margins");
            if (extra.length == 4) {
                assertThat(step).containsKeys("rewards/accuracies/autoregressive", "rewards/accuracies/batch", "rewards/accuracies/meanfield",
                        "rewards/accuracies/truncation");
            }
            Map<String, Object> hf = Json.parseObject(Files.readString(out.resolve("model/config.json")), "config.json");
            assertThat(hf.get("model_type")).isEqualTo("llama");
            assertThat(hf.get("num_key_value_heads")).isEqualTo(2L);
            outs.put(loss, out);
        }

        Path mle = outs.get("mle"), cpo = outs.get("cpo"), zero = dir.resolve("ens0"), half = dir.resolve("ens-half");
        CliRun.of("ensemble", "--mle", mle, "--cpo", cpo, "--alpha", 0, "--out", zero).ok();
        assertThat(Files.mismatch(zero.resolve("model.safetensors"), mle.resolve("model/model.safetensors"))).isEqualTo(-1L);
        CliRun.of("ensemble", "--mle", mle, "--cpo", cpo, "--alpha", 0.5, "--out", half).ok();
        float[] a = HfCheckpoint.load(mle.resolve("model")).parameters().values(), b = HfCheckpoint.load(cpo.resolve("model")).parameters().values();
        LanguageModel ensemble = HfCheckpoint.load(half);
        assertThat(ensemble.config()).isEqualTo(HfCheckpoint.load(mle.resolve("model")).config());
        float[] h = ensemble.parameters().values();
        for (int i = 0; i < h.length; i += 31) assertThat(h[i]).isEqualTo(0.5f * a[i] + 0.5f * b[i]);

        Map<String, Object> json = Json.parseObject(CliRun.of("eval", "--model", half, "--data", valBin, "--block", 32, "--json").ok().out().strip(), "eval");
        Evaluation.Result expected = Evaluation.meanLoss(ensemble, new SequentialWindows(TokenShard.read(valBin), 8, 32), Integer.MAX_VALUE);
        assertThat((Double) json.get("loss")).isCloseTo(expected.loss(), within(1e-6 * expected.loss()));
    }

    @Test
    void resumingALlamaRunContinuesBitForBit() throws Exception {
        Object[] common = args(SMALL_LLAMA, "train", "--data", trainBin, "--batch", 2, "--block", 16, "--lr", 2e-3, "--warmup", 0, "--min-lr-ratio", 1,
                "--checkpoint-every", 0, "--eval-every", 0);
        Path split = dir.resolve("resumed"), straight = dir.resolve("straight");
        CliRun.of(args(new Object[] {"--out", split, "--steps", 2}, common)).ok();
        CliRun resumed = CliRun.of("train", "--out", split, "--resume", "--steps", 4).ok();
        assertThat(resumed.out()).contains("resumed " + split + " at step 2", "finished at step 4");
        CliRun.of(args(new Object[] {"--out", straight, "--steps", 4}, common)).ok();
        // Arrays.mismatch, not AssertJ's containsExactly: that takes tens of seconds on 460k floats.
        float[] resumedWeights = HfCheckpoint.load(split.resolve("model")).parameters().values();
        float[] straightWeights = HfCheckpoint.load(straight.resolve("model")).parameters().values();
        assertThat(java.util.Arrays.mismatch(resumedWeights, straightWeights)).as("first parameter that differs").isEqualTo(-1);
    }

    @Test
    void aLlamaTooBigForTheHeapIsRefusedBeforeAllocatingWithTheEstimate() {
        Path out = dir.resolve("huge");
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        CliRun r = CliRun.of("train", "--data", trainBin, "--out", out, "--model", "llama-3.2-1b", "--vocab-size", 128256, "--batch", 64, "--block", 2048);
        r.failsWith(1, "cpo4j train: training a llama of 1.24B parameters");
        assertThat(r.err()).contains("32 heads sharing 8 K/V heads", "needs about", "parameters", "activations", "but the heap allows", "CPO4J_JAVA_OPTS=-Xmx");
        assertThat(out).as("nothing written").doesNotExist();
        assertThat(rt.totalMemory() - rt.freeMemory() - before).as("no multi-gigabyte buffers were allocated").isLessThan(1L << 30);

        CliRun f = CliRun.of("finetune", "--model", run, "--data", text, "--out", out, "--batch", 100_000_000, "--prefix-tokens", 4, "--continuation-tokens", 4, "--max-length", 8);
        f.failsWith(1, "cpo4j finetune: fine-tuning a llama of");
        assertThat(f.err()).contains("beside a frozen reference", "needs about");
        assertThat(out).doesNotExist();
    }
}
