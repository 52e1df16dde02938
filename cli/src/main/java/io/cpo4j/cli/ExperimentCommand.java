package io.cpo4j.cli;

import io.cpo4j.cli.experiment.DemoConfig;
import io.cpo4j.cli.experiment.Recipes;
import io.cpo4j.cli.experiment.OracleExperiment;
import io.cpo4j.cli.experiment.ResultsReport;
import io.cpo4j.cli.experiment.TextCorpus;
import io.cpo4j.cli.experiment.TextExperiment;
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
                usage: ./cpo4j experiment [--corpus oracle|shakespeare|dolly|all] [--results FILE.md] [--out DIR]
                                          [--arms LIST] [--ensemble LIST] [--seed N] [--pretrain-steps N]
                                          [--finetune-steps N] [--finetune-lr LR] [--prompts N] [--threads N] [--quick]
                                          [--shakespeare FILE] [--dolly FILE]

                Pretrains one tiny GPT on the oracle language (as ./cpo4j demo does), continues it with every
                arm for the same number of steps on the same examples, evaluates the base model, every arm and
                the weight-space ensembles ½·MLE + ½·arm by the oracle at T = 0.7, 0.85, 1.0, 1.15 and greedy,
                and writes DIR/eval.md, DIR/eval.json and DIR/summary.md.

                  --arms LIST      space-separated name=objective[:negatives[:k[:beta[:nll]]]], negatives joined by '+'
                                   (default: mle=mle cpo-ar=cpo:autoregressive:4:0.1 cpo-ar-nll=cpo:autoregressive:4:0.1:1
                                   cpo-ar-b1=cpo:autoregressive:4:1 cpo-batch=cpo:batch:4:0.1
                                   cpo-meanfield=cpo:meanfield:4:0.1 cpo-trunc=cpo:truncation:4:0.1
                                   cpo-ranked-ar=cpo-ranked:autoregressive:4:0.1 dpo-ar=dpo:autoregressive:2:0.1 pss=pss)
                  --ensemble LIST  comma-separated arms to average with mle (default: cpo-ar,cpo-ar-nll)
                  --out DIR        run folder (default runs/experiment)
                  --corpus C       oracle (default), shakespeare, dolly, or all three
                  --results FILE   also write the comparison as Markdown (docs/RESULTS.md is made this way)
                  --shakespeare, --dolly   data files (default ../shared/data/...; a missing file skips its corpus)
                  other options as ./cpo4j demo

                On tiny Shakespeare and Dolly no oracle knows the true probability: models are compared by
                held-out continuation perplexity (bootstrap 95% interval) and by the repetition, diversity
                and length of their continuations of held-out prefixes at T = 1.0 and greedy.
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("out", "arms", "ensemble", "seed", "pretrain-steps", "finetune-steps", "finetune-lr",
                "prompts", "threads", "corpus", "results", "shakespeare", "dolly"), List.of("quick"));
        if (o.value("threads").isPresent()) Engine.setThreads(o.threads());
        DemoConfig cfg = StudyOptions.config(o);
        List<OracleExperiment.Arm> arms = new ArrayList<>();
        try {
            if (o.value("arms").isPresent()) for (String a : o.require("arms").trim().split("\\s+")) arms.add(OracleExperiment.Arm.parse(a));
            else arms.addAll(OracleExperiment.defaultArms());
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException(name() + ": " + e.getMessage());
        }
        String corpus = o.string("corpus", "oracle");
        if (!List.of("oracle", "shakespeare", "dolly", "all").contains(corpus)) {
            throw new Options.UsageException(name() + ": --corpus must be oracle, shakespeare, dolly or all, got '" + corpus + "'");
        }
        List<String> ensemble = Arrays.asList(o.string("ensemble", "cpo-ar,cpo-ar-nll").split(","));
        Path dir = Path.of(o.string("out", "runs/experiment"));
        out.println("cpo4j experiment → " + dir.toAbsolutePath());
        long t0 = System.nanoTime();
        StringBuilder md = new StringBuilder();
        md.append(header(cfg, arms, ensemble, o, corpus));
        if (corpus.equals("oracle") || corpus.equals("all")) {
            OracleExperiment.Outcome r = OracleExperiment.run(cfg, arms, ensemble, dir.resolve("oracle"), out, label -> Progress.forConsole(out, label));
            md.append("\n## The oracle language\n\n");
            md.append("Held-out continuation NLL per token (the truth's, given the prompt):\n\n| model | NLL |\n|---|---|\n");
            for (Map.Entry<String, Double> e : r.heldOutNll().entrySet()) md.append(String.format(Locale.ROOT, "| %s | %.4f |%n", e.getKey(), e.getValue()));
            md.append("\nEvaluation by the oracle (95% intervals; ").append(cfg.prompts()).append(" held-out prompts per decoding):\n\n").append(r.table().markdown());
            md.append("\nEach arm against MLE at the same decoding (better / worse: the intervals do not overlap; ≈: they do):\n\n")
                    .append(ResultsReport.oracleVerdicts(r.table()));
        }
        for (String name : List.of("shakespeare", "dolly")) {
            if (!corpus.equals(name) && !corpus.equals("all")) continue;
            Path file = Path.of(o.string(name, name.equals("shakespeare") ? "../shared/data/tinyshakespeare/input.txt" : "../shared/data/dolly-15k/databricks-dolly-15k.jsonl"));
            if (!java.nio.file.Files.isRegularFile(file)) {
                out.println("experiment: " + file + " not found; skipping " + name);
                md.append("\n## ").append(name).append("\n\nSkipped: ").append(file).append(" not found.\n");
                continue;
            }
            TextCorpus c = name.equals("shakespeare") ? TextCorpus.shakespeare(file, 512, cfg.seed()) : TextCorpus.dolly(file, 2048, 128, cfg.seed());
            List<TextExperiment.Row> rows = TextExperiment.run(c, cfg, arms, ensemble, dir.resolve(name), out, label -> Progress.forConsole(out, label));
            md.append("\n## ").append(c.name()).append("\n\n").append(TextExperiment.markdown(c.name(), rows)).append('\n')
                    .append(ResultsReport.textVerdicts(rows));
        }
        md.append(String.format(Locale.ROOT, "%nTotal time %.0f min on %d threads.%n", (System.nanoTime() - t0) / 6e10, Engine.threads()));
        AtomicFiles.writeString(dir.resolve("summary.md"), md.toString());
        if (o.value("results").isPresent()) AtomicFiles.writeString(Path.of(o.require("results")), md.toString());
        out.println();
        out.print(md);
        return 0;
    }

    private static String header(DemoConfig cfg, List<OracleExperiment.Arm> arms, List<String> ensemble, Options o, String corpus) {
        StringBuilder sb = new StringBuilder("# Results: sequence-level CPO against MLE, DPO and scheduled sampling\n\n");
        sb.append("Regenerate with `./cpo4j experiment ").append(String.join(" ", o.commandLine())).append("`.\n\n");
        sb.append(String.format(Locale.ROOT, "Machine: %s, %s, %d threads. Seed %d. Model: tiny GPT (4 layers, 4 heads, width 128, context 128). "
                        + "Pretraining: %d next-token steps of %d × %d tokens at lr %s. Every arm then continues the same pretrained model for %d steps "
                        + "of %d examples at peak lr %s (warmup, cosine to a tenth), AdamW as everywhere.%n%n",
                System.getProperty("os.arch"), Runtime.version(), Engine.threads(), cfg.seed(), cfg.pretrainSteps(), cfg.batch(), cfg.block(),
                cfg.pretrainLr(), cfg.finetuneSteps(), cfg.finetuneBatch(), cfg.finetuneLr()));
        sb.append("Arms (loss_type:negatives:K:β:cpo_alpha):\n\n");
        for (OracleExperiment.Arm a : arms) {
            var s = a.spec();
            sb.append("- `").append(a.name()).append("`: ").append(s.lossType());
            if (s.isContrastive()) sb.append(String.format(Locale.ROOT, ", negatives %s, K = %d, β = %s, cpo_alpha %s", Recipes.negativeNames(s),
                    s.candidates(), s.beta(), s.cpoAlpha()));
            sb.append('\n');
        }
        if (!ensemble.isEmpty()) sb.append("- `soup(mle,X)`: the weight-space ensemble ½·θ_mle + ½·θ_X\n");
        return sb.toString();
    }
}
