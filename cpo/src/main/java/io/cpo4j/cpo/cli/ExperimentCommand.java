package io.cpo4j.cpo.cli;

import io.cpo4j.cpo.experiment.DemoConfig;
import io.cpo4j.cpo.experiment.OracleExperiment;
import io.cpo4j.engine.Engine;
import io.cpo4j.engine.io.AtomicFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code ./cpo4j experiment}: many fine-tuning recipes from one pretrained model, compared by the oracle. */
final class ExperimentCommand implements Command {

    @Override
    public String name() {
        return "experiment";
    }

    @Override
    public String summary() {
        return "compare fine-tuning recipes (MLE, CPO with each negative, ranked, DPO, PSS, ensembles) on the oracle language";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j experiment [--out DIR] [--arms LIST] [--ensemble LIST] [--seed N]
                                          [--pretrain-steps N] [--finetune-steps N] [--finetune-lr LR] [--prompts N]
                                          [--threads N] [--quick]

                Pretrains one tiny GPT on the oracle language (as ./cpo4j demo does), continues it with every
                arm for the same number of steps on the same examples, evaluates the base model, every arm and
                the weight-space ensembles ½·MLE + ½·arm by the oracle at T = 0.7, 0.85, 1.0, 1.15 and greedy,
                and writes DIR/eval.md, DIR/eval.json and DIR/summary.md.

                  --arms LIST      space-separated name=objective[:negatives[:k[:beta[:nll]]]], negatives joined by '+'
                                   (default: mle=mle cpo-ar=cpo:autoregressive:4:0.1 cpo-batch=cpo:batch:4:0.1
                                   cpo-meanfield=cpo:meanfield:4:0.1 cpo-trunc=cpo:truncation:4:0.1
                                   cpo-ranked-ar=cpo-ranked:autoregressive:4:0.1 dpo-ar=dpo:autoregressive:2:0.1 pss=pss)
                  --ensemble LIST  comma-separated arms to average with mle (default: cpo-ar)
                  --out DIR        run folder (default runs/experiment-oracle)
                  other options as ./cpo4j demo
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("out", "arms", "ensemble", "seed", "pretrain-steps", "finetune-steps", "finetune-lr",
                "prompts", "threads"), List.of("quick"));
        o.intValue("threads").ifPresent(Engine::setThreads);
        DemoConfig cfg = o.flag("quick") ? DemoConfig.quick() : DemoConfig.defaults();
        cfg = cfg.withSeed(o.integer("seed", (int) cfg.seed()))
                .withSteps(o.integer("pretrain-steps", cfg.pretrainSteps()), o.integer("finetune-steps", cfg.finetuneSteps()))
                .withFinetuneLr((float) o.number("finetune-lr", cfg.finetuneLr()));
        if (o.value("prompts").isPresent()) cfg = cfg.withPrompts(o.integer("prompts", cfg.prompts()));
        List<OracleExperiment.Arm> arms = new ArrayList<>();
        try {
            if (o.value("arms").isPresent()) for (String a : o.require("arms").trim().split("\\s+")) arms.add(OracleExperiment.Arm.parse(a));
            else arms.addAll(OracleExperiment.defaultArms());
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException(name() + ": " + e.getMessage());
        }
        List<String> ensemble = Arrays.asList(o.string("ensemble", "cpo-ar").split(","));
        Path dir = Path.of(o.string("out", "runs/experiment-oracle"));
        out.println("cpo4j experiment → " + dir.toAbsolutePath());
        long t0 = System.nanoTime();
        OracleExperiment.Outcome r = OracleExperiment.run(cfg, arms, ensemble, dir, out, label -> Progress.forConsole(out, label));
        StringBuilder summary = new StringBuilder();
        summary.append(String.format(Locale.ROOT, "Oracle experiment: seed %d, pretrain %d steps, fine-tune %d steps at lr %s, %d prompts, %d threads, %.0f s.%n%n",
                cfg.seed(), cfg.pretrainSteps(), cfg.finetuneSteps(), cfg.finetuneLr(), cfg.prompts(), Engine.threads(), (System.nanoTime() - t0) / 1e9));
        summary.append("| model | held-out continuation NLL |\n|---|---|\n");
        for (Map.Entry<String, Double> e : r.heldOutNll().entrySet()) summary.append(String.format(Locale.ROOT, "| %s | %.4f |%n", e.getKey(), e.getValue()));
        summary.append('\n').append(r.table().markdown());
        AtomicFiles.writeString(dir.resolve("summary.md"), summary.toString());
        out.println();
        out.print(summary);
        return 0;
    }
}
