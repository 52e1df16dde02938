package io.cpo4j.cli.experiment;

import io.cpo4j.cli.eval.ContinuationSample;
import io.cpo4j.cli.eval.Coverage;
import io.cpo4j.cli.eval.Decoding;
import io.cpo4j.cli.eval.EvalRow;
import io.cpo4j.cli.eval.EvalTable;
import io.cpo4j.cli.eval.Interval;
import io.cpo4j.cli.eval.OracleMetrics;
import io.cpo4j.cli.eval.ScoredContinuation;
import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cpo.score.PaddedRows;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.ops.F;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.lm.LanguageModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a model on the oracle language: for every decoding of the sweep, continuations of
 * held-out prompts judged by the oracle (quality, validity, repetition, length, win rate against
 * the truth) and the model's own NLL on fresh documents at that temperature (coverage).
 */
public final class OracleEvaluation {

    private final OracleCorpus corpus;
    private final List<OracleDocument> prompts;
    private final List<OracleDocument> coverageDocs;
    private final int promptWords;
    private final int maxNewTokens;
    private final long seed;

    /**
     * @param prompts      held-out documents whose first {@code promptWords} words are the prompts
     * @param coverageDocs fresh documents the model's likelihood is measured on
     */
    public OracleEvaluation(OracleCorpus corpus, List<OracleDocument> prompts, List<OracleDocument> coverageDocs, int promptWords, int maxNewTokens, long seed) {
        this.corpus = corpus;
        this.prompts = OracleCorpus.usable(prompts, promptWords);
        this.coverageDocs = coverageDocs;
        this.promptWords = promptWords;
        this.maxNewTokens = maxNewTokens;
        this.seed = seed;
    }

    /** One model at every decoding, added to {@code table}; returns the samples at each decoding, in sweep order. */
    public List<List<ContinuationSample>> evaluate(String name, LanguageModel model, List<Decoding> decodings, EvalTable table) {
        List<List<ContinuationSample>> all = new ArrayList<>();
        for (Decoding d : decodings) {
            List<ContinuationSample> samples = continuations(model, d);
            Interval coverage = d.greedy() ? null : coverage(model, d.temperature());
            table.add(new EvalRow(name, d, OracleMetrics.of(corpus.oracle(), samples, seed), coverage));
            all.add(samples);
        }
        return all;
    }

    /** The model's continuation of every prompt at one decoding, as oracle words. */
    public List<ContinuationSample> continuations(LanguageModel model, Decoding d) {
        List<int[]> tokenPrompts = new ArrayList<>();
        for (OracleDocument doc : prompts) tokenPrompts.add(corpus.promptTokens(doc.prefix(promptWords)));
        Sampling sampling = d.greedy() ? Sampling.greedyDecoding() : Sampling.temperature((float) d.temperature());
        int room = model.config().contextLength();
        for (int[] p : tokenPrompts) room = Math.min(room, model.config().contextLength() - p.length);
        GenerationConfig cfg = GenerationConfig.of(Math.min(maxNewTokens, room), sampling, seed).withStopTokens(corpus.eos());
        boolean was = model.isTraining();
        model.setTraining(false);
        List<Generation> gens;
        try {
            gens = new Generator(model).generate(tokenPrompts, cfg);
        } finally {
            model.setTraining(was);
        }
        List<ContinuationSample> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            OracleDocument doc = prompts.get(i);
            Generation g = gens.get(i);
            out.add(new ContinuationSample(doc.prefix(promptWords), doc.suffix(promptWords), corpus.words(g.tokens()),
                    g.finish() == Generation.Finish.STOP_TOKEN));
        }
        return out;
    }

    /**
     * The model's NLL of fresh documents with logits divided by {@code temperature}, per oracle
     * token (words + end), 95% interval. Documents longer than the context are left out.
     */
    public Interval coverage(LanguageModel model, double temperature) {
        DocumentNll d = coverageNll(model, temperature);
        return Coverage.perOracleToken(d.nll(), d.tokens(), seed);
    }

    /** Each coverage document's NLL under the model (nats) and its oracle tokens (words + end), in document order. */
    public record DocumentNll(double[] nll, int[] tokens) {}

    /** The per-document figures behind {@link #coverage}: the same documents for every model, so that models can be compared document by document. */
    public DocumentNll coverageNll(LanguageModel model, double temperature) {
        List<int[]> docs = new ArrayList<>();
        List<Integer> wordCounts = new ArrayList<>();
        for (OracleDocument d : coverageDocs) {
            int[] t = corpus.documentTokens(d);
            if (t.length - 1 > model.config().contextLength()) continue;
            docs.add(t);
            wordCounts.add(d.size() + 1);
        }
        int n = docs.size(), batch = 32;
        double[] nll = new double[n];
        int[] words = new int[n];
        for (int i = 0; i < n; i++) words[i] = wordCounts.get(i);
        boolean was = model.isTraining();
        model.setTraining(false);
        try (var scope = Autograd.noGrad()) {
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                int[][] prefixes = new int[to - from][], conts = new int[to - from][];
                for (int i = from; i < to; i++) {
                    int[] t = docs.get(i);
                    prefixes[i - from] = new int[] {t[0]};
                    conts[i - from] = java.util.Arrays.copyOfRange(t, 1, t.length);
                }
                PaddedRows rows = PaddedRows.of(prefixes, conts);
                Tensor logits = model.logits(rows.inputs(), rows.rows(), rows.time());
                if (temperature != 1.0) logits = F.scale(logits, (float) (1.0 / temperature));
                float[] lp = F.tokenLogProbs(logits, rows.targets()).toArray();      // (rows, T), 0 where ignored
                for (int r = 0; r < rows.rows(); r++) {
                    double sum = 0;
                    for (int t = 0; t < rows.time(); t++) sum -= lp[r * rows.time() + t];
                    nll[from + r] = sum;
                }
            }
        } finally {
            model.setTraining(was);
        }
        return new DocumentNll(nll, words);
    }

    /** The model's continuation of every prompt at one decoding, scored by the oracle prompt by prompt. */
    public List<ScoredContinuation> outcomes(LanguageModel model, Decoding d) {
        return ScoredContinuation.all(corpus.oracle(), continuations(model, d));
    }
}
