package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.model.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole protocol at a toy size: what it chooses on, what it trains (once each), and what it hands the report. */
class OracleProtocolTest {

    private static final DemoConfig TOY = DemoConfig.builder().trainDocs(300).pretrainSteps(2).finetuneSteps(2).batch(4).block(32).finetuneBatch(2)
            .prompts(8).coverageDocs(6).maxNewTokens(6).build();

    @Test
    void choosesOnValidationTrainsEachConfigurationOnceAndTestsEverySeed(@TempDir Path dir) throws Exception {
        OracleProtocol.Settings s = new OracleProtocol.Settings(List.of(1L, 2L), 6, 4, List.of(1e-4f, 1e-3f), List.of(0.25f, 0.75f),
                List.of(Decoding.GREEDY, Decoding.temperature(1.0)));
        List<ArmChoice> arms = List.of(ArmChoice.parse("mle=mle"), ArmChoice.parse("cpo-tn=cpo:truncation:2:0.1|1"),
                ArmChoice.parse("cpo-tnr=cpo-ranked:truncation:2:@cpo-tn"));
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        OracleStudy study = OracleProtocol.study(TOY, s, dir, log, name -> TrainingRun.Listener.NONE);
        OracleProtocol.Result r = OracleProtocol.run(study, s, arms, log);

        assertThat(r.choices()).extracting(OracleProtocol.Choice::what)
                .containsExactly("learning rate (every arm)", "cpo-tn", "cpo-tnr", "ensemble (1−α)·θ_mle + α·θ_" + r.bestCpo());
        assertThat(r.choices().get(0).tried()).containsExactly("lr 1.0E-4", "lr 0.001");
        assertThat(r.lr()).isEqualTo(s.lrGrid().get(r.choices().get(0).chosen()));
        assertThat(r.chosen().get("cpo-tn").beta()).isEqualTo(List.of(0.1, 1.0).get(r.choices().get(1).chosen()));
        assertThat(r.chosen().get("cpo-tnr").beta()).isEqualTo(r.chosen().get("cpo-tn").beta());   // β as chosen for cpo-tn
        assertThat(r.choices().get(2).criterion()).startsWith("β as chosen for cpo-tn");
        assertThat(r.bestCpo()).isIn("cpo-tn", "cpo-tnr");
        assertThat(r.alpha()).isIn(0.25f, 0.75f);

        // MLE at the chosen lr is the lr search's own run; the other cpo alternative is trained for seed 1 only
        int lrIndex = r.choices().get(0).chosen(), beta = r.choices().get(1).chosen();
        try (Stream<Path> runs = Files.list(dir)) {
            assertThat(runs.map(p -> p.getFileName().toString()).filter(n -> !n.equals("pretrain") && !n.equals("tokenizer")).sorted())
                    .containsExactlyInAnyOrder("mle-lr0", "mle-lr1", "mle-0-seed2", "cpo-tn-0-seed1", "cpo-tn-1-seed1", "cpo-tn-" + beta + "-seed2",
                            "cpo-tnr-0-seed1", "cpo-tnr-0-seed2");
        }
        assertThat(Files.isRegularFile(dir.resolve("mle-lr" + lrIndex).resolve("metrics.jsonl"))).isTrue();

        String ensemble = r.ensemble();
        assertThat(r.test().keySet()).containsExactly("base", "mle", "cpo-tn", "cpo-tnr", ensemble);
        for (String method : r.test().keySet()) {
            assertThat(r.test().get(method).keySet()).containsExactly(1L, 2L);
            for (long seed : List.of(1L, 2L)) {
                assertThat(r.test().get(method).get(seed).get(Decoding.GREEDY)).hasSize(6);
                assertThat(r.coverage().get(method).get(seed)).containsOnlyKeys(Decoding.temperature(1.0));
            }
        }
        // the same prompts for every method and seed, so that they pair
        assertThat(r.test().get("cpo-tn").get(2L).get(Decoding.GREEDY).get(3).sample().prompt())
                .isEqualTo(r.test().get("mle").get(1L).get(Decoding.GREEDY).get(3).sample().prompt());
        assertThat(r.diagnostics().get("cpo-tn").get(2L).steps()).isEqualTo(2);
        assertThat(r.diagnostics().get("cpo-tn").get(2L).get("rewards/margins")).isFinite();

        OracleReport report = new OracleReport(r, s, 1);
        assertThat(report.verdict()).contains("`" + r.bestCpo() + "`").contains("6 test prompts × 2 training seeds");
        assertThat(report.body()).contains("| " + ensemble + " |").contains("coverage NLL");

        // an arm may only take β from a contrastive arm listed before it
        assertThatThrownBy(() -> OracleProtocol.run(study, s, List.of(ArmChoice.parse("mle=mle"), ArmChoice.parse("cpo-tnr=cpo-ranked:truncation:2:@cpo-tn"),
                ArmChoice.parse("cpo-tn=cpo:truncation:2:0.1|1")), log)).hasMessageContaining("'cpo-tnr' takes β from 'cpo-tn', which must be a contrastive arm listed before it");

        // a second study in the same folder reuses the pretrained base
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        OracleProtocol.study(TOY, s, dir, new PrintStream(second), name -> TrainingRun.Listener.NONE).pretrainedBase();
        assertThat(second.toString()).contains("pretrain: reusing");
    }
}
