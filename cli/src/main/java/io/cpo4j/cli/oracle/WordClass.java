package io.cpo4j.cli.oracle;

import io.cpo4j.engine.Rng;

import java.util.List;

/**
 * A word class with one distribution over words per topic. The class's shared group gets
 * {@link #SHARED} of the mass, the group of the document's topic {@link #ON_TOPIC}, and the groups
 * of the other topics split {@link #OFF_TOPIC} — so off-topic words are unlikely but valid, and a
 * model that forgets the topic pays for it in probability, not in validity. Groups that are
 * empty give their mass to the others (a function-word class is all shared).
 */
public final class WordClass {

    static final double SHARED = 0.25;
    static final double ON_TOPIC = 0.70;
    static final double OFF_TOPIC = 0.05;

    private final String name;
    private final int[] words;          // (W) word ids with non-zero probability, ascending
    private final double[][] probs;     // (topics, W) P(words[i] | class, topic)
    private final double[][] cumulative; // (topics, W) running sums of probs, for sampling

    WordClass(String name, List<List<String>> groups, Vocabulary vocab, int topics) {
        this.name = name;
        double[][] dense = new double[topics][vocab.size()];
        for (int t = 0; t < topics; t++) {
            double[] groupMass = new double[groups.size()];
            double total = 0;
            for (int g = 0; g < groups.size(); g++) {
                if (groups.get(g).isEmpty()) continue;
                groupMass[g] = g == 0 ? SHARED : g == t + 1 ? ON_TOPIC : OFF_TOPIC / (topics - 1);
                total += groupMass[g];
            }
            for (int g = 0; g < groups.size(); g++) {
                List<String> group = groups.get(g);
                if (group.isEmpty()) continue;
                double weightSum = 0;
                for (int k = 0; k < group.size(); k++) weightSum += Lexicon.weight(group.get(k), k);
                for (int k = 0; k < group.size(); k++) {
                    int id = vocab.id(Lexicon.word(group.get(k)));
                    dense[t][id] += groupMass[g] / total * Lexicon.weight(group.get(k), k) / weightSum;
                }
            }
        }
        boolean[] member = new boolean[vocab.size()];
        int count = 0;
        for (int w = 0; w < vocab.size(); w++) {
            for (int t = 0; t < topics; t++) member[w] |= dense[t][w] > 0;
            if (member[w]) count++;
        }
        this.words = new int[count];
        this.probs = new double[topics][count];
        this.cumulative = new double[topics][count];
        int i = 0;
        for (int w = 0; w < vocab.size(); w++) {
            if (!member[w]) continue;
            words[i] = w;
            for (int t = 0; t < topics; t++) probs[t][i] = dense[t][w];
            i++;
        }
        for (int t = 0; t < topics; t++) {
            double run = 0;
            for (int k = 0; k < count; k++) cumulative[t][k] = run += probs[t][k];
        }
    }

    public String name() {
        return name;
    }

    /** Ids of the words this class can emit, ascending. */
    public int[] words() {
        return words.clone();
    }

    /** P(word | class, topic); 0 for words outside the class. */
    public double prob(int topic, int word) {
        int i = java.util.Arrays.binarySearch(words, word);
        return i < 0 ? 0 : probs[topic][i];
    }

    int sample(int topic, Rng rng) {
        double[] c = cumulative[topic];
        double u = rng.nextDouble() * c[c.length - 1];
        for (int k = 0; k < c.length; k++) if (u < c[k]) return words[k];
        return words[words.length - 1];
    }

    /** Entropy (nats) of the word given this class and a topic. */
    double entropy(int topic) {
        double h = 0;
        for (double p : probs[topic]) if (p > 0) h -= p * Math.log(p);
        return h;
    }
}
