package io.cpo4j.cli;

import io.cpo4j.cli.experiment.Demo;
import io.cpo4j.cli.experiment.DemoConfig;
import io.cpo4j.cli.experiment.Recipes;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.engine.Engine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code ./cpo4j demo}: the built-in demonstration on the oracle language. */
final class DemoCommand implements Command {

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "oracle corpus -> tiny GPT -> continued with CPO and with next-token training -> evaluated; prints the table, writes report.html";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j demo [--out DIR] [--seed N] [--pretrain-steps N] [--finetune-steps N] [--prompts N]
                                    [--loss-type cpo|cpo-ranked|...] [--negatives LIST] [--k K] [--beta B] [--cpo-alpha A] [--finetune-lr LR]
                                    [--threads N] [--quick] [--overwrite]

                The built-in demonstration, on data it makes itself (no download):
                  1. samples documents of the oracle language (a synthetic English whose exact
                     probability is known) and trains a 512-token BPE vocabulary on them;
                  2. trains a tiny GPT (4 layers, width 128) with next-token prediction;
                  3. continues it for the same number of steps two ways on the same (prefix,
                     continuation) examples: sequence-level CPO with autoregressive negatives, and
                     plain next-token training (MLE);
                  4. evaluates the pretrained model, MLE and CPO with the oracle at temperatures
                     0.7, 0.85, 1.0, 1.15 and greedy: oracle NLL of samples (quality), the model's
                     NLL on fresh documents (coverage), validity, repetition, length, and win rate
                     against the true continuation with 95% intervals;
                  5. prints the table and writes DIR/report.html (curves, table, samples side by side).
                It reports what it measures, whichever way the comparison goes. A few minutes on 2 cores.

                  --out DIR            run folder (default runs/demo-<date>-<time>); a new or empty folder
                  --overwrite          reuse a non-empty --out: a previous demo's files there are deleted first,
                                       other files stay; never / or the home folder
                  --seed N             one seed for everything (default 1)
                  --pretrain-steps N   next-token steps from scratch (default 600)
                  --finetune-steps N   steps of each continuation (default 100)
                  --prompts N          held-out prompts per decoding (default 300)
                  --loss-type, --negatives, --k, --beta   the contrastive recipe (default cpo-ranked, autoregressive, 4,
                                       1.0: the one the validation prompts of ./cpo4j experiment chose, docs/RESULTS.md)
                  --cpo-alpha A        weight of the truth's NLL added to it (TRL's cpo_alpha; default 0 here)
                  --finetune-lr LR     peak learning rate of the continuations (default 1e-3, the experiment's choice)
                  --threads N          engine threads (default: available processors)
                  --quick              a seconds-long run, for smoke tests
                """;
    }

    /** What the demo writes into its folder; --overwrite deletes these first (its metrics.jsonl files would otherwise grow). */
    private static final List<String> DEMO_FILES = List.of("config.json", "eval.json", "eval.md", "report.html", "tokenizer", "pretrain", "cpo", "mle");

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("out", "seed", "pretrain-steps", "finetune-steps", "prompts", "loss-type", "negatives",
                "k", "beta", "cpo-alpha", "finetune-lr", "threads"), List.of("quick", "overwrite"));
        o.warnings().forEach(err::println);
        if (o.value("threads").isPresent()) Engine.setThreads(o.threads());
        DemoConfig cfg = StudyOptions.config(o);
        CpoConfig spec;
        try {
            CpoConfig.Builder b = cfg.cpo().toBuilder().lossType(LossType.of(o.string("loss-type", cfg.cpo().lossType().id())));
            if (o.value("negatives").isPresent()) b.negatives(Recipes.negatives(Arrays.asList(o.require("negatives").split(","))));
            b.candidates(o.integer("k", cfg.cpo().candidates())).beta(o.number("beta", cfg.cpo().beta()));
            if (o.value("cpo-alpha").isPresent()) b.cpoAlpha(o.number("cpo-alpha", 0, 0, Double.MAX_VALUE));
            spec = b.build();
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException(name() + ": " + e.getMessage());
        }
        if (!spec.isContrastive()) throw new Options.UsageException(name() + ": the demo compares a contrastive loss with MLE; " + spec.lossType() + " is not contrastive");
        cfg = cfg.toBuilder().cpo(spec).build();
        Path dir = Path.of(o.string("out", "runs/demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT))));
        Demo.Result r;
        try (OutFolder.Taken taken = OutFolder.take(dir, name(), o.flag("overwrite"), "the demo", DEMO_FILES, o, err)) {
            out.println("cpo4j demo → " + dir.toAbsolutePath());
            r = new Demo(cfg, dir, out, label -> Progress.forConsole(out, label)).run();
        }
        out.println();
        out.println(r.table().markdown());
        out.printf(Locale.ROOT, "The oracle's entropy rate is %.3f nats per token (the floor for coverage NLL).%n", r.entropyRate());
        out.println("Report: " + r.report().toAbsolutePath());
        return 0;
    }
}
