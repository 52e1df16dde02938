package io.cpo4j.cli;

import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.experiment.ArmChoice;
import io.cpo4j.cli.experiment.DemoConfig;
import io.cpo4j.cli.experiment.OracleProtocol;
import io.cpo4j.cli.experiment.OracleReport;
import io.cpo4j.cli.experiment.OracleStudy;
import io.cpo4j.cli.experiment.Recipes;
import io.cpo4j.cli.experiment.TextCorpus;
import io.cpo4j.cli.experiment.TextExperiment;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.engine.Engine;
import io.cpo4j.engine.io.AtomicFiles;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
                usage: ./cpo4j experiment [--corpus oracle|dolly|wikitext|shakespeare|all] [--results FILE.md] [--out DIR]
                                          [--arms LIST] [--seeds LIST] [--test-prompts N] [--val-prompts N]
                                          [--lr-grid LIST] [--alpha-grid LIST] [--decodings LIST] [--seed N]
                                          [--pretrain-steps N] [--finetune-steps N] [--threads N] [--quick]
                                          [--text-seeds N] [--text-arms LIST] [--dolly FILE] [--wikitext DIR] [--shakespeare FILE]

                On the oracle language (the primary evidence; docs/ORACLE.md): pretrains one tiny GPT (saved in
                DIR/oracle/pretrain and reused while its settings are unchanged), chooses one learning rate for
                every arm on MLE's validation loss, chooses each arm's recipe among its alternatives and the
                ensemble (1−α)·MLE + α·(best CPO arm) on the validation prompts, then fine-tunes every chosen
                configuration with every training seed and evaluates it once on the test prompts. Every arm is
                compared with MLE prompt by prompt (same prompts, same sampling seeds): paired differences with
                95% cluster-bootstrap intervals over seeds and prompts, and the oracle judge head to head.
                Contrastive arms score their K candidates after one shared pass over each prompt (--share-prefixes
                of ./cpo4j finetune). Writes DIR/summary.md (and FILE.md with --results).

                  --arms LIST        space-separated name=loss_type[:negatives[:k[:beta[:cpo_alpha]]]]; any field may list
                                     alternatives joined by '|' for the validation prompts to choose from, and β may be
                                     @arm: the β chosen for that earlier arm (default: the paper's arms — mle, cpo with AN,
                                     BN, MN, TN negatives, each with β 0.1|1, their ranked variants with the plain arm's β,
                                     dpo and mle+cpo (cpo_alpha 1) with AN's β, pss)
                  --text-arms LIST   comma-separated arms the real corpora run (default: every arm but the ranked variants,
                                     and the ensemble's CPO partner)
                  --seeds LIST       training seeds, comma-separated (default 1,2,3)
                  --test-prompts N   test prompts (default 2000); --val-prompts N validation prompts (default 300)
                  --lr-grid LIST     peak learning rates MLE chooses from (default 2e-4,5e-4,1e-3,2e-3)
                  --alpha-grid LIST  ensemble weights of the CPO arm (default 0.25,0.5,0.75)
                  --decodings LIST   greedy and/or temperatures (default greedy,1.0)
                  --out DIR          run folder (default runs/experiment)
                  --corpus C         oracle (default), dolly, wikitext, shakespeare, or all (oracle, dolly, wikitext)
                  --text-seeds N     training seeds of the real corpora, the first N of --seeds (default 1)
                  --results FILE     also write the comparison as Markdown (docs/RESULTS.md is made this way)
                  --dolly FILE, --wikitext DIR (wiki.valid.raw, wiki.test.raw), --shakespeare FILE   data (default
                                     ../shared/data/...; a missing file skips its corpus)
                  --pretrain-steps N the base's next-token steps (default 3000 on the oracle, 600 on the real corpora)
                  --seed, --finetune-steps, --threads, --quick   as ./cpo4j demo

                On Dolly-15k, WikiText-2 (trained on its valid split, tested on its test split) and tiny Shakespeare
                no oracle knows the true probability: the recipes, lr and ensemble the oracle's validation prompts
                chose are compared with MLE by the truth's held-out NLL (paired over examples) and by the ending,
                repetition and length of their continuations of held-out prefixes (paired over prompts).
                """;
    }

    /**
     * The paper's arms (Tables 1–3): MLE, CPO with each negative and its ranked variant, DPO, PSS, and MLE + CPO.
     * β is chosen on validation for the four plain CPO arms; the ranked variant of each takes its plain arm's β,
     * and DPO and MLE + CPO (autoregressive negatives too) take AN's.
     */
    static final String DEFAULT_ARMS = "mle=mle cpo-an=cpo:autoregressive:4:0.1|1 cpo-bn=cpo:batch:4:0.1|1 cpo-mn=cpo:meanfield:4:0.1|1 "
            + "cpo-tn=cpo:truncation:4:0.1|1 cpo-anr=cpo-ranked:autoregressive:4:@cpo-an cpo-bnr=cpo-ranked:batch:4:@cpo-bn "
            + "cpo-mnr=cpo-ranked:meanfield:4:@cpo-mn cpo-tnr=cpo-ranked:truncation:4:@cpo-tn dpo=dpo:autoregressive:2:@cpo-an pss=pss "
            + "mle+cpo=cpo:autoregressive:4:@cpo-an:1";

    /** The oracle base's pretraining: five times the demo's 600 steps, where the validation loss has about levelled off. */
    static final int ORACLE_PRETRAIN_STEPS = 3000;

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("out", "arms", "seed", "pretrain-steps", "finetune-steps", "seeds", "test-prompts",
                "val-prompts", "lr-grid", "alpha-grid", "decodings", "text-seeds", "text-arms", "threads", "corpus", "results", "shakespeare", "dolly", "wikitext"),
                List.of("quick"));
        if (o.value("threads").isPresent()) Engine.setThreads(o.threads());
        DemoConfig cfg = StudyOptions.config(o);
        boolean quick = o.flag("quick");
        List<ArmChoice> arms = new ArrayList<>();
        OracleProtocol.Settings settings;
        try {
            for (String a : o.string("arms", DEFAULT_ARMS).trim().split("\\s+")) arms.add(ArmChoice.parse(a).sharingPrefixes());
            ArmChoice.checkBetaSources(arms);
            settings = new OracleProtocol.Settings(longs(o, "seeds", quick ? "1,2" : "1,2,3"),
                    o.integer("test-prompts", quick ? 24 : 2000, 1, StudyOptions.MAX_PROMPTS), o.integer("val-prompts", quick ? 12 : 300, 1, StudyOptions.MAX_PROMPTS),
                    floats(o, "lr-grid", quick ? cfg.finetuneLr() + "," + 2 * cfg.finetuneLr() : "2e-4,5e-4,1e-3,2e-3"),
                    floats(o, "alpha-grid", quick ? "0.5" : "0.25,0.5,0.75"), decodings(o.string("decodings", "greedy,1.0")));
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException(name() + ": " + e.getMessage());
        }
        if (arms.stream().noneMatch(a -> a.name().equals("mle"))) throw new Options.UsageException(name() + ": --arms must include one named mle");
        List<String> textArms = o.value("text-arms").isPresent() ? List.of(o.require("text-arms").trim().split("\\s*,\\s*")) : null;
        if (textArms != null) {
            List<String> names = arms.stream().map(ArmChoice::name).toList();
            for (String t : textArms) {
                if (!names.contains(t)) throw new Options.UsageException(name() + ": --text-arms names '" + t + "', which is not one of --arms " + names);
            }
            if (!textArms.contains("mle")) throw new Options.UsageException(name() + ": --text-arms must include mle, which every arm is compared with");
        }
        String corpus = o.string("corpus", "oracle");
        if (!List.of("oracle", "dolly", "wikitext", "shakespeare", "all").contains(corpus)) {
            throw new Options.UsageException(name() + ": --corpus must be oracle, dolly, wikitext, shakespeare or all, got '" + corpus + "'");
        }
        Path dir = Path.of(o.string("out", "runs/experiment"));
        out.println("cpo4j experiment → " + dir.toAbsolutePath());
        long t0 = System.nanoTime();
        String verdict = "";
        StringBuilder md = new StringBuilder();
        Map<String, CpoConfig> recipes = new LinkedHashMap<>();
        for (ArmChoice a : arms) {
            CpoConfig first = a.alternatives().get(0);
            recipes.put(a.name(), a.betaFrom() == null ? first : first.toBuilder().beta(recipes.get(a.betaFrom()).beta()).build());
        }
        List<Long> textSeeds = settings.seeds().subList(0, Math.min(settings.seeds().size(), o.integer("text-seeds", 1, 1)));
        TextExperiment.Plan plan = new TextExperiment.Plan(textArms(textArms, recipes, null), cfg.finetuneLr(), textSeeds, null, Float.NaN);
        if (corpus.equals("oracle") || corpus.equals("all")) {
            DemoConfig oracleCfg = quick || o.value("pretrain-steps").isPresent() ? cfg : cfg.toBuilder().pretrainSteps(ORACLE_PRETRAIN_STEPS).build();
            OracleStudy study = OracleProtocol.study(oracleCfg, settings, dir.resolve("oracle"), out, label -> Progress.forConsole(out, label));
            OracleProtocol.Result r = OracleProtocol.run(study, settings, arms, out);
            OracleReport report = new OracleReport(r, settings, cfg.seed());
            verdict = report.verdict();
            md.append("\n## The oracle language\n").append(report.body());
            AtomicFiles.writeString(dir.resolve("oracle").resolve("summary.md"), verdict + "\n## The oracle language\n" + report.body());   // kept if a later corpus fails
            plan = new TextExperiment.Plan(textArms(textArms, r.chosen(), r.bestCpo()), r.lr(), textSeeds, r.bestCpo(), r.alpha());
        }
        for (String name : List.of("dolly", "wikitext", "shakespeare")) {
            if (!corpus.equals(name) && !(corpus.equals("all") && !name.equals("shakespeare"))) continue;
            Path file = Path.of(o.string(name, switch (name) {
                case "dolly" -> "../shared/data/dolly-15k/databricks-dolly-15k.jsonl";
                case "wikitext" -> "../shared/data/wikitext-2-raw";
                default -> "../shared/data/tinyshakespeare/input.txt";
            }));
            Path wikiValid = file.resolve("wiki.valid.raw"), wikiTest = file.resolve("wiki.test.raw");
            boolean present = name.equals("wikitext") ? Files.isRegularFile(wikiValid) && Files.isRegularFile(wikiTest) : Files.isRegularFile(file);
            if (!present) {
                out.println("experiment: " + file + " not found; skipping " + name);
                md.append("\n## ").append(name).append("\n\nSkipped: ").append(file).append(" not found.\n");
                continue;
            }
            TextCorpus c = switch (name) {
                case "dolly" -> TextCorpus.dolly(file, 2048, 128, cfg.seed());
                case "wikitext" -> TextCorpus.wikitext(wikiValid, wikiTest, 2048, cfg.seed());
                default -> TextCorpus.shakespeare(file, 512, cfg.seed());
            };
            md.append("\n## ").append(c.name()).append("\n\n")
                    .append(TextExperiment.run(c, cfg, plan, dir.resolve(name), out, label -> Progress.forConsole(out, label)));
        }
        md.append(String.format(Locale.ROOT, "%nTotal time %.0f min on %d threads.%n", (System.nanoTime() - t0) / 6e10, Engine.threads()));
        String document = header(cfg, settings, textSeeds, arms, o, verdict) + md;
        AtomicFiles.writeString(dir.resolve("summary.md"), document);
        if (o.value("results").isPresent()) AtomicFiles.writeString(Path.of(o.require("results")), document);
        out.println();
        out.print(document);
        return 0;
    }

    /** The recipes of the arms the real corpora run: {@code names} (--text-arms), or every arm but the ranked variants, and the ensemble's partner. */
    private static Map<String, CpoConfig> textArms(List<String> names, Map<String, CpoConfig> recipes, String partner) {
        Map<String, CpoConfig> out = new LinkedHashMap<>();
        recipes.forEach((name, c) -> {
            boolean wanted = names != null ? names.contains(name) : c.lossType() != LossType.CPO_RANKED || name.equals(partner);
            if (wanted) out.put(name, c);
        });
        return out;
    }

    private static List<Long> longs(Options o, String name, String fallback) {
        List<Long> out = new ArrayList<>();
        for (String v : o.string(name, fallback).split(",")) {
            try {
                out.add(Long.parseLong(v.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be comma-separated integers, got '" + v + "'");
            }
        }
        return out;
    }

    private static List<Float> floats(Options o, String name, String fallback) {
        List<Float> out = new ArrayList<>();
        for (String v : o.string(name, fallback).split(",")) {
            float f;
            try {
                f = Float.parseFloat(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be comma-separated numbers, got '" + v + "'");
            }
            if (!(f > 0) || Float.isInfinite(f)) throw new IllegalArgumentException("--" + name + " values must be positive, got " + v);
            out.add(f);
        }
        return out;
    }

    private static List<Decoding> decodings(String text) {
        List<Decoding> out = new ArrayList<>();
        for (String v : text.split(",")) {
            if (v.trim().equals("greedy")) {
                out.add(Decoding.GREEDY);
                continue;
            }
            try {
                out.add(Decoding.temperature(Double.parseDouble(v.trim())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--decodings must be greedy or temperatures, got '" + v + "'");
            }
        }
        return out;
    }

    private static String header(DemoConfig cfg, OracleProtocol.Settings settings, List<Long> textSeeds, List<ArmChoice> arms, Options o, String verdict) {
        StringBuilder sb = new StringBuilder("# Results: sequence-level CPO against MLE, DPO and scheduled sampling\n\n");
        sb.append(verdict);
        sb.append("\nRegenerate with `./cpo4j experiment ").append(String.join(" ", o.commandLine())).append("`.\n\n");
        sb.append(String.format(Locale.ROOT, "Machine: %s, %s, %d threads. Seed %d (corpus, base model, bootstrap). Model: tiny GPT (4 layers, 4 heads, "
                        + "width 128, context 128). Pretraining: %d next-token steps on the oracle (%d on the real corpora) of %d × %d tokens at lr %s. Every arm then continues the same "
                        + "pretrained model for %d steps of %d examples (warmup, cosine to a tenth), AdamW as everywhere, once per training seed %s on the oracle (%s on the real corpora).%n%n",
                System.getProperty("os.arch"), Runtime.version(), Engine.threads(), cfg.seed(),
                o.flag("quick") || o.value("pretrain-steps").isPresent() ? cfg.pretrainSteps() : ORACLE_PRETRAIN_STEPS, cfg.pretrainSteps(), cfg.batch(), cfg.block(),
                cfg.pretrainLr(), cfg.finetuneSteps(), cfg.finetuneBatch(), settings.seeds(), textSeeds));
        sb.append("Arms (loss_type:negatives:K:β:cpo_alpha; alternatives for the validation prompts to choose from):\n\n");
        for (ArmChoice a : arms) {
            sb.append("- `").append(a.name()).append("`: ");
            List<String> alts = new ArrayList<>();
            for (var s : a.alternatives()) alts.add(a.betaFrom() == null ? Recipes.describe(s) : Recipes.describe(s).replaceFirst("β = [^,]*", "β as chosen for `" + a.betaFrom() + "`"));
            sb.append(String.join(" | ", alts)).append('\n');
        }
        return sb.toString();
    }
}
