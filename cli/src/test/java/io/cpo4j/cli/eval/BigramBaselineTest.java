package io.cpo4j.cli.eval;

import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.cli.oracle.Vocabulary;
import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole evaluation on a stand-in model — a smoothed word bigram trained on oracle samples —
 * to show that the metrics see what they should: the temperature trades quality (oracle NLL,
 * validity) against diversity and coverage, and a weak model is far from the oracle.
 */
class BigramBaselineTest {

    private final OracleLanguage oracle = OracleLanguage.english();
    private final Vocabulary v = oracle.vocabulary();

    /** P(next | previous word) with add-0.01 smoothing; row v.end() is the start of a document. */
    private double[][] train(List<OracleDocument> docs) {
        int n = v.symbols();
        double[][] counts = new double[n][n];
        for (OracleDocument d : docs) {
            int prev = v.end();
            for (String w : d.words()) {
                int id = v.id(w);
                counts[prev][id]++;
                prev = id;
            }
            counts[prev][v.end()]++;
        }
        for (double[] row : counts) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j == v.unknown()) continue;
                row[j] += 0.01;
                sum += row[j];
            }
            for (int j = 0; j < n; j++) row[j] /= sum;
        }
        return counts;
    }

    private static double[] tempered(double[] p, double t) {
        double[] q = new double[p.length];
        double sum = 0;
        for (int j = 0; j < p.length; j++) sum += q[j] = p[j] == 0 ? 0 : Math.pow(p[j], 1 / t);
        for (int j = 0; j < p.length; j++) q[j] /= sum;
        return q;
    }

    private ContinuationSample generate(double[][] model, OracleDocument d, int cut, Decoding decoding, Rng rng) {
        List<String> prompt = d.prefix(cut), out = new ArrayList<>();
        int prev = prompt.isEmpty() ? v.end() : v.id(prompt.get(prompt.size() - 1));
        for (int step = 0; step < 60; step++) {
            int next;
            if (decoding.greedy()) {
                next = 0;
                for (int j = 1; j < model[prev].length; j++) if (model[prev][j] > model[prev][next]) next = j;
            } else {
                double[] q = tempered(model[prev], decoding.temperature());
                double u = rng.nextDouble();
                next = q.length - 1;
                for (int j = 0; j < q.length; j++) {
                    if ((u -= q[j]) < 0) {
                        next = j;
                        break;
                    }
                }
            }
            if (next == v.end()) return new ContinuationSample(prompt, d.suffix(cut), out, true);
            out.add(v.word(next));
            prev = next;
        }
        return new ContinuationSample(prompt, d.suffix(cut), out, false);
    }

    private Interval coverage(double[][] model, List<OracleDocument> docs, double t) {
        double[] nll = new double[docs.size()];
        int[] tokens = new int[docs.size()];
        for (int i = 0; i < docs.size(); i++) {
            int prev = v.end();
            List<String> words = new ArrayList<>(docs.get(i).words());
            for (int k = 0; k <= words.size(); k++) {
                int id = k < words.size() ? v.id(words.get(k)) : v.end();
                nll[i] -= Math.log(tempered(model[prev], t)[id]);
                prev = id;
            }
            tokens[i] = words.size() + 1;
        }
        return Coverage.perOracleToken(nll, tokens, 5);
    }

    @Test
    void temperatureTradesQualityForDiversityAndTheMetricsSeeIt() {
        double[][] model = train(oracle.documents(100, 5000));
        List<OracleDocument> heldOut = new ArrayList<>();
        for (long i = 0; heldOut.size() < 300; i++) {
            OracleDocument d = oracle.document(200, i);
            if (d.size() >= 10) heldOut.add(d);
        }
        EvalTable table = new EvalTable();
        List<ContinuationSample> truth = new ArrayList<>();
        for (OracleDocument d : heldOut) truth.add(new ContinuationSample(d.prefix(8), d.suffix(8), d.suffix(8), true));
        table.add(new EvalRow("oracle", Decoding.temperature(1.0), OracleMetrics.of(oracle, truth, 1), null));
        for (Decoding decoding : Decoding.SWEEP) {
            Rng rng = new Rng(7);
            List<ContinuationSample> samples = new ArrayList<>();
            for (OracleDocument d : heldOut) samples.add(generate(model, d, 8, decoding, rng));
            table.add(new EvalRow("bigram", decoding, OracleMetrics.of(oracle, samples, 1),
                    decoding.greedy() ? null : coverage(model, heldOut, decoding.temperature())));
        }
        System.out.println(table.markdown());

        List<EvalRow> rows = table.rows();
        OracleMetrics truthRow = rows.get(0).metrics(), cold = rows.get(1).metrics(), warm = rows.get(3).metrics(), hot = rows.get(4).metrics();
        // The oracle's own continuations: valid, scoring the entropy rate.
        assertThat(truthRow.validity().estimate()).isEqualTo(1.0);
        // A bigram cannot carry agreement or topic: many of its continuations are invalid at T = 1.
        assertThat(warm.validity().high()).isLessThan(0.8);
        assertThat(warm.oracleNll().low()).isGreaterThan(truthRow.oracleNll().high());
        // Colder sampling: more valid and more likely text, less diverse, worse coverage.
        assertThat(cold.validity().estimate()).isGreaterThan(hot.validity().estimate());
        assertThat(cold.oracleNll().estimate()).isLessThan(hot.oracleNll().estimate());
        assertThat(cold.distinct().get(2)).isLessThan(hot.distinct().get(2));
        assertThat(rows.get(1).coverageNll().estimate()).isGreaterThan(rows.get(3).coverageNll().estimate());
        // Coverage can never beat the oracle's entropy rate (≈ 2.55 nats per token).
        assertThat(rows.get(3).coverageNll().estimate()).isGreaterThan(2.55);
    }
}
