package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.tokenizer.Tokenizers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands on the real files in ../shared/data (Dolly, the GPT-2 vocabulary, a HuggingFace model); skipped when absent. */
class CliRealDataTest {

    @TempDir
    Path dir;

    private static Path shared(String relative) {
        Path p = Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "data", relative).normalize();
        Assumptions.assumeTrue(Files.exists(p), "shared data not present: " + p);
        return p;
    }

    /** A one-layer GPT-2 over the real 50,257-token vocabulary, small enough for a few steps in a test. */
    private Path tinyGpt2Vocabulary() throws Exception {
        Path model = dir.resolve("start");
        HfCheckpoint.save(Gpt.create(new GptConfig(50257, 96, 1, 2, 16, 0f, 1e-5f), 5), model, 50256);
        return model;
    }

    @Test
    void finetunesOnDollyWithTheGpt2Tokenizer() throws Exception {
        Path dolly = shared("dolly-15k/databricks-dolly-15k.jsonl");
        Path gpt2 = shared("gpt2-tokenizer");
        Path run = dir.resolve("dolly-dpo");
        CliRun r = CliRun.of("finetune", "--model", tinyGpt2Vocabulary(), "--tokenizer", gpt2, "--data", dolly, "--out", run,
                "--loss-type", "dpo", "--negatives", "truncation", "--batch", 2, "--steps", 2, "--lr", 1e-3, "--max-examples", 20,
                "--eval-every", 2, "--eval-batches", 1, "--report-samples", 1).ok();
        assertThat(r.out()).contains("20 instruction records for training", "dpo with truncation negatives, K = 2");
        Map<String, Object> step = CliRun.metrics(run).get(0);
        assertThat(step).containsKeys("loss", "nll_loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies");
        assertThat((Double) step.get("loss")).as("DPO at π = π_ref: log 2").isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-4));
        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")), "config.json");
        Map<?, ?> data = (Map<?, ?>) config.get("data");
        assertThat(data.get("format")).as("guessed from .jsonl").isEqualTo("dolly");
        assertThat((Long) data.get("validation_examples")).isEqualTo(2L);
        // GPT-2's files travel with the model, also under HuggingFace's names.
        for (String f : List.of("encoder.json", "vocab.bpe", "vocab.json", "merges.txt")) assertThat(run.resolve("model").resolve(f)).exists();
        assertThat(Tokenizers.load(run.resolve("model")).encode("Hello world")).containsExactly(15496, 995);
        assertThat(Files.readString(run.resolve("report.html"))).as("a sample: the prompt keeps its end, as TRL truncates").contains("### Response:", "dpo (greedy)");
    }

    @Test
    void skipsAndCountsBadDollyLinesWhenAsked() throws Exception {
        Path gpt2 = shared("gpt2-tokenizer");
        Path file = dir.resolve("mini.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) sb.append(Json.write(Map.of("instruction", "Count to " + i + ".", "context", "", "response", "1 2 3 " + i, "category", "x"))).append('\n');
        sb.append("{\"instruction\": \"broken\"\n");
        Files.writeString(file, sb.toString());
        Path model = tinyGpt2Vocabulary();
        CliRun.of("finetune", "--model", model, "--tokenizer", gpt2, "--data", file, "--out", dir.resolve("strict"), "--steps", 1)
                .failsWith(1, "mini.jsonl:41: ");
        CliRun r = CliRun.of("finetune", "--model", model, "--tokenizer", gpt2, "--data", file, "--out", dir.resolve("lenient"), "--skip-bad-lines",
                "--loss-type", "mle", "--steps", 1, "--batch", 2, "--val-fraction", 0.2, "--report-samples", 0).ok();
        assertThat(r.out()).contains("finetune: note: skipped 1 bad line of " + file + " (first: " + file + ":41: ");
    }

    @Test
    void generatesWithAHuggingFaceFolderAndItsOwnTokenizerFiles() {
        Path model = shared("tiny-random-gpt2");
        CliRun a = CliRun.of("generate", "--model", model, "--prompt", "Hello world", "--greedy", "--max-new-tokens", 8).ok();
        CliRun b = CliRun.of("generate", "--model", model, "--prompt", "Hello world", "--greedy", "--max-new-tokens", 8).ok();
        assertThat(a.out()).startsWith("Hello world").isEqualTo(b.out());
        assertThat(a.err()).contains("generate: ").contains("stopped at");
        CliRun json = CliRun.of("eval", "--model", model, "--data", dir.resolve("missing.bin"));
        json.failsWith(1, "missing.bin: file not found");
    }
}
