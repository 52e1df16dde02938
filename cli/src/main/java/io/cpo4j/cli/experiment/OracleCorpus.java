package io.cpo4j.cli.experiment;

import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cli.oracle.OracleLanguage;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.tokenizer.BpeTrainer;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The built-in corpus of the demo and the experiments: documents of the oracle language, a
 * byte-level BPE vocabulary trained on them (so the pipeline is the one real corpora use), the
 * training token stream (documents separated by end-of-text, as GPT-2's data), and
 * (prefix, continuation) examples: the first {@code promptWords} words of a document, then the
 * rest of it and end-of-text.
 */
public record OracleCorpus(OracleLanguage oracle, Tokenizer tokenizer, List<OracleDocument> train, List<OracleDocument> heldOut) {

    /** Training documents from stream {@code seed}, held-out ones from stream {@code seed + 1}. */
    public static OracleCorpus build(long seed, int trainDocs, int heldOutDocs, int vocabSize) {
        OracleLanguage oracle = OracleLanguage.english();
        List<OracleDocument> train = oracle.documents(seed, trainDocs);
        List<OracleDocument> heldOut = oracle.documents(seed + 1, heldOutDocs);
        StringBuilder text = new StringBuilder();
        for (OracleDocument d : train) text.append(Tokenizer.ENDOFTEXT).append(d.text());
        Tokenizer tokenizer = BpeTrainer.train(text.toString(), vocabSize);
        return new OracleCorpus(oracle, tokenizer, train, heldOut);
    }

    public int eos() {
        return tokenizer.eotToken();
    }

    /** end-of-text, doc₁, end-of-text, doc₂, … — every document starts after an end-of-text. */
    public int[] trainingStream() {
        List<int[]> parts = new ArrayList<>();
        int total = 0;
        for (OracleDocument d : train) {
            int[] t = documentTokens(d);
            parts.add(t);
            total += t.length - 1;
        }
        int[] stream = new int[total + 1];
        int pos = 0;
        for (int[] t : parts) {
            System.arraycopy(t, 0, stream, pos, t.length - 1);      // the closing end-of-text is the next one's opening
            pos += t.length - 1;
        }
        stream[pos] = eos();
        return stream;
    }

    /** end-of-text, the document's tokens, end-of-text. */
    public int[] documentTokens(OracleDocument d) {
        int[] body = tokenizer.encode(d.text());
        int[] t = new int[body.length + 2];
        t[0] = eos();
        System.arraycopy(body, 0, t, 1, body.length);
        t[t.length - 1] = eos();
        return t;
    }

    /** end-of-text followed by the first words. */
    public int[] promptTokens(List<String> words) {
        int[] body = tokenizer.encode(OracleLanguage.text(words));
        int[] t = new int[body.length + 1];
        t[0] = eos();
        System.arraycopy(body, 0, t, 1, body.length);
        return t;
    }

    /** The continuation of a prompt (a leading space, as it follows a word), then end-of-text. */
    public int[] continuationTokens(List<String> words) {
        int[] body = tokenizer.encode(" " + OracleLanguage.text(words));
        int[] t = Arrays.copyOf(body, body.length + 1);
        t[body.length] = eos();
        return t;
    }

    /**
     * Documents with at least {@code promptWords + 2} words, as (prompt, rest) examples; documents
     * longer than {@code maxTokens} in all are left out rather than cut, so every truth is a whole document.
     */
    public List<TokenizedExample> examples(List<OracleDocument> docs, int promptWords, int maxTokens) {
        List<TokenizedExample> out = new ArrayList<>();
        for (OracleDocument d : usable(docs, promptWords)) {
            TokenizedExample e = new TokenizedExample(promptTokens(d.prefix(promptWords)), continuationTokens(d.suffix(promptWords)));
            if (e.length() <= maxTokens) out.add(e);
        }
        return out;
    }

    /** Documents long enough to have a prompt of {@code promptWords} and a continuation of at least two words. */
    public static List<OracleDocument> usable(List<OracleDocument> docs, int promptWords) {
        List<OracleDocument> out = new ArrayList<>();
        for (OracleDocument d : docs) if (d.size() >= promptWords + 2) out.add(d);
        return out;
    }

    /** The model's continuation as oracle words (decoded text split on whitespace; end-of-text dropped). */
    public List<String> words(int[] continuation) {
        int n = continuation.length;
        if (n > 0 && continuation[n - 1] == eos()) n--;
        return OracleLanguage.words(tokenizer.decode(Arrays.copyOf(continuation, n)));
    }
}
