package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.BpeFiles;
import io.cpo4j.model.tokenizer.CharTokenizer;
import io.cpo4j.model.tokenizer.SharedFiles;
import io.cpo4j.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TextSpanDatasetTest {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    @Test
    void spansAreConsecutiveNonOverlappingSlicesOfEachDocument() {
        Tokenizer chars = CharTokenizer.fromText(ALPHABET);
        List<String> docs = List.of(ALPHABET.repeat(4), "short", ALPHABET.repeat(2));
        TextSpanDataset data = new TextSpanDataset(docs, chars, 5, 3, 11);
        assertThat(data.size()).isGreaterThanOrEqualTo(12 + 5); // ⌊(104 − offset) / 8⌋ + ⌊(52 − offset) / 8⌋, offset < 8
        int previousEnd = -1, previousDoc = -1;
        for (int i = 0; i < data.size(); i++) {
            TokenizedExample e = data.get(i);
            int doc = data.document(i), start = data.start(i);
            assertThat(doc).isNotEqualTo(1); // "short" has fewer than 8 tokens
            int[] docIds = chars.encode(docs.get(doc));
            assertThat(e.prefix()).containsExactly(Arrays.copyOfRange(docIds, start, start + 5));
            assertThat(e.continuation()).containsExactly(Arrays.copyOfRange(docIds, start + 5, start + 8));
            if (doc == previousDoc) assertThat(start).isEqualTo(previousEnd);
            else assertThat(start).isBetween(0, 7);
            previousDoc = doc;
            previousEnd = start + 8;
            PrefixContinuation text = data.text(i);
            assertThat(docs.get(doc).substring(start, start + 8)).isEqualTo(text.prefix() + text.continuation());
        }
    }

    @Test
    void theSeedMovesTheCutsDeterministically() {
        Tokenizer chars = CharTokenizer.fromText(ALPHABET);
        List<String> docs = List.of(ALPHABET.repeat(10), ALPHABET.repeat(10), ALPHABET.repeat(10));
        Set<Integer> offsets = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            TextSpanDataset a = new TextSpanDataset(docs, chars, 16, 16, seed), b = new TextSpanDataset(docs, chars, 16, 16, seed);
            for (int i = 0; i < a.size(); i++) assertThat(a.get(i)).isEqualTo(b.get(i));
            offsets.add(a.start(0));
        }
        assertThat(offsets.size()).isGreaterThan(5);
    }

    @Test
    void wikiTextArticlesAsPrefixAndNextSpan() throws IOException {
        Tokenizer gpt2 = BpeFiles.load(SharedFiles.gpt2Tokenizer());
        List<String> articles = WikiText.read(SharedFiles.dataFile("wikitext-2-raw/wiki.valid.raw"), true).stream().map(WikiText.Article::text).toList();
        TextSpanDataset data = new TextSpanDataset(articles, gpt2, 32, 64, 0);
        // About 250k tokens in 96-token spans.
        assertThat(data.size()).isBetween(2000, 2700);
        TokenizedExample e = data.get(0);
        assertThat(e.prefix()).hasSize(32);
        assertThat(e.continuation()).hasSize(64);
    }
}
