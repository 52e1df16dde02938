package io.cpo4j.cli.oracle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a grammar as named states and weighted arcs — word-class arcs, silent ε-arcs (for
 * optional parts) and end-of-document arcs — and compiles it into a {@link Grammar}: weights are
 * normalised per state, ε-paths are folded into the word arcs they lead to, and the states that
 * only ε-arcs enter disappear. Compilation refuses ε-cycles, dead ends and unreachable states,
 * so a mistake in the grammar fails every test at once instead of skewing probabilities.
 */
final class GrammarBuilder {

    private static final int EPSILON = -1, END = -2;

    private record Raw(int cls, int to, double weight) {}

    private final Lexicon lexicon;
    private final Map<String, Integer> classIds = new LinkedHashMap<>();
    private final Map<String, Integer> stateIds = new LinkedHashMap<>();
    private final List<List<Raw>> out = new ArrayList<>();

    GrammarBuilder(Lexicon lexicon) {
        this.lexicon = lexicon;
        for (String c : lexicon.classNames()) classIds.put(c, classIds.size());
    }

    private int state(String name) {
        Integer id = stateIds.get(name);
        if (id != null) return id;
        stateIds.put(name, out.size());
        out.add(new ArrayList<>());
        return out.size() - 1;
    }

    /** From {@code from}, with relative weight w, emit a word of class {@code cls} and go to {@code to}. */
    GrammarBuilder arc(String from, String cls, String to, double w) {
        Integer c = classIds.get(cls);
        if (c == null) throw new IllegalArgumentException("grammar: no word class " + cls + " (arc " + from + " → " + to + ")");
        return add(from, c, to, w);
    }

    /** From {@code from}, with relative weight w, go to {@code to} without emitting a word. */
    GrammarBuilder epsilon(String from, String to, double w) {
        return add(from, EPSILON, to, w);
    }

    /** From {@code from}, with relative weight w, end the document. */
    GrammarBuilder end(String from, double w) {
        return add(from, END, from, w);
    }

    private GrammarBuilder add(String from, int cls, String to, double w) {
        if (!(w > 0)) throw new IllegalArgumentException("grammar: weight " + w + " on " + from + " → " + to);
        int f = state(from);
        out.get(f).add(new Raw(cls, state(to), w));
        return this;
    }

    Grammar compile(String startName, double[] topicPrior) {
        int n = out.size();
        Integer start = stateIds.get(startName);
        if (start == null) throw new IllegalArgumentException("grammar: no start state " + startName);
        for (int s = 0; s < n; s++) if (out.get(s).isEmpty()) throw new IllegalStateException("grammar: state " + name(s) + " has no way out");

        // Fold ε-paths: every state gets a distribution over (class, target) and end.
        List<Map<Long, Double>> arcs = new ArrayList<>();
        double[] end = new double[n];
        for (int s = 0; s < n; s++) {
            Map<Long, Double> acc = new LinkedHashMap<>();
            double[] e = new double[1];
            expand(s, 1.0, acc, e, new ArrayDeque<>());
            arcs.add(acc);
            end[s] = e[0];
        }

        // Keep the start and the states word arcs enter, reachable from the start.
        boolean[] keep = new boolean[n];
        Deque<Integer> todo = new ArrayDeque<>(List.of(start));
        keep[start] = true;
        while (!todo.isEmpty()) {
            int s = todo.pop();
            for (long key : arcs.get(s).keySet()) {
                int to = (int) key;
                if (!keep[to]) {
                    keep[to] = true;
                    todo.push(to);
                }
            }
        }
        int[] newId = new int[n];
        Arrays.fill(newId, -1);
        List<String> names = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (!keep[s]) continue;
            newId[s] = names.size();
            names.add(name(s));
        }
        List<int[]> compiled = new ArrayList<>();
        List<Double> probs = new ArrayList<>();
        double[] endProb = new double[names.size()];
        for (int s = 0; s < n; s++) {
            if (!keep[s]) continue;
            endProb[newId[s]] = end[s];
            for (Map.Entry<Long, Double> a : arcs.get(s).entrySet()) {
                compiled.add(new int[] {newId[s], (int) (a.getKey() >> 32), newId[(int) (long) a.getKey()]});
                probs.add(a.getValue());
            }
        }
        checkEveryStateCanEnd(names, compiled, endProb);

        Vocabulary vocab = new Vocabulary(lexicon.allWords());
        List<WordClass> classes = new ArrayList<>();
        for (String c : classIds.keySet()) classes.add(new WordClass(c, lexicon.groups(c), vocab, topicPrior.length));
        int m = compiled.size();
        int[] from = new int[m], cls = new int[m], to = new int[m];
        double[] p = new double[m];
        for (int i = 0; i < m; i++) {
            from[i] = compiled.get(i)[0];
            cls[i] = compiled.get(i)[1];
            to[i] = compiled.get(i)[2];
            p[i] = probs.get(i);
        }
        return new Grammar(vocab, Lexicon.TOPICS, topicPrior, classes, names.toArray(String[]::new), newId[start], from, cls, to, p, endProb);
    }

    private void expand(int s, double mass, Map<Long, Double> acc, double[] end, Deque<Integer> path) {
        if (path.contains(s)) throw new IllegalStateException("grammar: ε-cycle through " + name(s));
        path.push(s);
        double total = 0;
        for (Raw r : out.get(s)) total += r.weight;
        for (Raw r : out.get(s)) {
            double p = mass * r.weight / total;
            if (r.cls == EPSILON) expand(r.to, p, acc, end, path);
            else if (r.cls == END) end[0] += p;
            else acc.merge(((long) r.cls << 32) | r.to, p, Double::sum);
        }
        path.pop();
    }

    private static void checkEveryStateCanEnd(List<String> names, List<int[]> arcs, double[] endProb) {
        int n = names.size();
        boolean[] canEnd = new boolean[n];
        for (int s = 0; s < n; s++) canEnd[s] = endProb[s] > 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int[] a : arcs) {
                if (!canEnd[a[0]] && canEnd[a[2]]) {
                    canEnd[a[0]] = true;
                    changed = true;
                }
            }
        }
        for (int s = 0; s < n; s++) if (!canEnd[s]) throw new IllegalStateException("grammar: state " + names.get(s) + " can never reach the end");
    }

    private String name(int id) {
        for (Map.Entry<String, Integer> e : stateIds.entrySet()) if (e.getValue() == id) return e.getKey();
        return "#" + id;
    }
}
