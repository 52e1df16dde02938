package io.cpo4j.cli.experiment;

import io.cpo4j.model.data.DollyRecord;
import io.cpo4j.model.data.InstructionDataset;
import io.cpo4j.model.data.PlainText;
import io.cpo4j.model.data.PromptTemplate;
import io.cpo4j.model.data.Split;
import io.cpo4j.model.data.TextSpanDataset;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.data.WikiText;
import io.cpo4j.model.tokenizer.BpeTrainer;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real corpus prepared for the experiments: a BPE vocabulary trained on its training part, the
 * training and validation token streams (for next-token pretraining), and (prefix, continuation)
 * examples for fine-tuning and evaluation, each fitting {@code maxTokens}.
 */
public record TextCorpus(String name, Tokenizer tokenizer, int[] trainStream, int[] valStream,
                         List<TokenizedExample> trainExamples, List<TokenizedExample> valExamples) {

    public int eos() {
        return tokenizer.eotToken();
    }

    /** Tiny Shakespeare: nanoGPT's 90/10 split; examples are 32 + 32 token spans of paragraphs. */
    public static TextCorpus shakespeare(Path file, int vocab, long seed) throws IOException {
        Split.TextParts parts = Split.tail(PlainText.read(file), 0.1);
        Tokenizer tok = BpeTrainer.train(parts.train(), vocab);
        List<String> trainDocs = PlainText.paragraphs(parts.train()), valDocs = PlainText.paragraphs(parts.validation());
        return new TextCorpus("tiny Shakespeare", tok, tok.encode(parts.train()), tok.encode(parts.validation()),
                all(new TextSpanDataset(trainDocs, tok, 32, 32, seed)), all(new TextSpanDataset(valDocs, tok, 32, 32, seed + 1)));
    }

    /**
     * Dolly-15k: the hash split (5% validation); the Alpaca prompt is the prefix and the response
     * plus end-of-text the continuation; examples longer than {@code maxTokens} are left out.
     */
    public static TextCorpus dolly(Path file, int vocab, int maxTokens, long seed) throws IOException {
        List<DollyRecord> records = DollyRecord.read(file, true).records();
        Split.Parts<DollyRecord> parts = Split.byHash(records, DollyRecord::splitKey, 0.05, seed);
        StringBuilder text = new StringBuilder();
        for (DollyRecord r : parts.train()) {
            text.append(Tokenizer.ENDOFTEXT).append(PromptTemplate.ALPACA.prefix(r.instruction(), r.context())).append(r.response());
        }
        Tokenizer tok = BpeTrainer.train(text.toString(), vocab);
        List<TokenizedExample> train = fitting(all(new InstructionDataset(parts.train(), PromptTemplate.ALPACA, tok)), maxTokens);
        List<TokenizedExample> val = fitting(all(new InstructionDataset(parts.validation(), PromptTemplate.ALPACA, tok)), maxTokens);
        return new TextCorpus("Dolly-15k", tok, stream(train), stream(val), train, val);
    }

    /**
     * WikiText-2 without its train split (not in the shared data): the model is pretrained and
     * fine-tuned on the validation split's articles and evaluated on the test split's; examples are
     * 32 + 32 token spans of articles.
     */
    public static TextCorpus wikitext(Path validFile, Path testFile, int vocab, long seed) throws IOException {
        List<String> train = WikiText.read(validFile, false).stream().map(WikiText.Article::text).toList();
        List<String> test = WikiText.read(testFile, false).stream().map(WikiText.Article::text).toList();
        String trainText = String.join("\n", train);
        Tokenizer tok = BpeTrainer.train(trainText, vocab);
        return new TextCorpus("WikiText-2", tok, tok.encode(trainText), tok.encode(String.join("\n", test)),
                all(new TextSpanDataset(train, tok, 32, 32, seed)), all(new TextSpanDataset(test, tok, 32, 32, seed + 1)));
    }

    private static List<TokenizedExample> all(io.cpo4j.model.data.PrefixContinuationDataset d) {
        List<TokenizedExample> out = new ArrayList<>(d.size());
        for (int i = 0; i < d.size(); i++) out.add(d.get(i));
        return out;
    }

    private static List<TokenizedExample> fitting(List<TokenizedExample> examples, int maxTokens) {
        List<TokenizedExample> out = new ArrayList<>();
        for (TokenizedExample e : examples) if (e.length() <= maxTokens && e.prefix().length > 0 && e.continuation().length > 0) out.add(e);
        return out;
    }

    /** The examples one after another (each already ends with end-of-text where the text does). */
    private static int[] stream(List<TokenizedExample> examples) {
        int n = 0;
        for (TokenizedExample e : examples) n += e.length();
        int[] s = new int[n];
        int pos = 0;
        for (TokenizedExample e : examples) {
            int[] t = e.tokens();
            System.arraycopy(t, 0, s, pos, t.length);
            pos += t.length;
        }
        return s;
    }
}
