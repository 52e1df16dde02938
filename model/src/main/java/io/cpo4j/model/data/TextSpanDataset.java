package io.cpo4j.model.data;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Plain-text documents as (prefix, continuation): each document is tokenized and cut into
 * consecutive, non-overlapping spans of P + C tokens — P tokens of prefix, then the C tokens that
 * truly follow — starting at a random offset below P + C drawn per document from the seed (so
 * different seeds see different cuts, and adding a document does not move the others' spans).
 * Documents shorter than P + C give no example. The open-ended generation setting of the CPO
 * paper (a Wikipedia prefix and its next span) is this with WikiText articles as documents.
 */
public final class TextSpanDataset implements PrefixContinuationDataset {

    private final Tokenizer tokenizer;
    private final int prefixTokens, continuationTokens;
    private final int[][] documents;    // token ids of each document
    private final int[] spanDocument, spanStart;

    public TextSpanDataset(List<String> documents, Tokenizer tokenizer, int prefixTokens, int continuationTokens, long seed) {
        if (prefixTokens <= 0 || continuationTokens <= 0) {
            throw new IllegalArgumentException("prefix and continuation lengths must be positive, got " + prefixTokens + " and " + continuationTokens);
        }
        this.tokenizer = tokenizer;
        this.prefixTokens = prefixTokens;
        this.continuationTokens = continuationTokens;
        this.documents = new int[documents.size()][];
        int span = prefixTokens + continuationTokens;
        int[] docOf = new int[16], startOf = new int[16];
        int n = 0;
        Rng root = new Rng(seed);
        for (int d = 0; d < documents.size(); d++) {
            int[] ids = tokenizer.encode(documents.get(d));
            this.documents[d] = ids;
            if (ids.length < span) continue;
            int offset = root.split(d).nextInt(Math.min(span, ids.length - span + 1));
            for (int start = offset; start + span <= ids.length; start += span) {
                if (n == docOf.length) {
                    docOf = Arrays.copyOf(docOf, 2 * n);
                    startOf = Arrays.copyOf(startOf, 2 * n);
                }
                docOf[n] = d;
                startOf[n++] = start;
            }
        }
        this.spanDocument = Arrays.copyOf(docOf, n);
        this.spanStart = Arrays.copyOf(startOf, n);
    }

    @Override
    public int size() {
        return spanStart.length;
    }

    @Override
    public TokenizedExample get(int i) {
        int[] doc = documents[spanDocument[i]];
        int s = spanStart[i];
        return new TokenizedExample(Arrays.copyOfRange(doc, s, s + prefixTokens), Arrays.copyOfRange(doc, s + prefixTokens, s + prefixTokens + continuationTokens));
    }

    /** The decoded spans; a cut inside a multi-byte character shows as U+FFFD at the cut. */
    @Override
    public PrefixContinuation text(int i) {
        TokenizedExample e = get(i);
        return new PrefixContinuation(tokenizer.decode(e.prefix()), tokenizer.decode(e.continuation()));
    }

    /** Which document example i comes from, and where in its tokens it starts. */
    public int document(int i) {
        return spanDocument[i];
    }

    public int start(int i) {
        return spanStart[i];
    }
}
