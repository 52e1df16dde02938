package io.cpo4j.tests;

import io.cpo4j.cli.Main;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.tokenizer.Tokenizers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./cpo4j tokenizer …} run in-process, with stdin replaced. */
class TokenizerCliTest {

    @TempDir
    Path dir;

    private final InputStream originalIn = System.in;

    @AfterEach
    void restoreStdin() {
        System.setIn(originalIn);
    }

    private record Run(int code, String out, String err) {}

    private static Run run(byte[] stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run run(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private static Path shared(String relative) {
        Path p = Path.of(System.getProperty("cpo4j.root", "."), "..", "shared", "data", relative).normalize();
        Assumptions.assumeTrue(Files.exists(p), "shared data not present: " + p);
        return p;
    }

    private static void assertOneLineError(Run r, int code, String message) {
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(message);
    }

    @Test
    void encodesAndDecodesWithGpt2() {
        String gpt2 = shared("gpt2-tokenizer").toString();
        assertThat(run("Hello world", "tokenizer", "encode", "--tokenizer", gpt2)).isEqualTo(new Run(0, "15496 995\n", ""));
        assertThat(run("end.<|endoftext|>", "tokenizer", "encode", "--tokenizer", gpt2).out()).isEqualTo("437 29847 91 437 1659 5239 91 29\n"); // ".<|" is one punctuation piece
        assertThat(run("end.<|endoftext|>", "tokenizer", "encode", "--tokenizer", gpt2, "--allow-special").out()).isEqualTo("437 13 50256\n");
        assertThat(run("", "tokenizer", "encode", "--tokenizer", gpt2).out()).isEqualTo("\n");
        assertThat(run("15496 995\n", "tokenizer", "decode", "--tokenizer", gpt2)).isEqualTo(new Run(0, "Hello world", ""));
        // The ids of "😀" cut after its first token: U+FFFD, not an error.
        assertThat(run("40 1842 30325", "tokenizer", "decode", "--tokenizer", gpt2).out()).isEqualTo("I love \uFFFD");
        String text = "naïve café 中文 😀\n\ttabs";
        String ids = run(text, "tokenizer", "encode", "--tokenizer", gpt2).out();
        assertThat(run(ids, "tokenizer", "decode", "--tokenizer", gpt2).out()).isEqualTo(text);
    }

    /** A small SentencePiece-style tokenizer.json folder committed with the model module's tests (tools/tokenizer-reference/make-tiny.py). */
    private static Path tinyHfTokenizer(String name) {
        Path p = Path.of(System.getProperty("cpo4j.root", "."), "model", "src", "test", "resources", "io", "cpo4j", "model", "tokenizer", "hf", name).normalize();
        assertThat(p.resolve("tokenizer.json")).exists();
        return p;
    }

    @Test
    void encodesAndDecodesWithAHuggingFaceTokenizerJson() {
        String sp = tinyHfTokenizer("tiny-sentencepiece").toString();
        // transformers.js: tiny-sentencepiece.expected.json, "hello world"
        assertThat(run("hello world", "tokenizer", "encode", "--tokenizer", sp)).isEqualTo(new Run(0, "259 294 271 271 274 309\n", ""));
        assertThat(run("hello world", "tokenizer", "encode", "--tokenizer", sp, "--add-special-tokens").out()).isEqualTo("1 259 294 271 271 274 309\n");
        assertThat(run("259 294 271 271 274 309", "tokenizer", "decode", "--tokenizer", sp)).isEqualTo(new Run(0, "hello world", ""));
        // Added tokens in the text are one id each, as HuggingFace does; no BOS unless asked for.
        String ids = run("<s>in</s>", "tokenizer", "encode", "--tokenizer", sp).out();
        assertThat(ids).startsWith("1 ").endsWith(" 2\n");
        String text = "naïve café 中文 😀\n\ttabs  ";
        assertThat(run(run(text, "tokenizer", "encode", "--tokenizer", sp).out(), "tokenizer", "decode", "--tokenizer", sp).out()).isEqualTo(text);
        String bl = tinyHfTokenizer("tiny-bytelevel").toString();
        assertThat(run(run(text, "tokenizer", "encode", "--tokenizer", bl).out(), "tokenizer", "decode", "--tokenizer", bl).out()).isEqualTo(text);
    }

    @Test
    void addSpecialTokensNeedsAHuggingFaceTokenizer() throws IOException {
        Path data = dir.resolve("c.txt");
        Files.writeString(data, "abc\n");
        assertThat(run("", "tokenizer", "train", "--type", "char", "--data", data.toString(), "--out", dir.resolve("c").toString()).code()).isZero();
        assertOneLineError(run("abc", "tokenizer", "encode", "--tokenizer", dir.resolve("c").toString(), "--add-special-tokens"), 2,
                "--add-special-tokens needs a HuggingFace tokenizer.json folder");
    }

    @Test
    void aBrokenTokenizerJsonIsAOneLineErrorNamingTheField() throws IOException {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        String json = Files.readString(tinyHfTokenizer("tiny-bytelevel").resolve("tokenizer.json")).replace("\"type\": \"NFC\"", "\"type\": \"NFKX\"");
        Files.writeString(broken.resolve("tokenizer.json"), json);
        assertOneLineError(run("x", "tokenizer", "encode", "--tokenizer", broken.toString()), 1,
                "tokenizer.json: field \"normalizer.type\" is \"NFKX\", which this library does not support");
    }

    @Test
    void trainsABpeVocabularyThatTheOtherSubcommandsUse() throws IOException {
        Path data = dir.resolve("corpus.txt");
        Files.writeString(data, "the cat sat on the mat. the dog sat on the log.\n".repeat(200));
        Path vocab = dir.resolve("vocab");
        Run r = run("", "tokenizer", "train", "--data", data.toString(), "--vocab-size", "280", "--out", vocab.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("trained a byte-level BPE of ");
        // Ten distinct pieces run out of pairs before 280 tokens, and the command says so.
        assertThat(r.out()).contains("note: stopped at ").contains(" of 280 tokens");
        for (String piece : new String[] {"the", " cat", " sat", " on", " the", " mat", " dog", " log"}) {
            assertThat(run(piece, "tokenizer", "encode", "--tokenizer", vocab.toString()).out().strip()).doesNotContain(" ");
        }
        assertThat(vocab.resolve("encoder.json")).exists();
        assertThat(vocab.resolve("vocab.bpe")).exists();

        Path shard = dir.resolve("corpus.bin");
        r = run("", "tokenizer", "tokenize", "--tokenizer", vocab.toString(), "--data", data.toString(), "--out", shard.toString());
        assertThat(r.code()).as(r.err()).isZero();
        TokenShard tokens = TokenShard.read(shard);
        assertThat(r.out()).startsWith("wrote " + String.format("%,d", tokens.size()) + " uint16 tokens to " + shard);
        assertThat(Tokenizers.load(vocab).decode(tokens.slice(0, tokens.size()))).isEqualTo(Files.readString(data));
    }

    @Test
    void trainsACharacterVocabulary() throws IOException {
        Path data = dir.resolve("chars.txt");
        Files.writeString(data, "First Citizen:\nBefore we proceed\n");
        Run r = run("", "tokenizer", "train", "--type", "char", "--data", data.toString(), "--out", dir.resolve("c").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("built a character vocabulary of 20 tokens (19 characters + <|endoftext|>)");
        assertThat(run("Fire", "tokenizer", "encode", "--tokenizer", dir.resolve("c").toString()).out()).isEqualTo("5 10 14 8\n"); // sorted: \\n, space, :, B, C, F, c, d, e, f, i, n, o, p, r, …
        assertOneLineError(run("Fire!", "tokenizer", "encode", "--tokenizer", dir.resolve("c").toString()), 1,
                "cpo4j tokenizer: character '!' (U+0021) at position 4 is not in this character vocabulary of 19 characters");
    }

    @Test
    void tokenizesWikiTextWithEndOfTextBeforeEachArticle() throws IOException {
        String gpt2 = shared("gpt2-tokenizer").toString();
        Path raw = dir.resolve("wiki.raw");
        Files.writeString(raw, " \n = A = \n \n Guest @-@ star . \n \n = B = \n \n 1 @,@ 000 . \n");
        Path shard = dir.resolve("wiki.bin");
        Run r = run("", "tokenizer", "tokenize", "--tokenizer", gpt2, "--data", raw.toString(), "--out", shard.toString(), "--format", "wikitext", "--restore-markers");
        assertThat(r.code()).as(r.err()).isZero();
        int[] ids = TokenShard.read(shard).slice(0, TokenShard.read(shard).size());
        assertThat(ids[0]).isEqualTo(50256);
        assertThat(java.util.Arrays.stream(ids).filter(id -> id == 50256).count()).isEqualTo(2);
        String decoded = Tokenizers.load(Path.of(gpt2)).decode(ids);
        assertThat(decoded).isEqualTo("<|endoftext|> = A = \n \n Guest-star . \n \n<|endoftext|> = B = \n \n 1,000 . \n");
    }

    @Test
    void mistakesAreOneLineErrors() throws IOException {
        assertOneLineError(run("", "tokenizer"), 2, "cpo4j tokenizer: expected a subcommand: encode, decode, train or tokenize");
        assertOneLineError(run("", "tokenizer", "frobnicate"), 2, "unknown subcommand 'frobnicate'");
        assertOneLineError(run("x", "tokenizer", "encode"), 2, "cpo4j tokenizer encode: --tokenizer DIR is required");
        assertOneLineError(run("x", "tokenizer", "encode", "--tokenizer", "a", "--bogus"), 2,
                "cpo4j tokenizer encode: unknown option --bogus (see ./cpo4j tokenizer encode --help)");
        assertOneLineError(run("x", "tokenizer", "encode", "--tokenizer", dir.resolve("none").toString()), 1, "none: tokenizer folder not found");
        assertOneLineError(run("x", "tokenizer", "encode", "--tokenizer", dir.toString()), 1, "no tokenizer files: expected encoder.json + vocab.bpe");
        assertOneLineError(run("", "tokenizer", "train", "--data", "x.txt", "--out", "o"), 2, "--vocab-size N is required");
        assertOneLineError(run("", "tokenizer", "train", "--data", "x.txt", "--out", "o", "--vocab-size", "100"), 2, "--vocab-size must be at least 257");
        assertOneLineError(run("", "tokenizer", "train", "--data", dir.resolve("x.txt").toString(), "--out", "o", "--vocab-size", "300"), 1, "x.txt: file not found");

        String gpt2 = shared("gpt2-tokenizer").toString();
        assertOneLineError(run(new byte[] {'h', 'i', (byte) 0xC3}, "tokenizer", "encode", "--tokenizer", gpt2), 1,
                "cpo4j tokenizer: stdin: invalid UTF-8 at byte 2 (line 1, column 3): a sequence starting with 0xC3");
        assertOneLineError(run("15496 x95", "tokenizer", "decode", "--tokenizer", gpt2), 1, "stdin: 'x95' (item 2) is not a token id");
        assertOneLineError(run("15496 50257", "tokenizer", "decode", "--tokenizer", gpt2), 1, "token id 50257 at position 1 is outside the vocabulary [0, 50257)");
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'o', 'k', '\n', (byte) 0xFF});
        Path shard = dir.resolve("never.bin");
        assertOneLineError(run("", "tokenizer", "tokenize", "--tokenizer", gpt2, "--data", bad.toString(), "--out", shard.toString()), 1,
                "bad.txt: invalid UTF-8 at byte 3 (line 2, column 1)");
        assertThat(shard).doesNotExist();
    }

    @Test
    void helpDescribesEverySubcommandAndEachOnItsOwn() {
        Run all = run("", "tokenizer", "--help");
        assertThat(all.code()).isZero();
        assertThat(all.out()).contains("./cpo4j tokenizer encode", "./cpo4j tokenizer decode", "./cpo4j tokenizer train", "./cpo4j tokenizer tokenize");
        Run one = run("", "tokenizer", "decode", "--help");
        assertThat(one.code()).isZero();
        assertThat(one.out()).contains("./cpo4j tokenizer decode", "U+FFFD", "chars.json").doesNotContain("./cpo4j tokenizer train");
        assertThat(run("", "--help").out()).contains("tokenizer");
    }
}
