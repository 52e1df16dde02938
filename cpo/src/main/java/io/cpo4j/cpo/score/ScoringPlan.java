package io.cpo4j.cpo.score;

import io.cpo4j.engine.ops.F;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How a candidate set runs through a model: which rows, grouped in which forward passes, and
 * where each candidate's log-probabilities are read.
 *
 * <p><b>Rows are shared.</b> The logits that score a candidate c of L tokens depend only on
 * prefix + c[0..L−2]. Any row of the same example that starts with c[0..L−2] and is at least L
 * tokens long therefore holds all of them: a truncation negative is read from its truth, an exact
 * duplicate from its twin. Only c's last token may differ from the row's own; it is read through
 * an extra target layer over the same logits.
 *
 * <p><b>Rows are bucketed by length</b> ({@link LengthBuckets}): each forward pads its rows only
 * to its own longest.
 *
 * <p><b>Known scores are not recomputed.</b> A candidate whose log-probability is already known
 * (finite in {@code known}; NaN means unknown) gets no row at all.
 *
 * <p>Each bucket's layer l reads targets {@code layers[l]} (rows·T, {@link F#IGNORE_INDEX} = ignored) from the bucket's
 * logits; {@code selection[l]} is a (B·K, rows·T) 0/1 matrix that sums the read log-probabilities
 * into candidates.
 */
final class ScoringPlan {

    /** One forward pass: padded rows, the target layers read from its logits, and their selections into candidates. */
    record Bucket(PaddedRows rows, List<int[]> layers, List<float[]> selections) {}

    private final List<Bucket> buckets;
    private final float[] known;                    // (B·K): the known log-probability, or 0 where scored

    private ScoringPlan(List<Bucket> buckets, float[] known) {
        this.buckets = buckets;
        this.known = known;
    }

    List<Bucket> buckets() {
        return buckets;
    }

    /** (B·K) constants to add to the scored sums: the known log-probabilities, 0 where a row scores the candidate. */
    float[] known() {
        return known;
    }

    /** Rows over all buckets (for tests and accounting). */
    int rows() {
        int n = 0;
        for (Bucket b : buckets) n += b.rows().rows();
        return n;
    }

    /** Padded positions over all buckets. */
    long paddedPositions() {
        long n = 0;
        for (Bucket b : buckets) n += (long) b.rows().rows() * b.rows().time();
        return n;
    }

    /** @param known (B, K) log-probabilities already known, NaN (any non-finite value) where the candidate must be scored; null = none known */
    static ScoringPlan of(CandidateSet set, float[][] known) {
        int b = set.examples(), k = set.candidates();
        if (known != null) {
            if (known.length != b) throw new IllegalArgumentException("known scores: " + known.length + " rows for " + b + " examples");
            for (float[] row : known) {
                if (row.length != k) throw new IllegalArgumentException("known scores: a row of " + row.length + " for " + k + " candidates");
            }
        }
        float[] constants = new float[b * k];
        List<Host> hosts = new ArrayList<>();
        int[] hostOf = new int[b * k];
        Arrays.fill(hostOf, -1);
        for (int example = 0; example < b; example++) {
            int e = example;
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                float v = known == null ? Float.NaN : known[e][j];
                if (!Float.isFinite(v)) order.add(j);                   // unknown (or unusable): scored
                else constants[e * k + j] = v;
            }
            order.sort(Comparator.comparingInt((Integer j) -> -set.continuation(e, j).length).thenComparingInt(j -> j));
            int first = hosts.size();
            for (int j : order) {
                int[] c = set.continuation(e, j);
                int host = -1;
                for (int h = first; h < hosts.size() && host < 0; h++) if (holds(hosts.get(h).continuation, c)) host = h;
                if (host < 0) {
                    host = hosts.size();
                    hosts.add(new Host(e, c, set.prefix(e).length + c.length - 1));
                }
                hostOf[e * k + j] = host;
            }
        }
        return new ScoringPlan(buckets(set, hosts, hostOf), constants);
    }

    private record Host(int example, int[] continuation, int time) {}

    /** Whether a row with continuation {@code row} yields every log-probability of candidate {@code c}. */
    static boolean holds(int[] row, int[] c) {
        if (row.length < c.length) return false;
        for (int i = 0; i < c.length - 1; i++) if (row[i] != c[i]) return false;
        return true;
    }

    private static List<Bucket> buckets(CandidateSet set, List<Host> hosts, int[] hostOf) {
        int[] times = new int[hosts.size()];
        for (int h = 0; h < times.length; h++) times[h] = hosts.get(h).time;
        List<Bucket> out = new ArrayList<>();
        for (int[] members : LengthBuckets.of(times)) out.add(bucket(set, hosts, hostOf, members));
        return out;
    }

    private static Bucket bucket(CandidateSet set, List<Host> hosts, int[] hostOf, int[] members) {
        int rows = members.length, k = set.candidates(), candidates = set.examples() * k;
        int[][] prefixes = new int[rows][], conts = new int[rows][];
        int[] rowOfHost = new int[hosts.size()];                        // this bucket's row of each host, or −1
        Arrays.fill(rowOfHost, -1);
        for (int r = 0; r < rows; r++) {
            Host h = hosts.get(members[r]);
            prefixes[r] = set.prefix(h.example);
            conts[r] = h.continuation;
            rowOfHost[members[r]] = r;
        }
        PaddedRows padded = PaddedRows.of(prefixes, conts);
        int t = padded.time(), positions = rows * t;
        List<int[]> layers = new ArrayList<>();
        List<float[]> selections = new ArrayList<>();
        layers.add(padded.targets());
        selections.add(new float[candidates * positions]);
        for (int cand = 0; cand < candidates; cand++) {
            int r = hostOf[cand] < 0 ? -1 : rowOfHost[hostOf[cand]];
            if (r < 0) continue;                                         // known, or in another bucket
            int[] c = set.continuation(cand / k, cand % k), own = conts[r];
            int start = r * t + prefixes[r].length - 1;                  // the position that predicts c[0]
            for (int i = 0; i < c.length; i++) {
                int at = start + i, layer = 0;
                if (c[i] != own[i]) {                                    // only the last token can differ
                    layer = 1;
                    while (layer < layers.size() && layers.get(layer)[at] != F.IGNORE_INDEX && layers.get(layer)[at] != c[i]) layer++;
                    if (layer == layers.size()) {
                        int[] targets = new int[positions];
                        Arrays.fill(targets, F.IGNORE_INDEX);
                        layers.add(targets);
                        selections.add(new float[candidates * positions]);
                    }
                    layers.get(layer)[at] = c[i];
                }
                selections.get(layer)[cand * positions + at] = 1f;
            }
        }
        return new Bucket(padded, layers, selections);
    }
}
