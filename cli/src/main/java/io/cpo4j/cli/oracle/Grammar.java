package io.cpo4j.cli.oracle;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled probabilistic finite-state grammar with a hidden document topic: the hidden state
 * is (topic, grammar state). The topic is drawn once per document from {@link #topicPrior}; then
 * each step, from grammar state q, either the document ends (probability {@link #endProb}) or an
 * arc q → q' labelled with a word class c is taken (probability {@link #arcProb}) and a word is
 * drawn from P(word | c, topic). Arc and end probabilities of every state sum to 1, and no arc
 * is silent (ε-arcs of the builder are folded away), so one word is one step.
 */
public final class Grammar {

    private final Vocabulary vocab;
    private final List<String> topics;
    private final double[] topicPrior;  // (topics)
    private final List<WordClass> classes;
    private final String[] stateNames;  // (states)
    private final int start;
    private final int[] arcFrom, arcClass, arcTo; // (arcs)
    private final double[] arcProb;     // (arcs)
    private final double[] endProb;     // (states)
    private final int[][] arcsFrom;     // (states, *) arc indices leaving each state
    private final int[][] arcsEmitting; // (words, *) arc indices whose class can emit each word
    private static final int[] NONE = new int[0];

    Grammar(Vocabulary vocab, List<String> topics, double[] topicPrior, List<WordClass> classes, String[] stateNames,
            int start, int[] arcFrom, int[] arcClass, int[] arcTo, double[] arcProb, double[] endProb) {
        this.vocab = vocab;
        this.topics = List.copyOf(topics);
        this.topicPrior = topicPrior.clone();
        this.classes = List.copyOf(classes);
        this.stateNames = stateNames.clone();
        this.start = start;
        this.arcFrom = arcFrom;
        this.arcClass = arcClass;
        this.arcTo = arcTo;
        this.arcProb = arcProb;
        this.endProb = endProb;
        List<List<Integer>> from = new ArrayList<>(), emitting = new ArrayList<>();
        for (int s = 0; s < stateNames.length; s++) from.add(new ArrayList<>());
        for (int w = 0; w < vocab.size(); w++) emitting.add(new ArrayList<>());
        for (int a = 0; a < arcFrom.length; a++) {
            from.get(arcFrom[a]).add(a);
            for (int w : classes.get(arcClass[a]).words()) emitting.get(w).add(a);
        }
        this.arcsFrom = toArrays(from);
        this.arcsEmitting = toArrays(emitting);
    }

    private static int[][] toArrays(List<List<Integer>> lists) {
        int[][] out = new int[lists.size()][];
        for (int i = 0; i < out.length; i++) out[i] = lists.get(i).stream().mapToInt(Integer::intValue).toArray();
        return out;
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    public int topicCount() {
        return topics.size();
    }

    public String topicName(int topic) {
        return topics.get(topic);
    }

    public double topicPrior(int topic) {
        return topicPrior[topic];
    }

    public int stateCount() {
        return stateNames.length;
    }

    public String stateName(int state) {
        return stateNames[state];
    }

    public int start() {
        return start;
    }

    public int arcCount() {
        return arcFrom.length;
    }

    public int arcFrom(int arc) {
        return arcFrom[arc];
    }

    public int arcTo(int arc) {
        return arcTo[arc];
    }

    public double arcProb(int arc) {
        return arcProb[arc];
    }

    public WordClass arcClass(int arc) {
        return classes.get(arcClass[arc]);
    }

    public double endProb(int state) {
        return endProb[state];
    }

    public List<WordClass> classes() {
        return classes;
    }

    /** Indices of the arcs leaving a state. */
    int[] arcsFrom(int state) {
        return arcsFrom[state];
    }

    /** Indices of the arcs that can emit a word (any state); empty for the unknown symbol. */
    int[] arcsEmitting(int word) {
        return word < arcsEmitting.length ? arcsEmitting[word] : NONE;
    }

    /**
     * P(next symbol | grammar state, topic) over {@link Vocabulary#symbols()} symbols: every word,
     * then unknown (always 0 here) and end. Sums to 1 for every state and topic.
     */
    public double[] nextSymbolDistribution(int state, int topic) {
        double[] p = new double[vocab.symbols()];
        for (int a : arcsFrom[state]) {
            WordClass c = classes.get(arcClass[a]);
            for (int w : c.words()) p[w] += arcProb[a] * c.prob(topic, w);
        }
        p[vocab.end()] = endProb[state];
        return p;
    }
}
