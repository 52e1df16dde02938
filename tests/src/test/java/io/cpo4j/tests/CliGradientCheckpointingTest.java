package io.cpo4j.tests;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.hf.HfCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.cpo4j.tests.CliTrainingTest.args;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code --gradient-checkpointing} on {@code train} and {@code finetune}: recorded, and the same weights bit for bit. */
class CliGradientCheckpointingTest {

    @TempDir
    Path dir;

    @Test
    void trainAndFinetuneWithRecomputationEndOnTheSameWeights() throws Exception {
        Path text = dir.resolve("corpus.txt"), chars = dir.resolve("chars"), bin = dir.resolve("train.bin");
        Files.writeString(text, CliTrainingTest.corpus(60, 1));
        CliRun.of("tokenizer", "train", "--type", "char", "--data", text, "--out", chars).ok();
        CliRun.of("tokenizer", "tokenize", "--tokenizer", chars, "--data", text, "--out", bin).ok();
        Object[] train = args(new Object[] {"--layers", 2, "--heads", 2, "--width", 32, "--context", 32, "--dropout", 0.1},
                "train", "--data", bin, "--tokenizer", chars, "--batch", 4, "--steps", 3, "--warmup", 0, "--eval-every", 0, "--checkpoint-every", 0,
                "--report-samples", 0);
        Path stored = dir.resolve("stored"), recomputed = dir.resolve("recomputed");
        CliRun.of(args(new Object[] {"--out", stored}, train)).ok();
        CliRun.of(args(new Object[] {"--out", recomputed, "--gradient-checkpointing"}, train)).ok();
        Map<String, Object> config = Json.parseObject(Files.readString(recomputed.resolve("config.json")), "config.json");
        assertThat(((Map<?, ?>) config.get("train")).get("gradient_checkpointing")).isEqualTo(true);
        assertThat(HfCheckpoint.load(recomputed.resolve("model")).parameters().values())
                .containsExactly(HfCheckpoint.load(stored.resolve("model")).parameters().values());

        Object[] finetune = {"finetune", "--model", stored, "--data", text, "--prefix-tokens", 8, "--continuation-tokens", 8, "--steps", 2,
                "--batch", 2, "--warmup", 0, "--eval-every", 0, "--report-samples", 0, "--loss-type", "cpo", "--negatives", "truncation", "--k", 2};
        Path ftStored = dir.resolve("ft-stored"), ftRecomputed = dir.resolve("ft-recomputed");
        CliRun.of(args(new Object[] {"--out", ftStored}, finetune)).ok();
        CliRun.of(args(new Object[] {"--out", ftRecomputed, "--gradient-checkpointing"}, finetune)).ok();
        assertThat(HfCheckpoint.load(ftRecomputed.resolve("model")).parameters().values())
                .containsExactly(HfCheckpoint.load(ftStored.resolve("model")).parameters().values());
    }
}
