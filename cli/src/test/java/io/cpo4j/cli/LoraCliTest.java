package io.cpo4j.cli;

import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.llama.Llama;
import io.cpo4j.model.llama.LlamaConfig;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.tokenizer.CharTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * LoRA on the command line: {@code finetune --lora-r} on a tiny GPT-2 and a tiny Llama writes
 * PEFT's adapter folder and leaves the base alone; {@code generate} / {@code eval} with the
 * adapters agree with the folder {@code merge} writes; resuming is bit-exact; bad input is one line.
 */
class LoraCliTest {

    @TempDir
    static Path dir;

    static Path text, shard, gpt2, llama, gptRun, llamaRun;
    static byte[] gpt2Weights, llamaWeights;

    record Cli(int code, String out, String err) {
        static Cli of(Object... args) {
            String[] a = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int code = Main.run(a, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        Cli ok() {
            assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", out, err).isZero();
            return this;
        }

        /** Exactly one line on stderr (no stack trace) containing each part, and the exit code. */
        void failsWith(int expected, String... parts) {
            assertThat(code).as("exit code; stderr: %s", err).isEqualTo(expected);
            assertThat(err.lines().count()).as(err).isEqualTo(1);
            assertThat(err).contains(parts);
        }
    }

    static Object[] args(Object[] first, Object... more) {
        List<Object> all = new ArrayList<>(Arrays.asList(more));
        all.addAll(Arrays.asList(first));
        return all.toArray();
    }

    static Object[] finetune(Path model, Path out, Object... extra) {
        return args(extra, "finetune", "--model", model, "--data", text, "--out", out, "--prefix-tokens", 8, "--continuation-tokens", 8,
                "--batch", 2, "--lr", 2e-2, "--warmup", 0, "--eval-every", 0, "--eval-batches", 1, "--report-samples", 0, "--checkpoint-every", 0);
    }

    @BeforeAll
    static void tinyModelsAndLoraRuns() throws Exception {
        StringBuilder sb = new StringBuilder();
        String[] words = {"the cat", "a dog", "sat on", "the mat", "ran far", "and then", "it slept", "by the door"};
        java.util.Random random = new java.util.Random(7);
        for (int p = 0; p < 60; p++) {
            for (int w = 0; w < 12; w++) sb.append(words[random.nextInt(words.length)]).append(w == 11 ? ".\n\n" : " ");
        }
        text = dir.resolve("corpus.txt");
        Files.writeString(text, sb.toString());
        CharTokenizer chars = CharTokenizer.fromText(sb.toString());
        shard = dir.resolve("tokens.bin");
        TokenShard.write(shard, chars.encode(sb.substring(0, 2000)), chars.vocabSize());

        gpt2 = dir.resolve("gpt2");
        HfCheckpoint.save(Gpt.create(new GptConfig(chars.vocabSize(), 32, 2, 2, 16, 0f, 1e-5f), 1), gpt2, chars.eotToken());
        chars.save(gpt2);
        llama = dir.resolve("llama");
        HfCheckpoint.save(Llama.create(LlamaConfig.llama(chars.vocabSize(), 32, 2, 16, 32, 4, 2, false), 2), llama, chars.eotToken());
        chars.save(llama);
        gpt2Weights = Files.readAllBytes(gpt2.resolve(HfCheckpoint.WEIGHTS));
        llamaWeights = Files.readAllBytes(llama.resolve(HfCheckpoint.WEIGHTS));

        gptRun = dir.resolve("gpt-lora");
        Cli r = Cli.of(finetune(gpt2, gptRun, "--steps", 3, "--lora-r", 4, "--loss-type", "cpo", "--negatives", "autoregressive,truncation", "--k", 3,
                "--eval-every", 3, "--report-samples", 1)).ok();
        assertThat(r.out()).contains("val/rewards/accuracies");
        assertThat(Files.readString(gptRun.resolve("report.html"))).contains("cpo (greedy)", "LoRA r 4 on c_attn, adapters in adapter/");
        assertThat(r.out()).contains("LoRA r 4, lora_alpha 8, lora_dropout 0, target_modules c_attn", "finished at step 3", "adapter " + gptRun.resolve("adapter"));
        llamaRun = dir.resolve("llama-lora");
        Cli.of(finetune(llama, llamaRun, "--steps", 3, "--lora-r", 2, "--lora-alpha", 16, "--lora-dropout", 0.1,
                "--lora-target", "q_proj,k_proj,v_proj,o_proj", "--loss-type", "mle")).ok();
    }

    /** The tensor names and values of an adapter_model.safetensors. */
    static Map<String, float[]> tensors(Path file) throws Exception {
        SafeTensors st = SafeTensors.open(file);
        Map<String, float[]> m = new java.util.TreeMap<>();
        for (String name : st.names()) {
            SafeTensors.Entry e = st.entry(name);
            float[] v = new float[(int) e.numel()];
            st.readFloats(e, v, 0);
            m.put(name, v);
        }
        return m;
    }

    static Map<String, Object> json(Path file) throws Exception {
        return Json.parseObject(Files.readString(file), file.toString());
    }

    @Test
    void gpt2RunWritesPeftAdaptersOnPeftsDefaultTargetAndLeavesTheBaseAlone() throws Exception {
        Path adapter = gptRun.resolve("adapter");
        Map<String, Object> config = json(adapter.resolve("adapter_config.json"));
        assertThat(config).containsEntry("r", 4L).containsEntry("lora_alpha", 8L).containsEntry("lora_dropout", 0.0).containsEntry("peft_type", "LORA")
                .containsEntry("fan_in_fan_out", true).containsEntry("target_modules", List.of("c_attn"))
                .containsEntry("base_model_name_or_path", gpt2.toAbsolutePath().normalize().toString());
        Map<String, float[]> t = tensors(adapter.resolve("adapter_model.safetensors"));
        assertThat(t.keySet()).containsExactly(
                "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight",
                "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight");
        float[] b = t.get("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight");
        assertThat(b.length).isEqualTo(3 * 16 * 4);
        double norm = 0;
        for (float v : b) norm += v * v;
        assertThat(norm).as("B starts at zero; three steps moved it").isPositive();
        assertThat(adapter.resolve("chars.json")).exists();
        assertThat(gptRun.resolve("model")).doesNotExist();
        assertThat(Files.readAllBytes(gpt2.resolve(HfCheckpoint.WEIGHTS))).as("the base folder is untouched").isEqualTo(gpt2Weights);
        Map<String, Object> run = json(gptRun.resolve("config.json"));
        @SuppressWarnings("unchecked") Map<String, Object> lora = (Map<String, Object>) run.get("lora");
        assertThat(lora).containsEntry("r", 4L).containsEntry("target_modules", List.of("c_attn"));
    }

    @Test
    void llamaRunAdaptsTheNamedProjectionsWithDropoutAndLeavesTheBaseAlone() throws Exception {
        Path adapter = llamaRun.resolve("adapter");
        Map<String, Object> config = json(adapter.resolve("adapter_config.json"));
        assertThat(config).containsEntry("r", 2L).containsEntry("lora_alpha", 16L).containsEntry("lora_dropout", 0.1).containsEntry("fan_in_fan_out", false)
                .containsEntry("target_modules", List.of("q_proj", "k_proj", "v_proj", "o_proj"));
        Map<String, float[]> t = tensors(adapter.resolve("adapter_model.safetensors"));
        assertThat(t).hasSize(2 * 4 * 2);
        for (int layer = 0; layer < 2; layer++) {
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                assertThat(t).containsKeys("base_model.model.model.layers." + layer + ".self_attn." + proj + ".lora_A.weight",
                        "base_model.model.model.layers." + layer + ".self_attn." + proj + ".lora_B.weight");
            }
        }
        assertThat(t.get("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight")).hasSize(8 * 2);   // (kv heads · head dim, r)
        assertThat(Files.readAllBytes(llama.resolve(HfCheckpoint.WEIGHTS))).isEqualTo(llamaWeights);
        assertThat(llamaRun.resolve("model")).doesNotExist();
    }

    @Test
    void adaptersGiveTheMergedFoldersEvalLossAndGreedyTokens() throws Exception {
        for (Path[] pair : List.of(new Path[] {gpt2, gptRun}, new Path[] {llama, llamaRun})) {
            Path base = pair[0], run = pair[1], merged = dir.resolve(run.getFileName() + "-merged");
            Cli m = Cli.of("merge", "--model", base, "--adapter", run.resolve("adapter"), "--out", merged).ok();
            assertThat(m.out()).contains("wrote", merged.toString(), "with the tokenizer files");
            assertThat(merged.resolve("chars.json")).exists();

            double withAdapter = loss(Cli.of("eval", "--model", base, "--adapter", run.resolve("adapter"), "--data", shard, "--json").ok());
            double fromRun = loss(Cli.of("eval", "--model", run, "--data", shard, "--json").ok());
            double mergedLoss = loss(Cli.of("eval", "--model", merged, "--data", shard, "--json").ok());
            double baseLoss = loss(Cli.of("eval", "--model", base, "--data", shard, "--json").ok());
            assertThat(fromRun).as("--model RUN is the base + the run's adapter").isEqualTo(withAdapter);
            double fromPeftFolder = loss(Cli.of("eval", "--model", run.resolve("adapter"), "--data", shard, "--json").ok());
            assertThat(fromPeftFolder).as("a PEFT folder as --model: the base from base_model_name_or_path").isEqualTo(withAdapter);
            assertThat(mergedLoss).isCloseTo(withAdapter, within(1e-5 * withAdapter));
            assertThat(Math.abs(baseLoss - withAdapter)).as("the adapters change the model").isGreaterThan(1e-4);

            Object[] greedy = {"--prompt", "the cat", "--greedy", "--max-new-tokens", 20, "--continuation-only"};
            String adapted = Cli.of(args(greedy, "generate", "--model", base, "--adapter", run)).ok().out();
            assertThat(Cli.of(args(greedy, "generate", "--model", run)).ok().out()).isEqualTo(adapted);
            assertThat(Cli.of(args(greedy, "generate", "--model", merged)).ok().out()).isEqualTo(adapted);

            // The merged weights differ from the base's exactly on the adapted projections.
            LanguageModel b = HfCheckpoint.load(base), mm = HfCheckpoint.load(merged);
            float[] bv = b.parameters().values(), mv = mm.parameters().values();
            assertThat(Arrays.mismatch(bv, mv)).as("some weight changed").isNotEqualTo(-1);
        }
    }

    private static double loss(Cli eval) throws Exception {
        return (Double) Json.parseObject(eval.out().strip(), "eval").get("loss");
    }

    @Test
    void everyLossAndNegativeGeneratorTrainsOnlyTheAdapters() throws Exception {
        for (String loss : List.of("cpo", "cpo-ranked", "dpo", "cpo-xu", "simpo", "mle", "pss")) {
            Path out = dir.resolve("every-" + loss);
            Object[] negatives = loss.startsWith("cpo") && !loss.equals("cpo-xu")
                    ? new Object[] {"--negatives", "autoregressive,batch,meanfield,truncation", "--k", 5, "--negatives-from", loss.equals("cpo") ? "policy" : "reference"}
                    : new Object[] {"--negatives", "autoregressive"};
            Cli r = Cli.of(finetune(llama, out, args(negatives, "--steps", 1, "--lora-r", 2, "--loss-type", loss))).ok();
            assertThat(r.out()).as(loss).contains("target_modules q_proj,v_proj", "finished at step 1");
            List<Map<String, Object>> metrics = new ArrayList<>();
            for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) metrics.add(Json.parseObject(line, "metrics.jsonl"));
            Map<String, Object> step = metrics.stream().filter(m -> "train".equals(m.get("kind"))).findFirst().orElseThrow();
            assertThat((Double) step.get("loss")).as(loss).isFinite();
            assertThat((Double) step.get("grad_norm")).as(loss).isPositive();
            assertThat(tensors(out.resolve("adapter/adapter_model.safetensors"))).as(loss).hasSize(2 * 2 * 2);
        }
        assertThat(Files.readAllBytes(llama.resolve(HfCheckpoint.WEIGHTS))).isEqualTo(llamaWeights);
        String help = Cli.of("finetune", "--help").ok().out();
        assertThat(help).contains("--lora-r R", "lora_alpha (default 8, PEFT's)", "q_proj,v_proj for llama", "adapter/");
        assertThat(help.indexOf("--lora-r R")).isLessThan(help.indexOf("training (step metrics"));
        assertThat(Cli.of("--help").ok().out()).contains("  merge      merge LoRA adapters into their base");
        assertThat(Cli.of("generate", "--help").ok().out()).contains("--adapter DIR");
        assertThat(Cli.of("eval", "--help").ok().out()).contains("--adapter DIR");
    }

    @Test
    void resumingALoraRunIsBitExact() throws Exception {
        Object[] recipe = {"--lora-r", 4, "--lora-dropout", 0.2, "--lora-target", "c_attn,c_fc", "--min-lr-ratio", 1, "--loss-type", "cpo", "--negatives", "autoregressive,meanfield", "--k", 3};
        Path straight = dir.resolve("straight"), split = dir.resolve("split");
        Cli.of(finetune(gpt2, straight, args(recipe, "--steps", 4))).ok();
        Cli.of(finetune(gpt2, split, args(recipe, "--steps", 2))).ok();
        assertThat(split.resolve("checkpoints")).isDirectory();
        Map<String, float[]> atTwo = tensors(split.resolve("adapter/adapter_model.safetensors"));
        Cli resumed = Cli.of("finetune", "--out", split, "--resume", "--steps", 4).ok();
        assertThat(resumed.out()).contains("resumed " + split + " at step 2", "finished at step 4", "LoRA r 4");
        Map<String, float[]> a = tensors(straight.resolve("adapter/adapter_model.safetensors")), b = tensors(split.resolve("adapter/adapter_model.safetensors"));
        assertThat(b.keySet()).isEqualTo(a.keySet()).hasSize(8);
        for (String k : a.keySet()) assertThat(Arrays.mismatch(a.get(k), b.get(k))).as(k).isEqualTo(-1);
        byte[] configBefore = Files.readAllBytes(split.resolve("config.json"));
        Cli.of("finetune", "--out", split, "--resume", "--steps", 5, "--lora-r", 8).failsWith(1, "step-00000004/trainer.safetensors", "the model has");
        assertThat(Files.readAllBytes(split.resolve("config.json"))).as("a refused resume leaves the run as it was").isEqualTo(configBefore);
        String first = a.keySet().stream().filter(k -> k.contains("lora_B")).findFirst().orElseThrow();
        assertThat(Arrays.mismatch(atTwo.get(first), a.get(first))).as("steps 3 and 4 moved the adapters").isNotEqualTo(-1);
    }

    /**
     * --base-dtype bf16 reads the base's matrices into bf16 and trains adapters on it: bit for bit
     * the run, eval loss and greedy tokens of the float32 folder holding those bf16 values widened.
     */
    @Test
    void aBf16BaseTrainsEvaluatesAndGeneratesAsItsWidenedFolder() throws Exception {
        Path rounded = dir.resolve("gpt2-bf16-widened");
        HfCheckpoint.save(HfCheckpoint.load(gpt2, io.cpo4j.engine.DType.BF16), rounded, 0);
        Files.copy(gpt2.resolve("chars.json"), rounded.resolve("chars.json"));
        Object[] recipe = {"--steps", 2, "--lora-r", 4, "--lora-target", "c_attn,c_proj", "--loss-type", "cpo", "--negatives", "autoregressive,truncation", "--k", 3};
        Path onBf16 = dir.resolve("bf16-run"), onWidened = dir.resolve("widened-run");
        Cli r = Cli.of(finetune(gpt2, onBf16, args(recipe, "--base-dtype", "bf16"))).ok();
        assertThat(r.out()).contains("target_modules c_attn,c_proj, base bf16:", "finished at step 2");
        assertThat(json(onBf16.resolve("config.json")).get("base_dtype")).isEqualTo("bf16");
        Cli.of(finetune(rounded, onWidened, recipe)).ok();
        Map<String, float[]> a = tensors(onBf16.resolve("adapter/adapter_model.safetensors")), b = tensors(onWidened.resolve("adapter/adapter_model.safetensors"));
        assertThat(b.keySet()).isEqualTo(a.keySet()).hasSize(2 * 2 * 3);
        for (String k : a.keySet()) assertThat(Arrays.mismatch(a.get(k), b.get(k))).as(k).isEqualTo(-1);
        assertThat(Files.readAllBytes(gpt2.resolve(HfCheckpoint.WEIGHTS))).isEqualTo(gpt2Weights);
        assertThat(Cli.of("finetune", "--out", onBf16, "--resume", "--steps", 3).ok().out()).contains("resumed", "base bf16", "finished at step 3");
        Cli.of("finetune", "--out", onWidened, "--resume", "--steps", 3).ok();
        Map<String, float[]> resumed = tensors(onBf16.resolve("adapter/adapter_model.safetensors")), three = tensors(onWidened.resolve("adapter/adapter_model.safetensors"));
        for (String k : three.keySet()) assertThat(Arrays.mismatch(resumed.get(k), three.get(k))).as("both resumed, the bf16 one on its bf16 base: %s", k).isEqualTo(-1);

        double bf16Loss = loss(Cli.of("eval", "--model", gpt2, "--adapter", onBf16, "--base-dtype", "bf16", "--data", shard, "--json").ok());
        assertThat(loss(Cli.of("eval", "--model", rounded, "--adapter", onBf16, "--data", shard, "--json").ok())).isEqualTo(bf16Loss);
        double f32Loss = loss(Cli.of("eval", "--model", gpt2, "--adapter", onBf16, "--data", shard, "--json").ok());
        assertThat(f32Loss).isCloseTo(bf16Loss, within(2e-2 * bf16Loss)).isNotEqualTo(bf16Loss);
        assertThat(loss(Cli.of("eval", "--model", gpt2, "--base-dtype", "f16", "--data", shard, "--json").ok()))
                .as("alone, without adapters").isCloseTo(loss(Cli.of("eval", "--model", gpt2, "--data", shard, "--json").ok()), within(1e-2));

        Object[] greedy = {"--prompt", "the cat", "--greedy", "--max-new-tokens", 20, "--continuation-only"};
        String tokens = Cli.of(args(greedy, "generate", "--model", onBf16, "--base-dtype", "bf16")).ok().out();
        assertThat(Cli.of(args(greedy, "generate", "--model", rounded, "--adapter", onBf16)).ok().out()).isEqualTo(tokens);
        assertThat(Cli.of("generate", "--help").ok().out()).contains("--base-dtype D");
        assertThat(Cli.of("eval", "--help").ok().out()).contains("--base-dtype D");
        assertThat(Cli.of("finetune", "--help").ok().out()).contains("--base-dtype D");

        Path out = dir.resolve("refused-dtype");
        Cli.of(finetune(gpt2, out, "--base-dtype", "bf16")).failsWith(2, "--base-dtype bf16 needs --lora-r");
        Cli.of(finetune(gpt2, out, "--lora-r", 4, "--base-dtype", "fp8")).failsWith(2, "--base-dtype must be bf16, f16 or f32, got 'fp8'");
        Cli.of("eval", "--model", gpt2, "--base-dtype", "half", "--data", shard).failsWith(2, "--base-dtype must be bf16, f16 or f32");
        assertThat(out).doesNotExist();
    }

    @Test
    void badLoraFlagsAreOneLineUsageErrorsNamingTheFlagAndWriteNothing() {
        Path out = dir.resolve("refused");
        Cli.of(finetune(gpt2, out, "--lora-alpha", 16)).failsWith(2, "cpo4j finetune: --lora-alpha needs --lora-r");
        Cli.of(finetune(gpt2, out, "--lora-target", "c_attn")).failsWith(2, "--lora-target needs --lora-r");
        Cli.of(finetune(gpt2, out, "--lora-r", 0)).failsWith(2, "--lora-r must be at least 1, got 0");
        Cli.of(finetune(gpt2, out, "--lora-r", 4, "--lora-dropout", 1)).failsWith(2, "--lora-dropout must be below 1");
        Cli.of(finetune(gpt2, out, "--lora-r", 4, "--lora-alpha", -2)).failsWith(2, "--lora-alpha must be a positive number");
        Cli.of(finetune(gpt2, out, "--lora-r", 4, "--lora-target", "q_proj")).failsWith(2, "--lora-target: ", "'q_proj' is not a GPT-2 projection", "c_attn");
        Cli.of(finetune(llama, out, "--lora-r", 4, "--lora-target", "q_proj,c_fc")).failsWith(2, "--lora-target: ", "'c_fc'", "gate_proj");
        Cli tooBig = Cli.of(finetune(gpt2, out, "--lora-r", 4, "--batch", 1_000_000));
        tooBig.failsWith(1, "with LoRA adapters needs about");
        assertThat(tooBig.err()).doesNotContain("frozen reference");
        assertThat(out).doesNotExist();
    }

    @Test
    void badAdapterFoldersAreOneLineNamingTheFileOrField() throws Exception {
        Object[] gen = {"--prompt", "a", "--max-new-tokens", 2};
        Cli.of(args(gen, "generate", "--model", gpt2, "--adapter", dir.resolve("nowhere"))).failsWith(1, "nowhere: adapter folder not found (--adapter)");
        Cli.of(args(gen, "generate", "--model", gpt2, "--adapter", gpt2)).failsWith(1, "gpt2: not an adapter folder (--adapter): no adapter_config.json");
        Cli.of("eval", "--model", llama, "--adapter", gptRun, "--data", shard).failsWith(1, "adapter_config.json", "'c_attn'");   // another family

        Path other = dir.resolve("gpt2-wide");                                                                            // another shape
        CharTokenizer chars = CharTokenizer.load(gpt2.resolve(CharTokenizer.FILE));
        HfCheckpoint.save(Gpt.create(new GptConfig(chars.vocabSize(), 32, 2, 2, 24, 0f, 1e-5f), 1), other, chars.eotToken());
        chars.save(other);
        Cli.of("eval", "--model", other, "--adapter", gptRun, "--data", shard).failsWith(1, "adapter_model.safetensors", "has shape", "expected");

        Path broken = dir.resolve("broken-adapter");
        Files.createDirectories(broken);
        Files.copy(gptRun.resolve("adapter/adapter_model.safetensors"), broken.resolve("adapter_model.safetensors"));
        Files.writeString(broken.resolve("adapter_config.json"), Files.readString(gptRun.resolve("adapter/adapter_config.json")).replace("\"r\": 4", "\"r\": \"four\""));
        Cli.of("merge", "--model", gpt2, "--adapter", broken, "--out", dir.resolve("m")).failsWith(1, "broken-adapter/adapter_config.json", "\"r\"");
        assertThat(dir.resolve("m")).doesNotExist();

        Cli.of("merge", "--model", gpt2, "--out", dir.resolve("m")).failsWith(2, "cpo4j merge: missing --adapter");
        Cli.of("merge", "--model", gptRun, "--adapter", gptRun, "--out", dir.resolve("m")).failsWith(2, "holds LoRA adapters");
        Cli.of("finetune", "--model", gptRun, "--data", text, "--out", dir.resolve("m")).failsWith(1, "a LoRA run folder", "./cpo4j merge --model");
        Path full = dir.resolve("full");
        Files.createDirectories(full);
        Files.writeString(full.resolve("keep.txt"), "x");
        Cli.of("merge", "--model", gptRun, "--out", full).failsWith(2, "--out " + full + " is not empty");
        Cli.of("merge", "--model", gptRun, "--out", full, "--overwrite").ok();
        assertThat(full.resolve("keep.txt")).exists();
        assertThat(full.resolve(HfCheckpoint.WEIGHTS)).exists();
    }
}
