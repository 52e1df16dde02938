package io.cpo4j.cli.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Repetition and diversity of generated sequences (of words or token ids), by n-grams.
 *
 * <ul>
 *   <li>{@link #repetition rep-n} (Welleck et al. 2019, "seq-rep-n"): per sequence, the fraction of
 *       its n-grams that repeat an earlier one, 1 − unique / total; averaged over sequences.
 *       0 = no loops; a sequence stuck in a loop tends to 1.</li>
 *   <li>{@link #distinct distinct-n} (Li et al. 2016): unique n-grams over all n-grams, pooled over
 *       all sequences. 1 = every n-gram different; low = the samples say the same things.</li>
 * </ul>
 * Sequences shorter than n have no n-grams and are left out; with no n-grams at all both are 0.
 */
public final class Ngrams {

    private Ngrams() {}

    public static <T> double repetition(List<? extends List<T>> sequences, int n) {
        requirePositive(n);
        double sum = 0;
        int counted = 0;
        for (List<T> s : sequences) {
            int total = s.size() - n + 1;
            if (total <= 0) continue;
            Set<List<T>> unique = new HashSet<>();
            for (int i = 0; i < total; i++) unique.add(ngram(s, i, n));
            sum += 1 - (double) unique.size() / total;
            counted++;
        }
        return counted == 0 ? 0 : sum / counted;
    }

    public static <T> double distinct(List<? extends List<T>> sequences, int n) {
        requirePositive(n);
        Set<List<T>> unique = new HashSet<>();
        long total = 0;
        for (List<T> s : sequences) {
            for (int i = 0; i + n <= s.size(); i++) {
                unique.add(ngram(s, i, n));
                total++;
            }
        }
        return total == 0 ? 0 : (double) unique.size() / total;
    }

    /** Token-id sequences as lists, for the functions above. */
    public static List<List<Integer>> ofIds(List<int[]> sequences) {
        List<List<Integer>> out = new ArrayList<>(sequences.size());
        for (int[] s : sequences) {
            List<Integer> l = new ArrayList<>(s.length);
            for (int id : s) l.add(id);
            out.add(l);
        }
        return out;
    }

    private static <T> List<T> ngram(List<T> s, int i, int n) {
        return List.copyOf(s.subList(i, i + n));
    }

    private static void requirePositive(int n) {
        if (n <= 0) throw new IllegalArgumentException("n-gram order must be positive, got " + n);
    }
}
