package io.cpo4j.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Trains a byte-level BPE vocabulary the way minbpe's {@code RegexTokenizer} does: the text is cut
 * by GPT-2's pre-tokenizer, every piece starts as its UTF-8 bytes, and the most frequent adjacent
 * pair (counted over all pieces) is merged into a new token, until the vocabulary has the asked
 * size. Ids 0–255 are the single bytes in GPT-2's order, merges follow, and the last id is
 * {@code <|endoftext|>} (so a target of 50,257 has GPT-2's layout). Occurrences of
 * {@code <|endoftext|>} in the training text separate documents and are not learned from.
 *
 * <p>Where minbpe recounts every pair after each merge, this counts once over the distinct pieces
 * (weighted by frequency) and then updates only the pieces a merge touches, with a lazy max-heap
 * of counts — the same merges, in seconds instead of hours. Ties between equally frequent pairs go
 * to the smaller (left id, right id), so training is deterministic. When a merge produces bytes that
 * an earlier merge already made (possible in BPE), the existing token is reused, so that every
 * token has distinct bytes, as {@code encoder.json} requires.
 */
public final class BpeTrainer {

    private BpeTrainer() {}

    /** The smallest vocabulary: the 256 bytes and {@code <|endoftext|>}. */
    public static final int MIN_VOCAB = 257;

    public static BpeTokenizer train(String text, int vocabSize) {
        if (vocabSize < MIN_VOCAB) {
            throw new IllegalArgumentException("vocabulary size " + vocabSize + " is too small: byte-level BPE needs at least " + MIN_VOCAB + " (256 bytes + <|endoftext|>)");
        }
        return new Run(text).train(vocabSize);
    }

    /** One training run's state: the distinct pieces, pair counts, and the vocabulary so far. */
    private static final class Run {
        private final int[][] words;   // distinct pieces as token ids; shrink as merges apply
        private final int[] lengths;
        private final long[] freq;     // how often each piece occurs
        private final int[] visited;   // last merge step that rewrote each piece
        private final Map<Long, Long> counts = new HashMap<>();
        private final Map<Long, IntList> wordsOfPair = new HashMap<>();
        private final PriorityQueue<long[]> heap = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
        private final List<byte[]> tokens = new ArrayList<>();
        private final Map<String, Integer> idOfBytes = new HashMap<>();
        private final IntList mergeLeft = new IntList(), mergeRight = new IntList(), mergeResult = new IntList();

        Run(String text) {
            Map<String, long[]> pieces = new LinkedHashMap<>();
            for (String document : text.split(java.util.regex.Pattern.quote(Tokenizer.ENDOFTEXT), -1)) {
                for (int i = 0; i < document.length(); ) {
                    int j = Gpt2PreTokenizer.end(document, i);
                    pieces.computeIfAbsent(document.substring(i, j), k -> new long[1])[0]++;
                    i = j;
                }
            }
            words = new int[pieces.size()][];
            lengths = new int[pieces.size()];
            freq = new long[pieces.size()];
            visited = new int[pieces.size()];
            int w = 0;
            for (Map.Entry<String, long[]> e : pieces.entrySet()) {
                byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
                int[] sym = new int[bytes.length];
                for (int k = 0; k < bytes.length; k++) sym[k] = ByteLevel.rankOf(bytes[k] & 0xFF);
                words[w] = sym;
                lengths[w] = sym.length;
                freq[w] = e.getValue()[0];
                w++;
            }
            for (int r = 0; r < 256; r++) {
                byte[] b = {(byte) ByteLevel.byteAtRank(r)};
                tokens.add(b);
                idOfBytes.put(ByteLevel.encode(b), r);
            }
        }

        BpeTokenizer train(int vocabSize) {
            for (int w = 0; w < words.length; w++) {
                for (int k = 0; k + 1 < lengths[w]; k++) {
                    long key = MergeTable.key(words[w][k], words[w][k + 1]);
                    counts.merge(key, freq[w], Long::sum);
                    wordsOfPair.computeIfAbsent(key, x -> new IntList(4)).add(w);
                }
            }
            for (Map.Entry<Long, Long> e : counts.entrySet()) heap.add(new long[] {e.getValue(), e.getKey()});

            int step = 0;
            while (tokens.size() < vocabSize - 1) {
                long[] best = popBest();
                if (best == null) break; // every piece is a single token: nothing left to merge
                step++;
                int left = (int) (best[1] >>> 32), right = (int) best[1];
                int merged = tokenFor(left, right);
                mergeLeft.add(left);
                mergeRight.add(right);
                mergeResult.add(merged);
                applyMerge(step, best[1], left, right, merged);
            }
            tokens.add(Tokenizer.ENDOFTEXT.getBytes(StandardCharsets.US_ASCII));
            return new BpeTokenizer(tokens.toArray(new byte[0][]), mergeLeft.toArray(), mergeRight.toArray(), mergeResult.toArray());
        }

        /** The pair with the highest current count (ties: smallest key), skipping stale heap entries. */
        private long[] popBest() {
            while (!heap.isEmpty()) {
                long[] top = heap.poll();
                Long current = counts.get(top[1]);
                if (current != null && current == top[0] && current > 0) return top;
            }
            return null;
        }

        private int tokenFor(int left, int right) {
            byte[] a = tokens.get(left), b = tokens.get(right);
            byte[] bytes = new byte[a.length + b.length];
            System.arraycopy(a, 0, bytes, 0, a.length);
            System.arraycopy(b, 0, bytes, a.length, b.length);
            return idOfBytes.computeIfAbsent(ByteLevel.encode(bytes), k -> {
                tokens.add(bytes);
                return tokens.size() - 1;
            });
        }

        private void applyMerge(int step, long pairKey, int left, int right, int merged) {
            IntList candidates = wordsOfPair.remove(pairKey);
            Map<Long, Boolean> touched = new LinkedHashMap<>();
            for (int c = 0; c < candidates.size(); c++) {
                int w = candidates.get(c);
                if (visited[w] == step) continue;
                visited[w] = step;
                int[] sym = words[w];
                int len = lengths[w];
                if (!contains(sym, len, left, right)) continue;
                addPairs(w, -freq[w], touched, -1);
                int out = 0;
                for (int k = 0; k < len; ) {
                    if (k + 1 < len && sym[k] == left && sym[k + 1] == right) {
                        sym[out++] = merged;
                        k += 2;
                    } else {
                        sym[out++] = sym[k++];
                    }
                }
                lengths[w] = out;
                addPairs(w, freq[w], touched, merged);
            }
            for (Long key : touched.keySet()) {
                long count = counts.getOrDefault(key, 0L);
                if (count > 0) heap.add(new long[] {count, key});
                else {
                    counts.remove(key);
                    wordsOfPair.remove(key);
                }
            }
        }

        /** Adds delta to the count of every pair of word w; pairs holding {@code newToken} learn that w has them. */
        private void addPairs(int w, long delta, Map<Long, Boolean> touched, int newToken) {
            int[] sym = words[w];
            for (int k = 0; k + 1 < lengths[w]; k++) {
                long key = MergeTable.key(sym[k], sym[k + 1]);
                counts.merge(key, delta, Long::sum);
                touched.put(key, Boolean.TRUE);
                if (sym[k] == newToken || sym[k + 1] == newToken) wordsOfPair.computeIfAbsent(key, x -> new IntList(4)).add(w);
            }
        }

        private static boolean contains(int[] sym, int len, int left, int right) {
            for (int k = 0; k + 1 < len; k++) if (sym[k] == left && sym[k + 1] == right) return true;
            return false;
        }
    }
}
