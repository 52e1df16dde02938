package io.cpo4j.cli.oracle;

import io.cpo4j.engine.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * The oracle language: a synthetic English-like language whose exact probability is known, so
 * the quality of generated text can be measured without a judge model (docs/ORACLE.md).
 *
 * <pre>{@code
 * OracleLanguage oracle = OracleLanguage.english();
 * List<OracleDocument> train = oracle.documents(1, 10_000);          // seeded, reproducible
 * List<String> words = OracleLanguage.words(modelOutputText);        // split on whitespace
 * OracleScore s = oracle.score(words, true);                         // exact log P, validity
 * }</pre>
 *
 * <p>Immutable and thread-safe; scoring and sampling keep their state in their own objects.
 */
public final class OracleLanguage {

    /** Mass of the noise that gives invalid text a finite score: one invalid word costs ≈ 12.8 nats. */
    public static final double DEFAULT_EPSILON = 1e-3;

    private static final int MAX_WORDS = 100_000;

    private final Grammar grammar;
    private final double epsilon;

    private OracleLanguage(Grammar grammar, double epsilon) {
        if (!(epsilon > 0 && epsilon < 1)) throw new IllegalArgumentException("epsilon must be in (0, 1), got " + epsilon);
        this.grammar = grammar;
        this.epsilon = epsilon;
    }

    private static final class Holder {
        static final OracleLanguage ENGLISH = new OracleLanguage(OracleGrammar.build(), DEFAULT_EPSILON);
    }

    /** The built-in language (≈ 330 words, 4 topics) with ε = {@link #DEFAULT_EPSILON}. */
    public static OracleLanguage english() {
        return Holder.ENGLISH;
    }

    /** The same language with another smoothing mass. */
    public OracleLanguage withEpsilon(double epsilon) {
        return new OracleLanguage(grammar, epsilon);
    }

    public Grammar grammar() {
        return grammar;
    }

    public Vocabulary vocabulary() {
        return grammar.vocabulary();
    }

    public double epsilon() {
        return epsilon;
    }

    // ---------------------------------------------------------------- sampling

    /** Document number {@code index} of the stream {@code seed}: the same pair always gives the same document. */
    public OracleDocument document(long seed, long index) {
        return sample(new Rng(seed).split(index));
    }

    /** Documents 0..count−1 of the stream {@code seed}; a longer list extends a shorter one. */
    public List<OracleDocument> documents(long seed, int count) {
        List<OracleDocument> docs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) docs.add(document(seed, i));
        return docs;
    }

    /** Samples one document from the clean grammar with the given generator. */
    public OracleDocument sample(Rng rng) {
        Vocabulary v = grammar.vocabulary();
        int topic = pick(rng, grammar.topicCount(), grammar::topicPrior);
        double logProb = Math.log(grammar.topicPrior(topic));
        int state = grammar.start();
        List<String> words = new ArrayList<>();
        while (true) {
            int[] arcs = grammar.arcsFrom(state);
            final int s = state;
            int choice = pick(rng, arcs.length + 1, i -> i < arcs.length ? grammar.arcProb(arcs[i]) : grammar.endProb(s));
            if (choice == arcs.length) {
                logProb += Math.log(grammar.endProb(state));
                return new OracleDocument(topic, words, logProb);
            }
            int arc = arcs[choice];
            WordClass c = grammar.arcClass(arc);
            int word = c.sample(topic, rng);
            logProb += Math.log(grammar.arcProb(arc)) + Math.log(c.prob(topic, word));
            words.add(v.word(word));
            state = grammar.arcTo(arc);
            if (words.size() > MAX_WORDS) throw new IllegalStateException("oracle document longer than " + MAX_WORDS + " words");
        }
    }

    private static int pick(Rng rng, int n, java.util.function.IntToDoubleFunction weight) {
        double total = 0;
        for (int i = 0; i < n; i++) total += weight.applyAsDouble(i);
        double u = rng.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < n; i++) {
            double w = weight.applyAsDouble(i);
            if (w <= 0) continue;
            last = i;
            if (u < w) return i;
            u -= w;
        }
        return last;
    }

    // ---------------------------------------------------------------- text

    /** Model output back to words: split on whitespace (no other normalisation — "river." is unknown). */
    public static List<String> words(String text) {
        String t = text.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    /** Words to text: joined by single spaces. */
    public static String text(List<String> words) {
        return String.join(" ", words);
    }

    // ---------------------------------------------------------------- scoring

    /** A fresh forward pass at the start of a document. */
    public Forward forward() {
        return new Forward(grammar, epsilon);
    }

    /**
     * Exact log-probability of a word sequence from the start of a document; with
     * {@code complete} the end of the document is scored too (a finished document), without it
     * the words are a prefix.
     */
    public OracleScore score(List<String> words, boolean complete) {
        Forward f = forward();
        for (String w : words) f.next(w);
        if (complete) f.end();
        return new OracleScore(f.logProb(), f.steps(), f.valid(), f.firstInvalid());
    }

    /**
     * log P(continuation | prefix): the prefix is consumed first and not counted. With
     * {@code complete} the continuation ends the document (the model stopped by itself).
     * Validity is that of prefix + continuation; {@code firstInvalid} counts from the continuation's start.
     */
    public OracleScore scoreContinuation(List<String> prefix, List<String> continuation, boolean complete) {
        Forward f = forward();
        for (String w : prefix) f.next(w);
        return scoreFrom(f, continuation, complete);
    }

    /**
     * Like {@link #scoreContinuation} from an existing pass over the prefix, which is left
     * untouched (score many continuations of one prompt). If the prefix itself is invalid, so is
     * every continuation, with {@code firstInvalid} 0.
     */
    public OracleScore scoreFrom(Forward prefix, List<String> continuation, boolean complete) {
        Forward f = prefix.copy();
        double before = f.logProb();
        int steps = f.steps();
        int prefixInvalid = f.firstInvalid();
        for (String w : continuation) f.next(w);
        if (complete) f.end();
        int first = prefixInvalid >= 0 ? 0 : f.valid() ? -1 : f.firstInvalid() - steps;
        return new OracleScore(f.logProb() - before, f.steps() - steps, f.valid(), first);
    }

    /** Whether the clean grammar can produce the words (and end there, with {@code complete}). */
    public boolean isValid(List<String> words, boolean complete) {
        return score(words, complete).valid();
    }

    /**
     * Monte-Carlo estimate of the entropy rate (nats per token, the end counted as a token):
     * the oracle NLL of its own samples, total over total. No model can do better on average.
     */
    public double entropyRate(long seed, int documents) {
        double nll = 0;
        long tokens = 0;
        for (int i = 0; i < documents; i++) {
            OracleScore s = score(document(seed, i).words(), true);
            nll -= s.logProb();
            tokens += s.tokens();
        }
        return nll / tokens;
    }
}
