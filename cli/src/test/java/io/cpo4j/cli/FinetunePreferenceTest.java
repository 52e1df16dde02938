package io.cpo4j.cli;

import io.cpo4j.cli.LoraCliTest.Cli;
import io.cpo4j.cpo.negatives.PreferenceNegatives;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.PreferenceDataset;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.tokenizer.CharTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code finetune} on TRL's preference JSONL: (prompt, chosen) examples, the rejected as
 * {@code preference} negatives, alone or mixed; refused where the data has no rejected; resumable.
 */
class FinetunePreferenceTest {

    @TempDir
    static Path dir;

    static Path prefs, dolly, gpt2;
    static CharTokenizer chars;
    static final String[] COLOURS = {"red", "blue", "green", "pink", "grey"};
    static final String[] THINGS = {"sky", "sea", "leaf", "rose", "rock", "fire", "snow", "moss"};

    @BeforeAll
    static void tinyModelAndPreferenceData() throws Exception {
        StringBuilder sb = new StringBuilder(), all = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            String thing = THINGS[i % THINGS.length] + i, right = COLOURS[i % COLOURS.length];
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", "the " + thing + " is");
            row.put("chosen", " " + right + ".");
            List<String> wrong = new ArrayList<>();
            for (int k = 1; k <= 1 + i % 3; k++) wrong.add(" " + COLOURS[(i + k) % COLOURS.length] + ".");
            row.put("rejected", wrong.size() == 1 ? wrong.get(0) : wrong);
            String line = Json.write(row);
            sb.append(line).append('\n');
            all.append(line);
        }
        prefs = dir.resolve("prefs.jsonl");
        Files.writeString(prefs, sb);
        dolly = dir.resolve("dolly.jsonl");
        Files.writeString(dolly, "{\"instruction\": \"the sky is\", \"response\": \"blue.\"}\n".repeat(10));
        chars = CharTokenizer.fromText(all + "\n### Instruction:Response" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,:;!?'\"-\n ");
        gpt2 = dir.resolve("gpt2");
        HfCheckpoint.save(Gpt.create(new GptConfig(chars.vocabSize(), 32, 1, 2, 16, 0f, 1e-5f), 1), gpt2, chars.eotToken());
        chars.save(gpt2);
    }

    static Object[] finetune(Path data, Path out, Object... extra) {
        return LoraCliTest.args(extra, "finetune", "--model", gpt2, "--data", data, "--out", out, "--batch", 4, "--lr", 1e-2, "--warmup", 0,
                "--min-lr-ratio", 1, "--eval-every", 0, "--eval-batches", 1, "--report-samples", 0, "--checkpoint-every", 0, "--threads", 1);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(Path run, String key) throws Exception {
        return (Map<String, Object>) Json.parseObject(Files.readString(run.resolve("config.json")), "config.json").get(key);
    }

    @Test
    void dpoOnPreferenceDataContrastsEveryChosenWithItsOwnRejected() throws Exception {
        Path run = dir.resolve("dpo");
        Cli r = Cli.of(finetune(prefs, run, "--loss-type", "dpo", "--negatives", "preference", "--steps", 2)).ok();
        assertThat(r.out()).contains("dpo with preference negatives, K = 2", "preference records for training", "finished at step 2");
        Map<String, Object> spec = section(run, "finetune");
        assertThat(spec.get("negatives")).isEqualTo(List.of("preference"));
        assertThat(spec).containsEntry("preference_examples", 40L).containsEntry("preference_rejected", 79L);   // 1, 2, 3 rejected by turns: 14·1 + 13·2 + 13·3
        assertThat(section(run, "data")).containsEntry("format", "preference");
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        assertThat(metrics).as("every example has a rejected: no slot falls back to truncation")
                .contains("\"rewards/rejected/preference\"").doesNotContain("rewards/rejected/truncation");
    }

    @Test
    void mixedWithTruncationAndResumedItEndsWithTheUninterruptedRunsWeights() throws Exception {
        Path straight = dir.resolve("mixed"), split = dir.resolve("mixed-split");
        Object[] mixed = {"--loss-type", "cpo", "--negatives", "preference,truncation", "--k", 4};
        Cli.of(finetune(prefs, straight, LoraCliTest.args(mixed, "--steps", 4))).ok();
        assertThat(section(straight, "finetune").get("negatives")).isEqualTo(List.of("preference", "truncation"));
        assertThat(Files.readString(straight.resolve("metrics.jsonl"))).contains("\"rewards/rejected/preference\"", "\"rewards/rejected/truncation\"");

        Cli.of(finetune(prefs, split, LoraCliTest.args(mixed, "--steps", 2))).ok();
        Cli resumed = Cli.of("finetune", "--out", split, "--resume", "--steps", 4).ok();
        assertThat(resumed.out()).contains("resumed " + split + " at step 2", "cpo with preference+truncation negatives", "finished at step 4");
        assertThat(Files.readAllBytes(split.resolve("model").resolve(HfCheckpoint.WEIGHTS)))
                .as("the resumed run draws the same rejected as the uninterrupted one").isEqualTo(Files.readAllBytes(straight.resolve("model").resolve(HfCheckpoint.WEIGHTS)));
    }

    @Test
    void sharedPrefixesScoreAsTheUnsharedRunAndAreKeptOnResume() throws Exception {
        Object[] mixed = {"--loss-type", "cpo", "--negatives", "preference,truncation", "--k", 4};
        Path plain = dir.resolve("plain"), shared = dir.resolve("shared");
        Cli.of(finetune(prefs, plain, LoraCliTest.args(mixed, "--steps", 2))).ok();
        Cli.of(finetune(prefs, shared, LoraCliTest.args(mixed, "--steps", 1, "--share-prefixes"))).ok();
        assertThat(section(plain, "finetune")).containsEntry("share_prefixes", false);
        assertThat(section(shared, "finetune")).containsEntry("share_prefixes", true);
        Cli.of("finetune", "--out", shared, "--resume", "--steps", 2).ok();
        assertThat(section(shared, "finetune")).as("the resumed run still shares").containsEntry("share_prefixes", true);
        List<String> a = Files.readAllLines(plain.resolve("metrics.jsonl")), b = Files.readAllLines(shared.resolve("metrics.jsonl"));
        for (int step = 0; step < 2; step++) {
            double lossA = ((Number) Json.parseObject(a.get(step), "plain").get("loss")).doubleValue();
            double lossB = ((Number) Json.parseObject(b.get(step), "shared").get("loss")).doubleValue();
            assertThat(lossB).as("step " + (step + 1) + " loss").isCloseTo(lossA, org.assertj.core.api.Assertions.within(1e-5 * Math.abs(lossA)));
        }
    }

    /** Some 36 training examples drawn 4 at a time: by the last steps some truths have come before. */
    @Test
    void precomputedReferenceTruthsAreReusedLoggedAndKeptOnResume() throws Exception {
        Path run = dir.resolve("precomputed");
        Object[] recipe = {"--loss-type", "cpo", "--negatives", "preference,truncation", "--k", 3, "--precompute-ref-log-probs"};
        Cli.of(finetune(prefs, run, LoraCliTest.args(recipe, "--steps", 6))).ok();
        assertThat(section(run, "finetune")).containsEntry("precompute_ref_log_probs", true);
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"kind\":\"train\"")).toList();
        assertThat(lines).hasSize(6);
        double reused = 0;
        for (String line : lines.subList(3, 6)) reused += ((Number) Json.parseObject(line, "metrics").get("ref_truths_reused")).doubleValue();
        assertThat(reused / 3).as("share of the last three steps' truths whose reference value was reused").isGreaterThan(0).isLessThanOrEqualTo(1.0);
        Cli.of("finetune", "--out", run, "--resume", "--steps", 7).ok();
        assertThat(section(run, "finetune")).as("the resumed run still keeps them").containsEntry("precompute_ref_log_probs", true);
    }

    @Test
    void preferenceNegativesNeedPreferenceData() {
        Cli.of(finetune(dolly, dir.resolve("refused"), "--negatives", "autoregressive,preference", "--steps", 1))
                .failsWith(2, "--negatives preference needs preference data with rejected continuations", "--data-format preference", dolly + " is read as dolly");
        assertThat(dir.resolve("refused")).doesNotExist();
        Cli.of(finetune(prefs, dir.resolve("unknown"), "--negatives", "prefs", "--steps", 1))
                .failsWith(2, "unknown generator 'prefs'; choose from autoregressive, batch, meanfield, truncation, preference");
    }

    @Test
    void preferenceDataWithoutPreferenceNegativesSaysTheRejectedAreUnused() {
        Cli r = Cli.of(finetune(prefs, dir.resolve("unused"), "--negatives", "truncation", "--k", 2, "--steps", 1)).ok();
        assertThat(r.out()).contains("note: the data's rejected continuations are unused; add preference to --negatives");
    }

    @Test
    void aMalformedPreferenceLineIsOneErrorNamingFileAndLine() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, Files.readAllLines(prefs).get(0) + "\n{\"prompt\": \"p\", \"chosen\": \"\", \"rejected\": \"x\"}\n");
        Cli.of(finetune(bad, dir.resolve("bad-run"), "--negatives", "preference", "--steps", 1)).failsWith(1, bad + ":2: field \"chosen\" is empty");
    }

    @Test
    void theFormatIsRecognisedAndTheRejectedAreCutAsTheChosenIs() throws Exception {
        assertThat(FinetuneData.guessFormat(prefs)).isEqualTo("preference");
        assertThat(FinetuneData.guessFormat(dolly)).isEqualTo("dolly");
        FinetuneData.Sides sides = FinetuneData.load(prefs, "preference", Optional.empty(), chars, 0.25, Integer.MAX_VALUE, false, 8, 8, new ArrayList<>());
        assertThat(sides.train().size() + sides.validation().size()).isEqualTo(40);
        assertThat(sides.validation().size()).isPositive();
        PreferenceDataset train = (PreferenceDataset) sides.train();
        int i = 0;
        while (train.rejected(i).size() < 2) i++;
        TokenizedExample e = train.get(i);
        int maxPrefix = 6, maxLength = maxPrefix + 3;           // the prompt keeps its last 6 tokens (still one per record), every continuation its first 3
        PreferenceNegatives negatives = FinetuneData.preferenceNegatives(sides, maxLength, maxPrefix).orElseThrow();
        assertThat(negatives.examples()).isEqualTo(40);
        TokenizedExample fitted = e.truncated(maxLength, maxPrefix);
        assertThat(fitted.prefix()).containsExactly(Arrays.copyOfRange(e.prefix(), e.prefix().length - 6, e.prefix().length));
        List<int[]> expected = train.rejected(i).stream().map(r -> Arrays.copyOf(r, 3)).toList();
        assertThat(negatives.rejectedFor(fitted.prefix(), fitted.continuation())).containsExactlyElementsOf(expected);
        assertThat(negatives.rejectedFor(e.prefix(), e.continuation())).as("keyed by the fitted example").isEmpty();
        assertThat(FinetuneData.preferenceNegatives(FinetuneData.load(dolly, "dolly", Optional.empty(), chars, 0.2, 100, false, 8, 8, new ArrayList<>()), 64, 32))
                .isEmpty();
    }
}
