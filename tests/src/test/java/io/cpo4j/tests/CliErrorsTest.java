package io.cpo4j.tests;

import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.tokenizer.CharTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Mistakes on the training command lines: one line on stderr naming the option or file, exit 2 (usage) or 1. */
class CliErrorsTest {

    @TempDir
    static Path dir;

    static Path shard, model, bareModel, text;

    @BeforeAll
    static void files() throws Exception {
        SmallModelFiles files = SmallModelFiles.write(dir);
        text = files.text();
        shard = files.shard();
        model = files.model();
        bareModel = dir.resolve("bare-model");
        HfCheckpoint.save(files.gpt(), bareModel, files.chars().eotToken());
    }

    @Test
    void usageMistakesAreOneLineWithExitCodeTwo() {
        Path out = dir.resolve("never");
        CliRun.of("train", "--data", shard, "--out", out, "--bogus", 1).failsWith(2, "cpo4j train: unknown option --bogus (see ./cpo4j train --help)");
        CliRun.of("train", "--out", out).failsWith(2, "cpo4j train: missing --data (see ./cpo4j train --help)");
        CliRun.of("train", "--data", shard).failsWith(2, "cpo4j train: missing --out");
        CliRun.of("train", "--data", shard, "--out", out, "--steps", "ten").failsWith(2, "cpo4j train: --steps expects an integer, got 'ten'");
        CliRun.of("train", "--data", shard, "--out", out, "--batch", 0).failsWith(2, "cpo4j train: --batch must be at least 1, got 0");
        CliRun.of("train", "--data", shard, "--out", out, "--lr", -1).failsWith(2, "--lr must be a positive number");
        CliRun.of("train", "--data", shard, "--out", out, "--model", "gpt5").failsWith(2, "unknown model preset 'gpt5'");
        CliRun.of("train", "--data", shard, "--out", out, "--block", 4096).failsWith(2, "--block 4096 exceeds the model's context length 128");
        CliRun.of("train", "--data", shard, "--out", out, "--init", model, "--layers", 2).failsWith(2, "--layers cannot be combined with --init");
        CliRun.of("eval", "--model", model).failsWith(2, "cpo4j eval: missing --data");
        CliRun.of("eval", "--model", model, "--data", shard, "--block", 17).failsWith(2, "--block 17 exceeds the model's context length 16");
        CliRun.of("generate", "--model", model).failsWith(2, "cpo4j generate: missing --prompt");
        CliRun.of("generate", "--model", model, "--prompt", "a", "--temperature", 0, "--tokenizer", dir).failsWith(2, "--temperature must be > 0");
        CliRun.of("finetune", "--model", model, "--data", text, "--out", out, "--loss-type", "ppo").failsWith(2, "--loss-type: unknown loss_type 'ppo'; choose one of cpo, cpo-ranked, dpo");
        CliRun.of("finetune", "--model", model, "--data", text, "--out", out, "--negatives", "autoregressive,magic").failsWith(2, "--negatives: unknown generator 'magic'");
        CliRun.of("finetune", "--model", model, "--data", text, "--out", out, "--k", 1).failsWith(2, "--k must be at least 2");
        CliRun.of("finetune", "--model", model, "--data", text, "--out", out, "--prefix-tokens", 10, "--continuation-tokens", 10)
                .failsWith(2, "spans of --prefix-tokens 10 + --continuation-tokens 10 do not fit --max-prefix 8 and --max-length 16");
        CliRun.of("finetune", "--model", model, "--data", text, "--out", out, "--data-format", "csv").failsWith(2, "--data-format must be one of [dolly, preference, text, wikitext]");
        CliRun.of("ensemble", "--mle", model, "--cpo", model, "--out", out).failsWith(2, "cpo4j ensemble: missing --alpha");
        CliRun.of("ensemble", "--mle", model, "--cpo", model, "--out", out, "--alpha", 1.5).failsWith(2, "--alpha must be in [0.0, 1.0], got 1.5");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingAndBrokenFilesAreNamed() throws Exception {
        Path out = dir.resolve("never2");
        Path missing = dir.resolve("missing.bin");
        CliRun.of("train", "--data", missing, "--out", out).failsWith(1, "cpo4j train: " + missing + ": file not found");
        CliRun.of("train", "--data", shard, "--val", dir.resolve("nope.bin"), "--out", out).failsWith(1, "nope.bin: file not found");
        CliRun.of("train", "--data", shard, "--out", out, "--vocab-size", 3).failsWith(1, "is outside the vocabulary of 3 (the model's vocab_size)");
        CliRun.of("eval", "--model", dir.resolve("no-model"), "--data", shard).failsWith(1, "no-model: model folder not found");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun.of("eval", "--model", empty, "--data", shard).failsWith(1, "empty: not a model folder: no config.json");
        CliRun.of("eval", "--model", model, "--data", text).failsWith(1, "text.txt: bad magic");
        CliRun.of("generate", "--model", bareModel, "--prompt", "abc").failsWith(1, "no tokenizer files in the model folder (encoder.json + vocab.bpe, vocab.json + merges.txt, or chars.json); pass --tokenizer DIR");
        CliRun.of("finetune", "--model", model, "--data", dir.resolve("none.jsonl"), "--out", out).failsWith(1, "none.jsonl");
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"instruction\": \"a\", \"response\": \"b\"}\n{\"instruction\": 3}\n");
        Path tokenizer = dir.resolve("tok");
        CharTokenizer.fromText("abcd .\n").save(tokenizer);
        CliRun.of("finetune", "--model", model, "--tokenizer", tokenizer, "--data", bad, "--out", out).failsWith(1, "bad.jsonl:2: ");
        assertThat(out).doesNotExist();

        Path other = dir.resolve("other");
        HfCheckpoint.save(Gpt.create(new GptConfig(7, 16, 2, 1, 8, 0f, 1e-5f), 1), other, 6);
        CliRun.of("ensemble", "--mle", model, "--cpo", other, "--alpha", 0.5, "--out", dir.resolve("e")).failsWith(1, "the two models differ in shape");
    }

    @Test
    void runsThatCannotFitTheHeapAreRefusedBeforeAllocating() throws Exception {
        Path out = dir.resolve("huge");
        long before = usedHeap();
        CliRun r = CliRun.of("train", "--data", shard, "--out", out, "--model", "gpt2-xl", "--batch", 64);
        r.failsWith(1, "cpo4j train: training a GPT-2 of 1.56B parameters");
        assertThat(r.err()).contains("needs about", "but the heap allows", "--gradient-checkpointing", "CPO4J_JAVA_OPTS=-Xmx");
        assertThat(out).as("nothing written").doesNotExist();
        assertThat(usedHeap() - before).as("no multi-gigabyte buffers were allocated").isLessThan(1L << 30);

        CliRun f = CliRun.of("finetune", "--model", model, "--data", text, "--out", out, "--batch", 100_000_000, "--prefix-tokens", 4, "--continuation-tokens", 4);
        f.failsWith(1, "cpo4j finetune: fine-tuning a GPT-2 of");
        assertThat(f.err()).contains("beside a frozen reference", "needs about");
        assertThat(out).doesNotExist();
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void helpTextsNameEveryFlag() {
        String train = CliRun.of("train", "--help").ok().out();
        for (String f : new String[] {"--data", "--val", "--out", "--model", "--vocab-size", "--context", "--dropout", "--init", "--tokenizer", "--batch", "--block",
                "--grad-accum", "--steps", "--lr", "--warmup", "--min-lr-ratio", "--weight-decay", "--grad-clip", "--eval-every", "--eval-batches",
                "--checkpoint-every", "--keep-checkpoints", "--max-bad-steps", "--seed", "--threads", "--resume"}) {
            assertThat(train).contains(f);
        }
        String finetune = CliRun.of("finetune", "--help").ok().out();
        for (String f : new String[] {"--loss-type", "--negatives", "--k", "--beta", "--cpo-alpha", "--negatives-from", "--neg-temperature", "--neg-top-k",
                "--neg-top-p", "--meanfield-fraction", "--pss-mix", "--simpo-gamma", "--objective", "--nll-weight", "--xu-alpha", "--data-format", "--skip-bad-lines", "--prefix-tokens",
                "--continuation-tokens", "--max-length", "--max-prefix", "--val-fraction", "--resume", "cpo-ranked", "meanfield"}) {
            assertThat(finetune).contains(f);
        }
        String generate = CliRun.of("generate", "--help").ok().out();
        for (String f : new String[] {"--max-new-tokens", "--temperature", "--top-k", "--top-p", "--min-p", "--repetition-penalty", "--no-repeat-ngram",
                "--greedy", "--n ", "--seed", "--stop", "--sliding-window", "--allow-special", "--threads"}) {
            assertThat(generate).contains(f);
        }
        assertThat(CliRun.of("eval", "--help").ok().out()).contains("--json", "--block", "--batch");
        assertThat(CliRun.of("ensemble", "--help").ok().out()).contains("--mle", "--cpo", "--alpha", "--out");
        assertThat(CliRun.of("--help").ok().out()).contains("train", "eval", "generate", "finetune", "ensemble");
    }
}
