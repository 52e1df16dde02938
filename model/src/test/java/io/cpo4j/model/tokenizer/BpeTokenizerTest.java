package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GPT-2's real vocabulary: special tokens, decoding partial characters, long pieces, bad ids. */
class BpeTokenizerTest {

    private static BpeTokenizer gpt2;

    @BeforeAll
    static void load() throws IOException {
        gpt2 = BpeFiles.load(SharedFiles.gpt2Tokenizer());
    }

    @Test
    void hasGpt2sShape() {
        assertThat(gpt2.vocabSize()).isEqualTo(50257);
        assertThat(gpt2.mergeCount()).isEqualTo(50000);
        assertThat(gpt2.eotToken()).isEqualTo(50256);
        assertThat(gpt2.specialTokens()).containsExactly(java.util.Map.entry("<|endoftext|>", 50256));
        assertThat(gpt2.encode("Hello world")).containsExactly(15496, 995);
    }

    @Test
    void specialTokensOnlyWhenAllowed() {
        String text = "end.<|endoftext|>Next";
        int[] plain = gpt2.encode(text);
        assertThat(plain).doesNotContain(50256);
        assertThat(gpt2.decode(plain)).isEqualTo(text);
        int[] allowed = gpt2.encode(text, Set.of(Tokenizer.ENDOFTEXT));
        assertThat(allowed).containsExactly(437, 13, 50256, 10019);
        assertThat(gpt2.decode(allowed)).isEqualTo(text);
        assertThat(gpt2.encode("<|endoftext|><|endoftext|>", Set.of(Tokenizer.ENDOFTEXT))).containsExactly(50256, 50256);
        assertThat(gpt2.encode(text, Set.of())).isEqualTo(plain);
        assertThatThrownBy(() -> gpt2.encode(text, Set.of("<|pad|>")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'<|pad|>' is not a special token");
    }

    @Test
    void piecesAroundSpecialTokensArePreTokenizedSeparately() {
        // "a  " at the end of a document keeps its trailing spaces whole, as it would at the end of a text.
        int[] ids = gpt2.encode("a  <|endoftext|> b", Set.of(Tokenizer.ENDOFTEXT));
        int[] expected = concat(gpt2.encode("a  "), new int[] {50256}, gpt2.encode(" b"));
        assertThat(ids).containsExactly(expected);
    }

    @Test
    void decodingIdsThatEndMidCharacterNeverThrows() {
        String text = "emoji 😀🎉 and 中文 naïve 👍🏽";
        int[] ids = gpt2.encode(text);
        byte[] full = text.getBytes(StandardCharsets.UTF_8);
        for (int n = 0; n <= ids.length; n++) {
            int[] prefix = Arrays.copyOf(ids, n);
            byte[] bytes = gpt2.decodeBytes(prefix);
            assertThat(Arrays.copyOf(full, bytes.length)).isEqualTo(bytes);
            assertThat(gpt2.decode(prefix)).isEqualTo(Utf8.decodeLenient(bytes));
        }
        // A lone continuation byte token decodes to one replacement character.
        assertThat(gpt2.decode(new int[] {gpt2.encode("😀")[0]})).isEqualTo("\uFFFD");
    }

    @Test
    void idsOutsideTheVocabularyAreClearErrors() {
        assertThatThrownBy(() -> gpt2.decode(new int[] {15496, 50257}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 50257 at position 1 is outside the vocabulary [0, 50257)");
        assertThatThrownBy(() -> gpt2.decode(new int[] {-1})).hasMessageContaining("token id -1 at position 0");
    }

    @Test
    void longPiecesTakeTheHeapPathWithTheSameResult() {
        Rng rng = new Rng(5);
        String letters = "abcdefghijklmnopqrstuvwxyzéß";
        for (int trial = 0; trial < 300; trial++) {
            StringBuilder sb = new StringBuilder();
            int len = BpeMerge.LONG_PIECE + rng.nextInt(600);
            // Skewed letters give repeats and overlapping pairs ("aaa"), the cases where order matters.
            for (int i = 0; i < len; i++) sb.append(letters.charAt(Math.min(rng.nextInt(letters.length()), rng.nextInt(letters.length()))));
            String word = sb.toString();
            int[] ids = gpt2.encode(word);
            assertThat(gpt2.decode(ids)).isEqualTo(word);
            int[] bytesAsIds = byteIds(word);
            int[] shortPath = bytesAsIds.clone(), longPath = bytesAsIds.clone();
            int a = BpeMerge.mergeShort(table(), shortPath, shortPath.length);
            int b = BpeMerge.mergeLong(table(), longPath, longPath.length);
            assertThat(Arrays.copyOf(longPath, b)).as(word).containsExactly(Arrays.copyOf(shortPath, a));
            assertThat(Arrays.copyOf(shortPath, a)).containsExactly(ids);
        }
    }

    @Test
    void aLongRunWithoutSpacesRoundTrips() {
        // One piece of 500k symbols: the heap path takes well under a second where the quadratic loop would take minutes.
        String run = "ab".repeat(200_000) + "x".repeat(100_000);
        int[] ids = gpt2.encode(run);
        assertThat(ids.length).isLessThan(run.length() / 2);
        assertThat(gpt2.decode(ids)).isEqualTo(run);
    }

    @Test
    void tinyShakespeareHas338025Tokens() throws IOException {
        String text = Utf8.readFile(SharedFiles.dataFile("tinyshakespeare/input.txt"));
        int[] ids = gpt2.encode(text);
        // nanoGPT's data/shakespeare/prepare.py reports 301,966 train + 36,059 val tokens.
        assertThat(ids.length).isEqualTo(338_025);
        assertThat(Arrays.copyOf(ids, 4)).containsExactly(5962, 22307, 25, 198); // "First Citizen:\n"
        assertThat(gpt2.decode(ids)).isEqualTo(text);
    }

    private static MergeTable table;

    private static MergeTable table() {
        if (table == null) {
            int m = gpt2.mergeCount();
            int[] l = new int[m], r = new int[m], res = new int[m];
            for (int i = 0; i < m; i++) {
                int[] merge = gpt2.merge(i);
                l[i] = merge[0];
                r[i] = merge[1];
                res[i] = merge[2];
            }
            table = new MergeTable(l, r, res);
        }
        return table;
    }

    private static int[] byteIds(String word) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = ByteLevel.rankOf(bytes[i] & 0xFF); // GPT-2's byte ids are the alphabet's order
        return ids;
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
