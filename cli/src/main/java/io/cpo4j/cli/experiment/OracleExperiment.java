package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.EvalRow;
import io.cpo4j.cli.eval.EvalTable;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.WeightEnsemble;
import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Many fine-tuning recipes from one pretrained model on the oracle language, each run for the same
 * number of steps on the same examples, plus weight-space ensembles of MLE with a contrastive arm,
 * all evaluated by the oracle across the temperature sweep.
 */
public final class OracleExperiment {

    /** One fine-tuning arm: a name for tables and a recipe. */
    public record Arm(String name, CpoConfig spec) {
        /** {@code name=loss_type[:negatives[:k[:beta[:cpo_alpha]]]]}, over the default recipe. */
        public static Arm parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("arm '" + text + "' must look like name=loss_type[:negatives[:k[:beta[:cpo_alpha]]]]");
            return new Arm(text.substring(0, eq), Recipes.parse(text.substring(eq + 1), CpoConfig.builder().build()));
        }
    }

    /** The comparison docs/RESULTS.md reports. */
    public static List<Arm> defaultArms() {
        return List.of(
                Arm.parse("mle=mle"),
                Arm.parse("cpo-ar=cpo:autoregressive:4:0.1"),
                Arm.parse("cpo-ar-nll=cpo:autoregressive:4:0.1:1"),
                Arm.parse("cpo-ar-b1=cpo:autoregressive:4:1"),
                Arm.parse("cpo-batch=cpo:batch:4:0.1"),
                Arm.parse("cpo-meanfield=cpo:meanfield:4:0.1"),
                Arm.parse("cpo-trunc=cpo:truncation:4:0.1"),
                Arm.parse("cpo-ranked-ar=cpo-ranked:autoregressive:4:0.1"),
                Arm.parse("dpo-ar=dpo:autoregressive:2:0.1"),
                Arm.parse("pss=pss"));
    }

    /** The table, and the held-out continuation NLL per arm. */
    public record Outcome(EvalTable table, Map<String, Double> heldOutNll) {}

    private OracleExperiment() {}

    /**
     * Pretrains once, fine-tunes every arm, and evaluates the base, every arm, and for each
     * contrastive arm named in {@code ensembleWith} the ensemble ½·MLE + ½·arm (requires an arm named mle).
     */
    public static Outcome run(DemoConfig cfg, List<Arm> arms, List<String> ensembleWith, Path runDir, PrintStream log,
                              Function<String, TrainingRun.Listener> progress) throws IOException {
        OracleStudy study = new OracleStudy(cfg, runDir, log, progress);
        LanguageModel base = study.pretrain();
        Map<String, LanguageModel> models = new LinkedHashMap<>();
        models.put("base", base);
        for (Arm arm : arms) models.put(arm.name(), study.finetune(arm.name(), arm.spec(), base));
        for (String other : ensembleWith) {
            if (!models.containsKey("mle") || !models.containsKey(other)) continue;
            LanguageModel soup = WeightEnsemble.interpolate(models.get("mle"), models.get(other), 0.5f);
            study.save(soup, runDir.resolve("ensemble-" + other).resolve("model"));
            models.put("soup(mle," + other + ")", soup);
        }
        EvalTable table = new EvalTable();
        Map<String, Double> nll = new LinkedHashMap<>();
        for (Map.Entry<String, LanguageModel> e : models.entrySet()) {
            log.printf(Locale.ROOT, "evaluating %s …%n", e.getKey());
            study.evaluate(e.getKey(), e.getValue(), table);
            nll.put(e.getKey(), study.heldOutNll(e.getValue()));
        }
        table.writeJson(runDir.resolve("eval.json"));
        AtomicFiles.writeString(runDir.resolve("eval.md"), table.markdown());
        return new Outcome(table, nll);
    }

    /** Rows of one decoding only, for a compact summary. */
    public static List<EvalRow> at(EvalTable table, String decoding) {
        List<EvalRow> out = new ArrayList<>();
        for (EvalRow r : table.rows()) if (r.decoding().name().equals(decoding)) out.add(r);
        return out;
    }
}
