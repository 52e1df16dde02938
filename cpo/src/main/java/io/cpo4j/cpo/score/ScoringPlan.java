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
 * <p><b>Prefixes may run once</b> ({@link #shared}): each example's prompt but its last token runs
 * once through the model, and its rows — [the prompt's last token, c[0..L−2]], L positions, the
 * first of which predicts c[0] — attend to its keys and values instead of holding the prompt. The
 * prompts are grouped by length ({@link LengthBuckets}), each group one pass, right-padded; the
 * rows of a group's examples are bucketed by length behind it. The row sharing above holds as it
 * is: a row still yields every log-probability of the candidates it holds.
 *
 * <p>Each bucket's layer l reads targets {@code layers[l]} (rows·T, {@link F#IGNORE_INDEX} = ignored) from the bucket's
 * logits; {@code selection[l]} is a (B·K, rows·T) 0/1 matrix that sums the read log-probabilities
 * into candidates.
 */
final class ScoringPlan {

    /**
     * One forward pass: input ids (rows, time), right-padded; in a shared plan, the prefix of its
     * group each row continues (null when each row holds its own prefix); the target layers read
     * from its logits, and their selections into candidates.
     */
    record Bucket(int[] inputs, int rows, int time, int[] prefixOf, List<int[]> layers, List<float[]> selections) {}

    /** Prompts run once, right-padded: ids (N, time), lengths (N), each in [0, time]. */
    record Prefixes(int[] ids, int[] lengths, int time) {}

    /** A prefix pass (null when the rows hold their prefixes) and the buckets that run behind it. */
    record Group(Prefixes prefixes, List<Bucket> buckets) {}

    private final List<Group> groups;
    private final float[] known;                    // (B·K): the known log-probability, or 0 where scored

    private ScoringPlan(List<Group> groups, float[] known) {
        this.groups = groups;
        this.known = known;
    }

    List<Group> groups() {
        return groups;
    }

    /** Every group's buckets, in order. */
    List<Bucket> buckets() {
        List<Bucket> all = new ArrayList<>();
        for (Group g : groups) all.addAll(g.buckets());
        return all;
    }

    /** (B·K) constants to add to the scored sums: the known log-probabilities, 0 where a row scores the candidate. */
    float[] known() {
        return known;
    }

    /** Rows over all buckets (for tests and accounting). */
    int rows() {
        int n = 0;
        for (Bucket b : buckets()) n += b.rows();
        return n;
    }

    /** Padded positions over all passes: the buckets' rows, and the prefix passes'. */
    long paddedPositions() {
        long n = 0;
        for (Group g : groups) {
            if (g.prefixes() != null) n += (long) g.prefixes().lengths().length * g.prefixes().time();
            for (Bucket b : g.buckets()) n += (long) b.rows() * b.time();
        }
        return n;
    }

    /** Each row holds its prefix. @param known (B, K) log-probabilities already known, NaN (any non-finite value) where the candidate must be scored; null = none known */
    static ScoringPlan of(CandidateSet set, float[][] known) {
        Hosts h = Hosts.of(set, known);
        List<Bucket> buckets = new ArrayList<>();
        for (int[] members : LengthBuckets.of(h.times(host -> set.prefix(host.example).length + host.continuation.length - 1))) {
            int rows = members.length;
            int[][] prefixes = new int[rows][], conts = new int[rows][];
            int[] starts = new int[rows];
            for (int r = 0; r < rows; r++) {
                Host host = h.hosts.get(members[r]);
                prefixes[r] = set.prefix(host.example);
                conts[r] = host.continuation;
                starts[r] = prefixes[r].length - 1;                  // the position that predicts c[0]
            }
            PaddedRows padded = PaddedRows.of(prefixes, conts);
            buckets.add(bucket(set, h, members, padded.inputs(), padded.time(), padded.targets(), starts, null));
        }
        return new ScoringPlan(List.of(new Group(null, buckets)), h.constants);
    }

    /**
     * Each example's prompt but its last token runs once (see the class comment); rows are
     * [last prompt token, c[0..L−2]]. Same arguments as {@link #of}.
     */
    static ScoringPlan shared(CandidateSet set, float[][] known) {
        Hosts h = Hosts.of(set, known);
        List<Integer> examples = new ArrayList<>();                 // examples with rows, in order
        for (Host host : h.hosts) if (examples.isEmpty() || examples.get(examples.size() - 1) != host.example) examples.add(host.example);
        int[] contextLengths = new int[examples.size()];
        for (int i = 0; i < contextLengths.length; i++) contextLengths[i] = set.prefix(examples.get(i)).length - 1;
        List<Group> groups = new ArrayList<>();
        for (int[] group : LengthBuckets.of(contextLengths)) {
            int n = group.length, time = 0;
            int[] lengths = new int[n], slot = new int[set.examples()];   // slot: the example's prefix index in this group
            Arrays.fill(slot, -1);
            for (int i = 0; i < n; i++) {
                lengths[i] = contextLengths[group[i]];
                time = Math.max(time, lengths[i]);
                slot[examples.get(group[i])] = i;
            }
            int[] ids = new int[n * time];
            for (int i = 0; i < n; i++) System.arraycopy(set.prefix(examples.get(group[i])), 0, ids, i * time, lengths[i]);
            List<Integer> inGroup = new ArrayList<>();
            for (int host = 0; host < h.hosts.size(); host++) if (slot[h.hosts.get(host).example] >= 0) inGroup.add(host);
            int[] rowLengths = new int[inGroup.size()];
            for (int i = 0; i < rowLengths.length; i++) rowLengths[i] = h.hosts.get(inGroup.get(i)).continuation.length;
            List<Bucket> buckets = new ArrayList<>();
            for (int[] part : LengthBuckets.of(rowLengths)) {
                int[] members = new int[part.length];
                for (int r = 0; r < part.length; r++) members[r] = inGroup.get(part[r]);
                buckets.add(sharedBucket(set, h, members, slot));
            }
            groups.add(new Group(new Prefixes(ids, lengths, time), buckets));
        }
        return new ScoringPlan(groups, h.constants);
    }

    /** Rows [last prompt token, c[0..L−2]] (rows, T = longest L), targets c[0..L−1], each continuing its example's slot. */
    private static Bucket sharedBucket(CandidateSet set, Hosts h, int[] members, int[] slot) {
        int rows = members.length, t = 0;
        for (int m : members) t = Math.max(t, h.hosts.get(m).continuation.length);
        int[] inputs = new int[rows * t], targets = new int[rows * t], starts = new int[rows], prefixOf = new int[rows];
        Arrays.fill(targets, F.IGNORE_INDEX);
        for (int r = 0; r < rows; r++) {
            Host host = h.hosts.get(members[r]);
            int[] prefix = set.prefix(host.example), c = host.continuation;
            inputs[r * t] = prefix[prefix.length - 1];
            System.arraycopy(c, 0, inputs, r * t + 1, c.length - 1);
            System.arraycopy(c, 0, targets, r * t, c.length);
            prefixOf[r] = slot[host.example];
        }
        return bucket(set, h, members, inputs, t, targets, starts, prefixOf);
    }

    /** A row's content: its example and continuation. */
    private record Host(int example, int[] continuation) {}

    /** The rows of a set (sharing what they can) and which row yields each candidate (−1: known). */
    private record Hosts(List<Host> hosts, int[] hostOf, float[] constants) {

        static Hosts of(CandidateSet set, float[][] known) {
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
                        hosts.add(new Host(e, c));
                    }
                    hostOf[e * k + j] = host;
                }
            }
            return new Hosts(hosts, hostOf, constants);
        }

        int[] times(java.util.function.ToIntFunction<Host> time) {
            int[] t = new int[hosts.size()];
            for (int i = 0; i < t.length; i++) t[i] = time.applyAsInt(hosts.get(i));
            return t;
        }
    }

    /** Whether a row with continuation {@code row} yields every log-probability of candidate {@code c}. */
    static boolean holds(int[] row, int[] c) {
        if (row.length < c.length) return false;
        for (int i = 0; i < c.length - 1; i++) if (row[i] != c[i]) return false;
        return true;
    }

    /**
     * The target layers and selections of a pass over rows {@code members} (hosts), laid out as
     * inputs (rows, t) with row r's position starts[r] + i predicting its continuation's token i;
     * targets: layer 0, the rows' own continuations.
     */
    private static Bucket bucket(CandidateSet set, Hosts h, int[] members, int[] inputs, int t, int[] targets, int[] starts, int[] prefixOf) {
        int rows = members.length, k = set.candidates(), candidates = set.examples() * k, positions = rows * t;
        int[] rowOfHost = new int[h.hosts.size()];                      // this bucket's row of each host, or −1
        Arrays.fill(rowOfHost, -1);
        for (int r = 0; r < rows; r++) rowOfHost[members[r]] = r;
        List<int[]> layers = new ArrayList<>();
        List<float[]> selections = new ArrayList<>();
        layers.add(targets);
        selections.add(new float[candidates * positions]);
        for (int cand = 0; cand < candidates; cand++) {
            int r = h.hostOf[cand] < 0 ? -1 : rowOfHost[h.hostOf[cand]];
            if (r < 0) continue;                                         // known, or in another bucket
            int[] c = set.continuation(cand / k, cand % k), own = h.hosts.get(members[r]).continuation;
            int start = r * t + starts[r];
            for (int i = 0; i < c.length; i++) {
                int at = start + i, layer = 0;
                if (c[i] != own[i]) {                                    // only the last token can differ
                    layer = 1;
                    while (layer < layers.size() && layers.get(layer)[at] != F.IGNORE_INDEX && layers.get(layer)[at] != c[i]) layer++;
                    if (layer == layers.size()) {
                        int[] extra = new int[positions];
                        Arrays.fill(extra, F.IGNORE_INDEX);
                        layers.add(extra);
                        selections.add(new float[candidates * positions]);
                    }
                    layers.get(layer)[at] = c[i];
                }
                selections.get(layer)[cand * positions + at] = 1f;
            }
        }
        return new Bucket(inputs, rows, t, prefixOf, layers, selections);
    }
}
