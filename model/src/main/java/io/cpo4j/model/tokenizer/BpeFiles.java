package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GPT-2's vocabulary files: {@code encoder.json} (byte-level token text → id) with
 * {@code vocab.bpe} (one merge {@code "left right"} per line, in rank order, after a
 * {@code #version} line), as OpenAI published them; HuggingFace calls the same two files
 * {@code vocab.json} and {@code merges.txt}. Corrupt files are {@link FormatException}s naming the
 * file, line and token.
 */
public final class BpeFiles {

    public static final String ENCODER_JSON = "encoder.json", VOCAB_BPE = "vocab.bpe";
    public static final String VOCAB_JSON = "vocab.json", MERGES_TXT = "merges.txt";

    private BpeFiles() {}

    /** True when dir holds one of the two file pairs. */
    public static boolean present(Path dir) {
        return (Files.isRegularFile(dir.resolve(ENCODER_JSON)) && Files.isRegularFile(dir.resolve(VOCAB_BPE)))
                || (Files.isRegularFile(dir.resolve(VOCAB_JSON)) && Files.isRegularFile(dir.resolve(MERGES_TXT)));
    }

    /** Loads encoder.json + vocab.bpe from dir, or else vocab.json + merges.txt. */
    public static BpeTokenizer load(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(ENCODER_JSON)) || !Files.isRegularFile(dir.resolve(VOCAB_JSON))) {
            return load(dir.resolve(ENCODER_JSON), dir.resolve(VOCAB_BPE));
        }
        return load(dir.resolve(VOCAB_JSON), dir.resolve(MERGES_TXT));
    }

    public static BpeTokenizer load(Path vocabFile, Path mergesFile) throws IOException {
        String vocabSource = vocabFile.toString();
        Map<String, Object> vocab = Json.parseObject(Utf8.readFile(vocabFile), vocabSource);
        int n = vocab.size();
        if (n == 0) throw new FormatException(vocabSource, "the vocabulary is empty");
        byte[][] tokens = new byte[n][];
        String[] texts = new String[n];
        Map<String, Integer> idOf = new HashMap<>(n * 2);
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            String text = e.getKey();
            if (!(e.getValue() instanceof Long v) || v < 0 || v >= n) {
                throw new FormatException(vocabSource, "token " + quote(text) + " has id " + Json.write(e.getValue())
                        + "; ids must be the integers 0.." + (n - 1) + " (one per token)");
            }
            int id = (int) (long) v;
            if (tokens[id] != null) throw new FormatException(vocabSource, "id " + id + " is given to both " + quote(texts[id]) + " and " + quote(text));
            byte[] bytes = ByteLevel.decode(text);
            if (bytes == null || bytes.length == 0) {
                throw new FormatException(vocabSource, "token " + quote(text) + " (id " + id + ") " + (bytes == null
                        ? "has a character outside GPT-2's byte-level alphabet (" + outsideAlphabet(text) + ")" : "is empty"));
            }
            tokens[id] = bytes;
            texts[id] = text;
            idOf.put(text, id);
        }

        String mergesSource = mergesFile.toString();
        String[] lines = Utf8.readFile(mergesFile).split("\n", -1);
        int[] left = new int[lines.length], right = new int[lines.length], result = new int[lines.length];
        int m = 0;
        for (int li = 0; li < lines.length; li++) {
            String line = lines[li];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isEmpty() || (li == 0 && line.startsWith("#version"))) continue;
            String where = mergesSource + ":" + (li + 1);
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                throw new FormatException(where, "expected two tokens separated by one space, found " + quote(line));
            }
            String a = line.substring(0, sp), b = line.substring(sp + 1);
            left[m] = lookup(idOf, a, where, vocabFile);
            right[m] = lookup(idOf, b, where, vocabFile);
            result[m] = lookup(idOf, a + b, where, vocabFile);
            m++;
        }
        return new BpeTokenizer(tokens, java.util.Arrays.copyOf(left, m), java.util.Arrays.copyOf(right, m), java.util.Arrays.copyOf(result, m));
    }

    private static int lookup(Map<String, Integer> idOf, String token, String where, Path vocabFile) throws FormatException {
        Integer id = idOf.get(token);
        if (id == null) throw new FormatException(where, "token " + quote(token) + " is not in " + vocabFile.getFileName());
        return id;
    }

    /** A token or line as a JSON string (quotes, backslashes and control characters escaped), cut at 60 characters. */
    private static String quote(String s) {
        return s.length() > 60 ? Json.write(s.substring(0, 60)) + "…" : Json.write(s);
    }

    private static String outsideAlphabet(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (ByteLevel.byteOf(text.charAt(i)) < 0) return String.format("U+%04X at position %d", (int) text.charAt(i), i);
        }
        throw new IllegalStateException("every character of " + quote(text) + " is in the alphabet");
    }

    /** Writes dir/encoder.json and dir/vocab.bpe (each atomically), loadable by {@link #load(Path)} and by GPT-2's code. */
    public static void save(BpeTokenizer tokenizer, Path dir) throws IOException {
        Map<String, Object> encoder = new LinkedHashMap<>();
        String[] texts = new String[tokenizer.vocabSize()];
        for (int id = 0; id < texts.length; id++) {
            texts[id] = ByteLevel.encode(tokenizer.tokenBytes(id));
            Object earlier = encoder.put(texts[id], (long) id);
            if (earlier != null) throw new IllegalArgumentException("ids " + earlier + " and " + id + " stand for the same bytes; encoder.json cannot hold both");
        }
        StringBuilder bpe = new StringBuilder("#version: 0.2\n");
        for (int r = 0; r < tokenizer.mergeCount(); r++) {
            int[] merge = tokenizer.merge(r);
            bpe.append(texts[merge[0]]).append(' ').append(texts[merge[1]]).append('\n');
        }
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(ENCODER_JSON), Json.write(encoder));
        AtomicFiles.writeString(dir.resolve(VOCAB_BPE), bpe.toString());
    }
}
