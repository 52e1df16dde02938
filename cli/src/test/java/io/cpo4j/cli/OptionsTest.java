package io.cpo4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {

    @TempDir
    Path dir;

    static final List<String> VALUED = List.of("steps", "lr", "stop", "out");
    static final List<String> FLAGS = List.of("resume");

    @Test
    void repeatedOptionsKeepEveryValueAndTheLastWins() {
        Options o = Options.parse("generate", List.of("--stop", "a", "--stop=b,c", "--steps", "3", "--steps", "4"), VALUED, FLAGS);
        assertThat(o.all("stop")).containsExactly("a", "b,c");
        assertThat(o.all("lr")).isEmpty();
        assertThat(o.integer("steps", 0)).isEqualTo(4);
        assertThat(o.asMap()).containsEntry("stop", List.of("a", "b,c"));
        assertThat(GenerateCommand.stopStrings(o)).containsExactly("a", "b", "c");
    }

    @Test
    void stopStringsUnescapeNewlinesCommasAndBackslashes() {
        Options o = Options.parse("generate", List.of("--stop", "\\n\\n,###", "--stop", "a\\,b", "--stop", "c\\\\d\\x"), VALUED, FLAGS);
        assertThat(GenerateCommand.stopStrings(o)).containsExactly("\n\n", "###", "a,b", "c\\d\\x");
    }

    @Test
    void savedDefaultsFillOnlyWhatTheCommandLineLeftOut() throws Exception {
        Options o = Options.parse("train", List.of("--steps", "20", "--resume"), VALUED, FLAGS);
        Map<String, Object> saved = new LinkedHashMap<>();
        saved.put("steps", "10");
        saved.put("lr", "3e-3");
        saved.put("out", "run");
        o.addDefaults(saved, "run/config.json", VALUED, FLAGS);
        assertThat(o.integer("steps", 0)).isEqualTo(20);
        assertThat(o.number("lr", 0)).isEqualTo(3e-3);
        assertThat(o.require("out")).isEqualTo("run");
        saved.put("warp", "9");
        assertThatThrownBy(() -> o.addDefaults(saved, "run/config.json", VALUED, FLAGS))
                .hasMessage("train: run/config.json: unknown option \"warp\" (see ./cpo4j train --help)");

        Path config = dir.resolve("c.json");
        Files.writeString(config, "{\"stop\": [\"x\", \"y\"], \"steps\": 5, \"resume\": true}");
        Options fromFile = Options.parse("generate", List.of("--config", config.toString(), "--steps", "6"), VALUED, FLAGS);
        assertThat(fromFile.integer("steps", 0)).isEqualTo(6);
        assertThat(fromFile.flag("resume")).isTrue();
        assertThat(GenerateCommand.stopStrings(fromFile)).containsExactly("x", "y");
    }

    @Test
    void rangesAreCheckedWithTheOptionsName() {
        Options o = Options.parse("train", List.of("--steps", "-1", "--lr", "2"), VALUED, FLAGS);
        assertThatThrownBy(() -> o.integer("steps", 0, 0)).hasMessage("train: --steps must be at least 0, got -1");
        assertThatThrownBy(() -> o.number("lr", 0, 0, 1)).hasMessage("train: --lr must be in [0.0, 1.0], got 2.0");
        assertThat(o.longValue("seed", 1337)).isEqualTo(1337);
    }

    @Test
    void oldOptionNamesMapToTrlsWithAWarning() {
        List<String> valued = List.of("loss-type", "cpo-alpha");
        Options o = Options.parse("finetune", List.of("--objective", "dpo", "--xu-alpha=0.5"), valued, FLAGS);
        assertThat(o.string("loss-type", "cpo")).isEqualTo("dpo");
        assertThat(o.number("cpo-alpha", 0)).isEqualTo(0.5);
        assertThat(o.warnings()).containsExactly(
                "finetune: warning: --objective is deprecated and will be removed in the next release; use --loss-type (TRL's name)",
                "finetune: warning: --xu-alpha is deprecated and will be removed in the next release; use --cpo-alpha (TRL's name)");
        Options saved = Options.parse("finetune", List.of(), valued, FLAGS);
        saved.addDefaults(Map.of("nll_weight", 1.0), "run/config.json", valued, FLAGS);
        assertThat(saved.number("cpo-alpha", 0)).as("a resumed run's saved options keep working").isEqualTo(1.0);
        assertThat(saved.warnings()).singleElement().asString().contains("run/config.json: \"nll_weight\" is deprecated");
        assertThatThrownBy(() -> Options.parse("train", List.of("--objective", "mle"), VALUED, FLAGS))
                .as("only where the new name exists").hasMessageContaining("unknown option --objective");
    }
}
