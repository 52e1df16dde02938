package io.cpo4j.bench;

import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.PlainText;
import io.cpo4j.model.tokenizer.BpeFiles;
import io.cpo4j.model.tokenizer.BpeTokenizer;
import io.cpo4j.model.tokenizer.Gpt2PreTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizerFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * GPT-2 BPE (50,257 tokens) on one thread over about 1 MB of real text from {@code ../shared/data}
 * (set {@code -Dcpo4j.data=DIR} to read it elsewhere). MB/s = corpus MB (printed at setup) ÷ the
 * time per operation. {@code encode} is one call on the whole text (pieces seen before are
 * remembered within a call); {@code encodeShort} encodes the same text in pieces of at most 200
 * characters, too short for that memory — the cost per record of a dataset like Dolly.
 *
 * <p>{@code encodeLlama3}, {@code encodeQwen3} and {@code encodeSentencePiece} are the same one
 * call with the HuggingFace tokenizers of {@code ../shared/data/hf-tokenizers} ({@link HfTokenizer};
 * their load time is printed at setup). They fail with "not found" when that folder is absent, and
 * the GPT-2 rows still run. SentencePiece has no pre-tokenizer: the whole text is one piece, as in
 * HuggingFace.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TokenizerBenchmark {

    @Param({"tinyshakespeare", "wikitext", "dolly"})
    public String corpus;

    /** Tokenizers run on the calling thread; the runner passes 1 (the parameter keeps its tables uniform). */
    @Param({"1"})
    public int threads;

    private BpeTokenizer gpt2;
    private final Map<String, HfTokenizer> hf = new java.util.HashMap<>();
    private String text;
    private List<String> shortTexts;
    private int[] ids;

    @Setup
    public void setup() throws IOException {
        Path data = Path.of(System.getProperty("cpo4j.data", Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "data").toString()));
        if (!Files.isDirectory(data.resolve("gpt2-tokenizer"))) {
            throw new IllegalStateException("GPT-2 vocabulary not found under " + data.toAbsolutePath() + "; run from the checkout root or set -Dcpo4j.data");
        }
        gpt2 = BpeFiles.load(data.resolve("gpt2-tokenizer"));
        text = switch (corpus) {
            case "tinyshakespeare" -> PlainText.read(data.resolve("tinyshakespeare/input.txt"));
            case "wikitext" -> PlainText.read(data.resolve("wikitext-2-raw/wiki.valid.raw"));
            case "dolly" -> dollyText(data.resolve("dolly-15k/databricks-dolly-15k.jsonl"), 1_000_000);
            default -> throw new IllegalArgumentException(corpus);
        };
        shortTexts = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int j = Math.min(text.length(), i + 200);
            while (j < text.length() && j > i + 1 && Character.isLowSurrogate(text.charAt(j))) j--;
            shortTexts.add(text.substring(i, j));
            i = j;
        }
        for (String name : List.of("llama3", "qwen3", "sentencepiece-32k")) {
            Path dir = data.resolve("hf-tokenizers").resolve(name);
            if (!Files.isDirectory(dir)) continue;
            long t0 = System.nanoTime();
            hf.put(name, HfTokenizerFiles.load(dir));
            System.err.printf("%s: loaded in %.0f ms%n", name, (System.nanoTime() - t0) / 1e6);
        }
        ids = gpt2.encode(text);
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        System.err.printf("%n%s: %.3f MB of UTF-8, %d chars, %d GPT-2 tokens%n", corpus, bytes / 1e6, text.length(), ids.length);
        Notes.write("tokenizer.bytes." + corpus, Integer.toString(bytes));
    }

    /** Instruction, context and response of the first records, up to about maxChars characters. */
    private static String dollyText(Path file, int maxChars) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (sb.length() >= maxChars) break;
            Map<String, Object> o = Json.parseObject(line, file.toString());
            sb.append(o.get("instruction")).append('\n').append(o.get("context")).append('\n').append(o.get("response")).append("\n\n");
        }
        return sb.toString();
    }

    @Benchmark
    public int[] encode() {
        return gpt2.encode(text);
    }

    @Benchmark
    public void encodeShort(Blackhole bh) {
        for (String s : shortTexts) bh.consume(gpt2.encode(s));
    }

    @Benchmark
    public void preTokenize(Blackhole bh) {
        int pieces = 0;
        for (int i = 0; i < text.length(); pieces++) i = Gpt2PreTokenizer.end(text, i);
        bh.consume(pieces);
    }

    @Benchmark
    public int[] encodeLlama3() {
        return hf("llama3").encode(text);
    }

    @Benchmark
    public int[] encodeQwen3() {
        return hf("qwen3").encode(text);
    }

    @Benchmark
    public int[] encodeSentencePiece() {
        return hf("sentencepiece-32k").encode(text);
    }

    private HfTokenizer hf(String name) {
        HfTokenizer t = hf.get(name);
        if (t == null) throw new IllegalStateException("hf-tokenizers/" + name + " not found under ../shared/data; this row is skipped");
        return t;
    }

    @Benchmark
    public String decode() {
        return gpt2.decode(ids);
    }
}
