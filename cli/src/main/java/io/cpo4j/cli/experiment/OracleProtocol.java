package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.eval.ScoredContinuation;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.cpo.train.WeightEnsemble;
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
 * The oracle-language comparison of issue 22, in the order a careful study runs it:
 * <ol>
 *   <li>one base model, pretrained once and reused by every arm ({@link OracleStudy#pretrainedBase});</li>
 *   <li>the learning rate, one for every arm, chosen by MLE's validation loss (continuation NLL of held-out documents);</li>
 *   <li>for each arm with alternatives (β, K, …), the one with the best primary metric on the validation prompts
 *       (first training seed only);</li>
 *   <li>the weight-space ensemble of MLE and the best contrastive arm, its α chosen on the validation prompts;</li>
 *   <li>every chosen configuration fine-tuned with every training seed and evaluated once on the test prompts,
 *       each seed's models sampled with the same sampling seed, so that they can be compared prompt by prompt.</li>
 * </ol>
 * The primary metric is completeness ({@link ScoredContinuation#completeness()}), averaged
 * over the decodings for choosing.
 */
public final class OracleProtocol {

    /** What the protocol needs besides the study's size: seeds, split sizes and the grids it chooses from. */
    public record Settings(List<Long> seeds, int testPrompts, int validationPrompts, List<Float> lrGrid, List<Float> alphaGrid,
                           List<Decoding> decodings) {
        public Settings {
            if (seeds.isEmpty() || lrGrid.isEmpty() || alphaGrid.isEmpty() || decodings.isEmpty()) {
                throw new IllegalArgumentException("protocol: seeds, lr grid, α grid and decodings must each have a value");
            }
            if (testPrompts < 1 || validationPrompts < 1) throw new IllegalArgumentException("protocol: test and validation prompts must be positive");
            seeds = List.copyOf(seeds);
            lrGrid = List.copyOf(lrGrid);
            alphaGrid = List.copyOf(alphaGrid);
            decodings = List.copyOf(decodings);
        }
    }

    /** One choice made on validation data: what was tried, each one's figure, and the winner. */
    public record Choice(String what, List<String> tried, List<Double> figures, int chosen, String criterion) {}

    /**
     * Everything the report needs: the choices (with the best plain or ranked CPO arm on validation,
     * null if none ran, and the name of its ensemble with MLE), and per method (arms, the ensemble, the base) and
     * training seed, the test outcomes per decoding (prompts in one order for all) and the coverage
     * NLL per sampled decoding (documents in one order for all).
     */
    public record Result(List<Choice> choices, Map<String, CpoConfig> chosen, float lr, String bestCpo, float alpha, String ensemble,
                         Map<String, Map<Long, Map<Decoding, List<ScoredContinuation>>>> test,
                         Map<String, Map<Long, Map<Decoding, OracleEvaluation.DocumentNll>>> coverage,
                         Map<String, Map<Long, Double>> heldOutNll, Map<String, Map<Long, TrainingDiagnostics>> diagnostics,
                         double minutes) {}

    private final OracleStudy study;
    private final Settings settings;
    private final PrintStream log;
    private final Map<String, LanguageModel> trained = new LinkedHashMap<>();
    private final Map<String, String> folders = new LinkedHashMap<>();

    private OracleProtocol(OracleStudy study, Settings settings, PrintStream log) {
        this.study = study;
        this.settings = settings;
        this.log = log;
    }

    /** A study sized for the settings' splits, in {@code runDir}. */
    public static OracleStudy study(DemoConfig cfg, Settings s, Path runDir, PrintStream log, Function<String, TrainingRun.Listener> progress)
            throws IOException {
        int lossDocs = cfg.coverageDocs();
        int held = OracleSplits.heldOutNeeded(s.testPrompts(), s.validationPrompts(), cfg.coverageDocs(), lossDocs);
        return new OracleStudy(cfg, runDir, log, progress, held,
                docs -> OracleSplits.of(docs, cfg.promptWords(), s.testPrompts(), s.validationPrompts(), cfg.coverageDocs(), lossDocs));
    }

    /** Runs the whole protocol; {@code arms} must include one named {@code mle}. */
    public static Result run(OracleStudy study, Settings settings, List<ArmChoice> arms, PrintStream log) throws IOException {
        if (arms.stream().noneMatch(a -> a.name().equals("mle"))) throw new IllegalArgumentException("protocol: an arm named mle is needed");
        ArmChoice.checkBetaSources(arms);
        return new OracleProtocol(study, settings, log).run(arms);
    }

    private Result run(List<ArmChoice> arms) throws IOException {
        long t0 = System.nanoTime();
        long first = settings.seeds().get(0);
        List<Choice> choices = new ArrayList<>();
        LanguageModel base = study.pretrainedBase();
        OracleEvaluation validation = study.evaluation(study.splits().validation(), first);

        // 1. the learning rate, on MLE's validation loss
        CpoConfig mleRecipe = arms.stream().filter(a -> a.name().equals("mle")).findFirst().orElseThrow().alternatives().get(0);
        Map<String, LanguageModel> firstSeed = new LinkedHashMap<>();
        float lr = settings.lrGrid().get(0);
        if (settings.lrGrid().size() > 1) {
            List<String> tried = new ArrayList<>();
            List<Double> losses = new ArrayList<>();
            int best = 0;
            for (int i = 0; i < settings.lrGrid().size(); i++) {
                float candidate = settings.lrGrid().get(i);
                LanguageModel m = finetune("mle-lr" + i, mleRecipe, base, candidate, first);
                double loss = study.heldOutNll(m);
                tried.add("lr " + candidate);
                losses.add(loss);
                if (loss < losses.get(best)) best = i;
            }
            lr = settings.lrGrid().get(best);
            choices.add(new Choice("learning rate (every arm)", tried, losses, best, "MLE's validation loss, lower is better"));
            log.printf(Locale.ROOT, "protocol: lr %s chosen on MLE's validation loss%n", lr);
        }

        // 2. each arm's recipe, on the validation prompts
        Map<String, CpoConfig> chosen = new LinkedHashMap<>();
        Map<String, Double> validationScore = new LinkedHashMap<>();
        List<ArmChoice> resolved = new ArrayList<>();
        for (ArmChoice written : arms) {
            ArmChoice arm = written.betaFrom() == null ? written : written.withBeta(chosen.get(written.betaFrom()).beta());
            resolved.add(arm);
            List<String> tried = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            int best = 0;
            LanguageModel bestModel = null;
            for (int i = 0; i < arm.alternatives().size(); i++) {
                CpoConfig recipe = arm.alternatives().get(i);
                LanguageModel m = finetune(runName(arm.name(), i, first), recipe, base, lr, first);
                double score = arm.needsChoice() || arm.isContrastive() ? primary(validation, m) : Double.NaN;
                tried.add(Recipes.describe(recipe));
                scores.add(score);
                if (i == 0 || score > scores.get(best)) {
                    best = i;
                    bestModel = m;
                }
            }
            chosen.put(arm.name(), arm.alternatives().get(best));
            validationScore.put(arm.name(), scores.get(best));
            firstSeed.put(arm.name(), bestModel);
            if (arm.needsChoice()) {
                choices.add(new Choice(arm.name(), tried, scores, best, "completeness on the validation prompts, higher is better"
                        + (arm.betaFrom() == null ? "" : "; β as chosen for " + arm.betaFrom())));
                log.printf(Locale.ROOT, "protocol: %s → %s%n", arm.name(), tried.get(best));
            } else if (arm.betaFrom() != null) {
                choices.add(new Choice(arm.name(), tried, scores, best, "β as chosen for " + arm.betaFrom() + "; completeness on the validation prompts"));
                log.printf(Locale.ROOT, "protocol: %s takes β %s from %s%n", arm.name(), arm.alternatives().get(0).beta(), arm.betaFrom());
            }
        }

        // 3. the ensemble's partner (the best contrastive arm on validation) and α
        String partner = null;
        for (ArmChoice arm : resolved) {
            if (!isCpo(arm)) continue;
            if (partner == null || validationScore.get(arm.name()) > validationScore.get(partner)) partner = arm.name();
        }
        float alpha = Float.NaN;
        String ensemble = null;
        if (partner != null) {
            List<String> tried = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            int best = 0;
            for (int i = 0; i < settings.alphaGrid().size(); i++) {
                float a = settings.alphaGrid().get(i);
                double score = primary(validation, WeightEnsemble.interpolate(firstSeed.get("mle"), firstSeed.get(partner), a));
                tried.add(String.format(Locale.ROOT, "α = %.2f", a));
                scores.add(score);
                if (score > scores.get(best)) best = i;
            }
            alpha = settings.alphaGrid().get(best);
            ensemble = String.format(Locale.ROOT, "soup(mle,%s,α=%.2f)", partner, alpha);
            choices.add(new Choice("ensemble (1−α)·θ_mle + α·θ_" + partner, tried, scores, best,
                    "completeness on the validation prompts, higher is better"));
        }

        // 4. every chosen configuration, every seed, once on the test prompts
        Map<String, Map<Long, Map<Decoding, List<ScoredContinuation>>>> test = new LinkedHashMap<>();
        Map<String, Map<Long, Map<Decoding, OracleEvaluation.DocumentNll>>> coverage = new LinkedHashMap<>();
        Map<String, Map<Long, Double>> heldOut = new LinkedHashMap<>();
        Map<String, Map<Long, TrainingDiagnostics>> diagnostics = new LinkedHashMap<>();
        for (long seed : settings.seeds()) {
            OracleEvaluation eval = study.evaluation(study.splits().test(), seed);
            Map<String, LanguageModel> models = new LinkedHashMap<>();
            models.put("base", base);
            for (ArmChoice arm : resolved) {
                int index = arm.alternatives().indexOf(chosen.get(arm.name()));
                String run = runName(arm.name(), index, seed);
                LanguageModel m = finetune(run, chosen.get(arm.name()), base, lr, seed);
                models.put(arm.name(), m);
                diagnostics.computeIfAbsent(arm.name(), k -> new LinkedHashMap<>()).put(seed, TrainingDiagnostics.read(study.runDir().resolve(folders.get(key(chosen.get(arm.name()), lr, seed)))));
            }
            if (ensemble != null) models.put(ensemble, WeightEnsemble.interpolate(models.get("mle"), models.get(partner), alpha));
            for (Map.Entry<String, LanguageModel> e : models.entrySet()) {
                log.printf(Locale.ROOT, "protocol: testing %s (seed %d) …%n", e.getKey(), seed);
                Map<Decoding, List<ScoredContinuation>> byDecoding = new LinkedHashMap<>();
                Map<Decoding, OracleEvaluation.DocumentNll> cov = new LinkedHashMap<>();
                for (Decoding d : settings.decodings()) {
                    byDecoding.put(d, eval.outcomes(e.getValue(), d));
                    if (!d.greedy()) cov.put(d, eval.coverageNll(e.getValue(), d.temperature()));
                }
                test.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(seed, byDecoding);
                coverage.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(seed, cov);
                heldOut.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).put(seed, study.testNll(e.getValue()));
            }
        }
        return new Result(choices, chosen, lr, partner, alpha, ensemble, test, coverage, heldOut, diagnostics, (System.nanoTime() - t0) / 6e10);
    }

    /**
     * The recipe fine-tuned from the base at {@code lr} with {@code seed}, in run folder {@code run};
     * a recipe already trained with the same lr and seed (MLE while choosing the lr, every arm's first
     * seed) is the same model, and is reused rather than trained again.
     */
    private LanguageModel finetune(String run, CpoConfig recipe, LanguageModel base, float lr, long seed) throws IOException {
        String key = key(recipe, lr, seed);
        LanguageModel done = trained.get(key);
        if (done != null) return done;
        LanguageModel m = study.finetune(run, recipe, base, lr, seed);
        trained.put(key, m);
        folders.put(key, run);
        return m;
    }

    private static String key(CpoConfig recipe, float lr, long seed) {
        return Recipes.describe(recipe) + " lr " + lr + " seed " + seed;
    }

    /** The primary metric on the validation prompts, averaged over the decodings. */
    private double primary(OracleEvaluation validation, LanguageModel model) {
        double sum = 0;
        for (Decoding d : settings.decodings()) {
            List<ScoredContinuation> outcomes = validation.outcomes(model, d);
            sum += outcomes.stream().mapToDouble(ScoredContinuation::completeness).average().orElse(0);
        }
        return sum / settings.decodings().size();
    }

    private String runName(String arm, int alternative, long seed) {
        return String.format(Locale.ROOT, "%s-%d-seed%d", arm, alternative, seed);
    }


    /** Plain or ranked CPO (the ensemble's partner is the best of these, as in the paper). */
    private static boolean isCpo(ArmChoice arm) {
        LossType t = arm.alternatives().get(0).lossType();
        return t == LossType.CPO || t == LossType.CPO_RANKED;
    }
}
