package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long piece is merged as runs between boundaries no merge can cross; the ids must be exactly
 * those of merging the whole piece with one heap, as HuggingFace does.
 */
class HfBpeLongPieceTest {

    /** Random merges over an alphabet in which some neighbours never share a token ('▁' only starts tokens; 'q' is unknown). */
    @Test
    void longPiecesGiveTheIdsOfMergingTheWholePiece() {
        Rng rng = new Rng(7);
        String alphabet = "abc▁xy";
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < alphabet.length(); i++) vocab.put(String.valueOf(alphabet.charAt(i)), vocab.size());
        vocab.put("<unk>", vocab.size());
        List<String> tokens = new ArrayList<>(vocab.keySet().stream().filter(t -> t.length() == 1).toList());
        List<int[]> merges = new ArrayList<>();
        while (merges.size() < 60) {
            String left = tokens.get(rng.nextInt(tokens.size())), right = tokens.get(rng.nextInt(tokens.size()));
            String merged = left + right;
            if (right.contains("▁") || merged.length() > 6 || vocab.containsKey(merged)) continue;
            if (merged.contains("xy") || merged.contains("yx")) continue;    // x then y (and y then x) never join
            vocab.put(merged, vocab.size());
            tokens.add(merged);
            merges.add(new int[] {vocab.get(left), vocab.get(right), vocab.get(merged)});
        }
        int[] left = merges.stream().mapToInt(m -> m[0]).toArray(), right = merges.stream().mapToInt(m -> m[1]).toArray();
        int[] result = merges.stream().mapToInt(m -> m[2]).toArray();
        int unk = vocab.get("<unk>");
        HfBpeModel model = new HfBpeModel(vocab, left, right, result, unk, false, false, false, false);
        MergeTable table = new MergeTable(left, right, result);

        String text = alphabet + "q";
        for (int trial = 0; trial < 200; trial++) {
            int n = BpeMerge.LONG_PIECE + 1 + rng.nextInt(trial < 100 ? 200 : 3000);
            StringBuilder piece = new StringBuilder();
            for (int i = 0; i < n; i++) piece.append(text.charAt(rng.nextInt(text.length())));
            IntList ids = new IntList();
            model.encode(piece.toString(), ids, new HfBpeModel.Encoding());

            int[] sym = new int[n];
            for (int i = 0; i < n; i++) sym[i] = piece.charAt(i) == 'q' ? -1 - 'q' : vocab.get(String.valueOf(piece.charAt(i)));
            int len = BpeMerge.mergeLowestFirstLong(table, sym, n);
            int[] whole = Arrays.stream(Arrays.copyOf(sym, len)).map(id -> id < 0 ? unk : id).toArray();
            assertThat(ids.toArray()).as("piece %d of %d characters", trial, n).isEqualTo(whole);
        }
    }
}
