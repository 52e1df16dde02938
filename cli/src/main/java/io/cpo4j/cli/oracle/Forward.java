package io.cpo4j.cli.oracle;

import java.util.Arrays;

/**
 * The forward algorithm over the hidden states (topic × grammar state), one word at a time, of
 * the ε-smoothed oracle: at every step, with probability 1−ε the grammar moves as usual, and
 * with probability ε a noise symbol — uniform over every word, the unknown symbol and the end —
 * is emitted while the hidden state stays put. The smoothed model is a proper distribution, so
 * any text has a finite log-probability; a clean (ε = 0) forward pass runs alongside and decides
 * validity. Both are kept normalised; the log of each step's normaliser is the log-probability of
 * that step given the history, so the sum is exact without underflow.
 *
 * <p>Not thread-safe; {@link #copy()} branches a pass (score many continuations of one prefix).
 */
public final class Forward {

    private final Grammar g;
    private final double epsilon;
    private final double noise;     // ε / symbols: probability of one particular noise symbol
    private final int states;
    private double[] alpha;         // (topics, states) smoothed posterior over hidden states
    private double[] clean;         // (topics, states) unsmoothed posterior; all zero once invalid
    private double[] next;          // (topics, states) scratch
    private double logProb;
    private int steps;
    private int firstInvalid = -1;
    private boolean ended;

    Forward(Grammar g, double epsilon) {
        this.g = g;
        this.epsilon = epsilon;
        this.noise = epsilon / g.vocabulary().symbols();
        this.states = g.stateCount();
        int n = g.topicCount() * states;
        this.alpha = new double[n];
        this.clean = new double[n];
        this.next = new double[n];
        for (int t = 0; t < g.topicCount(); t++) {
            alpha[t * states + g.start()] = g.topicPrior(t);
            clean[t * states + g.start()] = g.topicPrior(t);
        }
    }

    private Forward(Forward o) {
        this.g = o.g;
        this.epsilon = o.epsilon;
        this.noise = o.noise;
        this.states = o.states;
        this.alpha = o.alpha.clone();
        this.clean = o.clean.clone();
        this.next = new double[o.next.length];
        this.logProb = o.logProb;
        this.steps = o.steps;
        this.firstInvalid = o.firstInvalid;
        this.ended = o.ended;
    }

    /** An independent copy of this pass. */
    public Forward copy() {
        return new Forward(this);
    }

    /** Consumes a word (unknown strings are allowed) and returns log P(word | history). */
    public double next(String word) {
        return next(g.vocabulary().id(word));
    }

    /** Consumes a word id ({@link Vocabulary#unknown()} allowed) and returns log P(word | history). */
    public double next(int word) {
        if (ended) throw new IllegalStateException("the document has already ended");
        if (word < 0 || word > g.vocabulary().unknown()) throw new IllegalArgumentException("not a word id: " + word);
        int[] arcs = g.arcsEmitting(word);
        double step = advance(alpha, arcs, word, true);
        if (firstInvalid < 0 && advance(clean, arcs, word, false) == Double.NEGATIVE_INFINITY) firstInvalid = steps;
        steps++;
        logProb += step;
        return step;
    }

    /** Updates {@code a} in place to the posterior after {@code word}; returns the log of the step's probability. */
    private double advance(double[] a, int[] arcs, int word, boolean smoothed) {
        double[] n = next;
        if (smoothed) {
            for (int i = 0; i < n.length; i++) n[i] = a[i] * noise;
        } else {
            Arrays.fill(n, 0);
        }
        double keep = smoothed ? 1 - epsilon : 1;
        for (int arc : arcs) {
            int from = g.arcFrom(arc), to = g.arcTo(arc);
            WordClass c = g.arcClass(arc);
            double p = keep * g.arcProb(arc);
            for (int t = 0; t < g.topicCount(); t++) {
                double m = a[t * states + from];
                if (m != 0) n[t * states + to] += m * p * c.prob(t, word);
            }
        }
        double sum = 0;
        for (double v : n) sum += v;
        if (sum == 0) {
            Arrays.fill(a, 0);
            return Double.NEGATIVE_INFINITY;
        }
        for (int i = 0; i < n.length; i++) a[i] = n[i] / sum;
        return Math.log(sum);
    }

    /** Ends the document and returns log P(end | history). */
    public double end() {
        if (ended) throw new IllegalStateException("the document has already ended");
        double p = 0, pClean = 0;
        for (int t = 0; t < g.topicCount(); t++) {
            for (int s = 0; s < states; s++) {
                p += alpha[t * states + s] * ((1 - epsilon) * g.endProb(s) + noise);
                pClean += clean[t * states + s] * g.endProb(s);
            }
        }
        if (firstInvalid < 0 && pClean == 0) firstInvalid = steps;
        ended = true;
        steps++;
        double step = Math.log(p);
        logProb += step;
        return step;
    }

    /** Sum of the log-probabilities of every step so far (words and the end, if consumed). */
    public double logProb() {
        return logProb;
    }

    /** Number of steps consumed (words, plus one for the end). */
    public int steps() {
        return steps;
    }

    /** Whether the clean grammar can produce what was consumed so far. */
    public boolean valid() {
        return firstInvalid < 0;
    }

    /** The step at which the text stopped being producible by the clean grammar, or −1. */
    public int firstInvalid() {
        return firstInvalid;
    }

    public boolean ended() {
        return ended;
    }

    /** P(topic | history) under the smoothed model. */
    public double topicPosterior(int topic) {
        double p = 0;
        for (int s = 0; s < states; s++) p += alpha[topic * states + s];
        return p;
    }
}
