package io.cpo4j.model.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpeTrainerTest {

    @TempDir
    Path dir;

    private static List<String> tokens(BpeTokenizer t, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) out.add(new String(t.tokenBytes(id), StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void learnsTheMostFrequentPairsFirst() {
        // The textbook example (also minbpe's): three merges turn "aaabdaaabac" into aaab d aaab a c.
        BpeTokenizer t = BpeTrainer.train("aaabdaaabac", 256 + 3 + 1);
        assertThat(t.vocabSize()).isEqualTo(260);
        assertThat(t.mergeCount()).isEqualTo(3);
        assertThat(tokens(t, new int[] {256, 257, 258})).containsExactly("aa", "ab", "aaab");
        int[] ids = t.encode("aaabdaaabac");
        assertThat(tokens(t, ids)).containsExactly("aaab", "d", "aaab", "a", "c");
        assertThat(t.eotToken()).isEqualTo(259);
    }

    @Test
    void keepsGpt2sByteIdsAndEndsWithEndOfText() {
        BpeTokenizer t = BpeTrainer.train("hello hello world", 300);
        for (int b = 0; b < 256; b++) assertThat(t.tokenBytes(ByteLevel.rankOf(b))).containsExactly((byte) b);
        assertThat(t.tokenBytes(t.vocabSize() - 1)).isEqualTo("<|endoftext|>".getBytes(StandardCharsets.US_ASCII));
        // Pieces never merge across the pre-tokenizer's boundaries, so the vocabulary stops short of 300.
        assertThat(t.vocabSize()).isLessThan(300);
        assertThat(t.encode(" hello")).hasSize(1);
    }

    @Test
    void trainedVocabularySavesInGpt2FormatAndEncodesTheSame() throws IOException {
        String text = sampleText();
        BpeTokenizer trained = BpeTrainer.train(text, 1000);
        assertThat(trained.vocabSize()).isEqualTo(1000);
        int[] ids = trained.encode(text);
        assertThat(ids.length).isLessThan(text.length() / 2);
        assertThat(trained.decode(ids)).isEqualTo(text);
        BpeFiles.save(trained, dir);
        Tokenizer loaded = Tokenizers.load(dir);
        assertThat(loaded.vocabSize()).isEqualTo(1000);
        assertThat(loaded.eotToken()).isEqualTo(999);
        assertThat(loaded.encode(text)).isEqualTo(ids);
        String unseen = "Zebras quietly 42 naïve — 中文 😀";
        assertThat(loaded.decode(loaded.encode(unseen))).isEqualTo(unseen);
    }

    @Test
    void matchesANaiveTrainerThatRecountsEveryPairAfterEveryMerge() {
        String text = sampleText();
        BpeTokenizer fast = BpeTrainer.train(text, 500);
        List<int[]> naive = naiveMerges(text, 500);
        assertThat(fast.mergeCount()).isEqualTo(naive.size());
        for (int r = 0; r < naive.size(); r++) assertThat(fast.merge(r)).as("merge %d", r).containsExactly(naive.get(r));
    }

    /** minbpe's loop, literally: count all pairs over all pieces, merge the most frequent (ties: smallest pair), repeat. */
    private static List<int[]> naiveMerges(String text, int vocabSize) {
        java.util.Map<String, Integer> pieceCounts = new java.util.TreeMap<>();
        for (String piece : Gpt2PreTokenizer.split(text)) pieceCounts.merge(piece, 1, Integer::sum);
        List<List<Integer>> words = new ArrayList<>();
        List<Integer> freqs = new ArrayList<>();
        pieceCounts.forEach((piece, count) -> {
            List<Integer> w = new ArrayList<>();
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) w.add(ByteLevel.rankOf(b & 0xFF));
            words.add(w);
            freqs.add(count);
        });
        List<String> tokens = new ArrayList<>();
        for (int r = 0; r < 256; r++) tokens.add(ByteLevel.encode(new byte[] {(byte) ByteLevel.byteAtRank(r)}));
        List<int[]> merges = new ArrayList<>();
        while (tokens.size() < vocabSize - 1) {
            java.util.Map<List<Integer>, Long> stats = new java.util.HashMap<>();
            for (int i = 0; i < words.size(); i++) {
                for (int k = 0; k + 1 < words.get(i).size(); k++) stats.merge(words.get(i).subList(k, k + 2), (long) freqs.get(i), Long::sum);
            }
            if (stats.isEmpty()) break;
            List<Integer> best = null;
            for (var e : stats.entrySet()) {
                List<Integer> p = e.getKey();
                if (best == null || e.getValue() > stats.get(best)
                        || (e.getValue().equals(stats.get(best)) && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))))) {
                    best = p;
                }
            }
            int left = best.get(0), right = best.get(1);
            String bytes = tokens.get(left) + tokens.get(right);
            int merged = tokens.indexOf(bytes);
            if (merged < 0) {
                tokens.add(bytes);
                merged = tokens.size() - 1;
            }
            merges.add(new int[] {left, right, merged});
            for (List<Integer> w : words) {
                for (int k = 0; k + 1 < w.size(); k++) {
                    if (w.get(k) == left && w.get(k + 1) == right) {
                        w.set(k, merged);
                        w.remove(k + 1);
                    }
                }
            }
        }
        return merges;
    }

    @Test
    void trainingIsDeterministic() {
        String text = sampleText();
        BpeTokenizer a = BpeTrainer.train(text, 600), b = BpeTrainer.train(text, 600);
        for (int r = 0; r < a.mergeCount(); r++) assertThat(a.merge(r)).containsExactly(b.merge(r));
    }

    @Test
    void endOfTextInTheDataSeparatesDocumentsAndIsNotLearned() {
        BpeTokenizer t = BpeTrainer.train("abc<|endoftext|>abc<|endoftext|>abc", 300);
        for (int id = 0; id < t.vocabSize() - 1; id++) {
            assertThat(new String(t.tokenBytes(id), StandardCharsets.UTF_8)).doesNotContain("<|", "|>");
        }
        assertThat(t.encode("abc")).hasSize(1);
    }

    @Test
    void tooSmallAVocabularyIsRefused() {
        assertThatThrownBy(() -> BpeTrainer.train("abc", 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 257");
        assertThat(BpeTrainer.train("abc", 257).mergeCount()).isZero();
    }

    @Test
    void trainsOnTinyShakespeare() throws IOException {
        String text = Utf8.readFile(SharedFiles.dataFile("tinyshakespeare/input.txt")).substring(0, 200_000);
        BpeTokenizer t = BpeTrainer.train(text, 1024);
        assertThat(t.vocabSize()).isEqualTo(1024);
        int[] ids = t.encode(text);
        // A vocabulary fitted to the text compresses it well below one token per byte (GPT-2's 50k: 3.3 bytes a token).
        assertThat((double) text.length() / ids.length).isGreaterThan(2.3);
        assertThat(t.decode(ids)).isEqualTo(text);
    }

    /** About 100 kB of made-up words (thousands of distinct ones, Zipf-like), deterministic. */
    static String sampleText() {
        String[] syllables = {"the", "qu", "ick", "br", "own", "fo", "x", "ju", "mps", "o", "ver", "la", "zy", "do", "g", "an", "d",
                "ru", "ns", "a", "way", "fr", "om", "hu", "nt", "ers", "wh", "er", "in", "ri", "ba", "nk", "é", "ß", "1", "99"};
        io.cpo4j.engine.Rng rng = new io.cpo4j.engine.Rng(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            int n = 1 + Math.min(rng.nextInt(4), rng.nextInt(4));
            for (int k = 0; k < n; k++) sb.append(syllables[Math.min(rng.nextInt(syllables.length), rng.nextInt(syllables.length))]);
            sb.append(i % 13 == 12 ? ".\n" : i % 5 == 4 ? ", " : " ");
        }
        return sb.toString();
    }
}
