package io.cpo4j.cli.oracle;

import java.util.List;

/**
 * One document sampled from the oracle: its words (without an end marker — a sampled document
 * is always complete), the hidden topic it was drawn with, and the log-probability of the
 * document together with the hidden path that produced it (a lower bound of its
 * log-probability; the oracle's entropy rate is estimated from it in tests).
 */
public record OracleDocument(int topic, List<String> words, double pathLogProb) {

    public OracleDocument {
        words = List.copyOf(words);
    }

    /** The words joined by single spaces: what a tokenizer and a model see. */
    public String text() {
        return String.join(" ", words);
    }

    /** The first n words (a prompt for continuation). */
    public List<String> prefix(int n) {
        return words.subList(0, Math.min(n, words.size()));
    }

    /** The words after the first n (the ground-truth continuation of {@link #prefix}). */
    public List<String> suffix(int n) {
        return words.subList(Math.min(n, words.size()), words.size());
    }

    public int size() {
        return words.size();
    }
}
