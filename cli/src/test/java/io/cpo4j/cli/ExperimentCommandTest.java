package io.cpo4j.cli;

import io.cpo4j.cli.experiment.ArmChoice;
import io.cpo4j.cpo.train.LossType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ExperimentCommandTest {

    @Test
    void theDefaultArmsChooseBetaOnThePlainCpoArmsAndTheOthersFollowThem() {
        Map<String, ArmChoice> arms = new LinkedHashMap<>();
        for (String a : ExperimentCommand.DEFAULT_ARMS.split("\\s+")) {
            ArmChoice arm = ArmChoice.parse(a);
            arms.put(arm.name(), arm);
        }
        assertThat(arms.keySet()).containsExactly("mle", "cpo-an", "cpo-bn", "cpo-mn", "cpo-tn", "cpo-anr", "cpo-bnr", "cpo-mnr", "cpo-tnr", "dpo", "pss", "mle+cpo");
        List<String> choosing = new ArrayList<>();
        arms.values().forEach(a -> {
            if (a.needsChoice()) choosing.add(a.name());
        });
        assertThat(choosing).containsExactly("cpo-an", "cpo-bn", "cpo-mn", "cpo-tn");
        assertThat(arms.get("cpo-bnr").betaFrom()).isEqualTo("cpo-bn");
        assertThat(arms.get("cpo-bnr").alternatives().get(0).lossType()).isEqualTo(LossType.CPO_RANKED);
        assertThat(arms.get("dpo").betaFrom()).isEqualTo("cpo-an");
        assertThat(arms.get("dpo").alternatives().get(0).candidates()).isEqualTo(2);
        assertThat(arms.get("mle+cpo").betaFrom()).isEqualTo("cpo-an");
        assertThat(arms.get("mle+cpo").alternatives().get(0).cpoAlpha()).isEqualTo(1.0);
        assertThat(arms.get("pss").betaFrom()).isNull();
    }

    @Test
    void textArmsAreCheckedBeforeAnyTraining(@TempDir Path dir) throws Exception {
        String[] unknown = run("--quick", "--out", dir.toString(), "--text-arms", "mle,cpo-zz");
        assertThat(unknown[0]).isEqualTo("2");
        assertThat(unknown[1]).contains("--text-arms names 'cpo-zz', which is not one of --arms [mle, cpo-an");
        String[] noMle = run("--quick", "--out", dir.toString(), "--text-arms", "cpo-an");
        assertThat(noMle[1]).contains("--text-arms must include mle");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anArmTakingBetaFromALaterOrUnknownArmIsRefusedForEveryCorpus(@TempDir Path dir) throws Exception {
        String[] later = run("--corpus", "dolly", "--out", dir.toString(), "--arms", "mle=mle cpo-tnr=cpo-ranked:truncation:4:@cpo-tn cpo-tn=cpo:truncation:4:1");
        assertThat(later[0]).isEqualTo("2");
        assertThat(later[1]).contains("arm 'cpo-tnr' takes β from 'cpo-tn', which must be a contrastive arm listed before it");
        String[] unknown = run("--corpus", "oracle", "--out", dir.toString(), "--arms", "mle=mle dpo=dpo:autoregressive:2:@cpo-an");
        assertThat(unknown[1]).contains("arm 'dpo' takes β from 'cpo-an'");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(new ExperimentCommand(), List.of(args), new PrintStream(err, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8)};
    }
}
