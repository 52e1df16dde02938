package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a HuggingFace tokenizer folder: {@code tokenizer.json} (the whole pipeline: normalizer,
 * pre-tokenizer, BPE model, added tokens, post-processor, decoder) and, when present,
 * {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token}, {@code add_bos_token},
 * {@code add_eos_token}, {@code chat_template}). Anything this library cannot honour exactly — an
 * unknown component type, a dropout, a merge naming a token the vocabulary lacks, an id given
 * twice — is a {@link FormatException} naming the file and the field, never a tokenizer that
 * silently encodes differently from HuggingFace.
 */
public final class HfTokenizerFiles {

    public static final String TOKENIZER_JSON = "tokenizer.json", TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private HfTokenizerFiles() {}

    /** True when dir holds a tokenizer.json. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(TOKENIZER_JSON));
    }

    /** Loads dir/tokenizer.json and, if it exists, dir/tokenizer_config.json. */
    public static HfTokenizer load(Path dir) throws IOException {
        Path config = dir.resolve(TOKENIZER_CONFIG_JSON);
        return load(dir.resolve(TOKENIZER_JSON), Files.exists(config) ? config : null);
    }

    /** Loads a tokenizer.json and an optional (null) tokenizer_config.json. */
    public static HfTokenizer load(Path tokenizerJson, Path configJson) throws IOException {
        HfJson json = new HfJson(tokenizerJson.toString());
        Map<String, Object> root = Json.parseObject(Utf8.readFile(tokenizerJson), json.file);
        Map<String, Object> model = json.object(root, "model", "model");
        String modelType = model.get("type") == null && model.containsKey("merges") ? "BPE" : json.type(model, "model");
        if (!modelType.equals("BPE")) throw json.unknownType("model", modelType, "BPE");
        checkUnsupported(json, model);

        Map<String, Object> vocabJson = json.object(model, "vocab", "model.vocab");
        List<Object> addedJson = root.get("added_tokens") == null ? List.of() : json.array(root, "added_tokens", "added_tokens");
        long limit = 2L * (vocabJson.size() + addedJson.size()) + 1024;
        int maxId = (int) Math.min(limit, Integer.MAX_VALUE - 16);
        Map<String, Integer> vocab = new HashMap<>(vocabJson.size() * 2);
        Map<Integer, String> textOfId = new HashMap<>(vocabJson.size() * 2);
        int largest = -1;
        for (Map.Entry<String, Object> e : vocabJson.entrySet()) {
            // The path is built only for an error: Llama 3 has 128,000 entries.
            int id = e.getValue() instanceof Long l && l >= 0 && l <= maxId ? (int) (long) l : json.integer(e.getValue(), 0, maxId, vocabPath(e.getKey()));
            String earlier = textOfId.putIfAbsent(id, e.getKey());
            if (earlier != null) throw json.error(vocabPath(e.getKey()), "is id " + id + ", which " + Json.write(cut(earlier)) + " already has");
            vocab.put(e.getKey(), id);
            largest = Math.max(largest, id);
        }

        List<HfAddedTokens.Token> added = new ArrayList<>();
        Map<Integer, String> addedTextOfId = new HashMap<>();
        for (int i = 0; i < addedJson.size(); i++) {
            String path = "added_tokens[" + i + "]";
            Map<String, Object> t = json.objectAt(addedJson, i, "added_tokens");
            int id = json.integer(t, "id", 0, maxId, path + ".id");
            String content = json.string(t, "content", path + ".content");
            if (content.isEmpty()) throw json.error(path + ".content", "is empty");
            String inVocab = textOfId.get(id);
            if (inVocab != null && !inVocab.equals(content)) {
                throw json.error(path + ".id", "is " + id + ", which model.vocab gives to " + Json.write(cut(inVocab)) + ", not " + Json.write(cut(content)));
            }
            String earlier = addedTextOfId.putIfAbsent(id, content);
            if (earlier != null && !earlier.equals(content)) {
                throw json.error(path + ".id", "is " + id + ", which an earlier added token " + Json.write(cut(earlier)) + " already has");
            }
            added.add(new HfAddedTokens.Token(id, content, json.flag(t, "special", false, path + ".special"),
                    json.flag(t, "lstrip", false, path + ".lstrip"), json.flag(t, "rstrip", false, path + ".rstrip"),
                    json.flag(t, "single_word", false, path + ".single_word"), json.flag(t, "normalized", false, path + ".normalized")));
            largest = Math.max(largest, id);
        }
        if (largest < 0) throw json.error("model.vocab", "is empty");
        String[] tokenTexts = new String[largest + 1];
        textOfId.forEach((id, text) -> tokenTexts[id] = text);
        Map<String, Integer> allIds = new HashMap<>(vocab);
        for (HfAddedTokens.Token t : added) {
            tokenTexts[t.id()] = t.content();
            allIds.putIfAbsent(t.content(), t.id());
        }

        Set<String> addedTexts = new HashSet<>();
        for (HfAddedTokens.Token t : added) addedTexts.add(t.content());
        Map<String, Object> n = json.optionalObject(root, "normalizer", "normalizer");
        Map<String, Object> p = json.optionalObject(root, "pre_tokenizer", "pre_tokenizer");
        Map<String, Object> d = json.optionalObject(root, "decoder", "decoder");
        HfNormalizer normalizer = n == null ? null : HfNormalizer.parse(json, n, "normalizer");
        HfPreTokenizer preTokenizer = p == null ? null : HfPreTokenizer.parse(json, p, "pre_tokenizer");
        HfBpeModel bpe = bpeModel(json, model, vocab, preTokenizer != null && preTokenizer.byteLevel());
        HfDecoder decoder = d == null ? null : HfDecoder.parse(json, d, "decoder", addedTexts);
        HfPostProcessor template = HfPostProcessor.parse(json, json.optionalObject(root, "post_processor", "post_processor"), allIds);

        for (int id : concat(template.prefix(), template.suffix())) {
            if (id >= tokenTexts.length || tokenTexts[id] == null) throw json.error("post_processor", "adds id " + id + ", which no token has");
        }
        HfTokenizerConfig config = HfTokenizerConfig.read(configJson, allIds);
        int[] prefix = template.prefix(), suffix = template.suffix();
        if (config.addBos() != null || config.addEos() != null) {
            prefix = Boolean.TRUE.equals(config.addBos()) ? new int[] {config.require(config.bosId(), "bos_token", "add_bos_token")} : new int[0];
            suffix = Boolean.TRUE.equals(config.addEos()) ? new int[] {config.require(config.eosId(), "eos_token", "add_eos_token")} : new int[0];
        }
        // Without an eos_token in tokenizer_config.json, GPT-2-style files still end texts with <|endoftext|>.
        int eos = config.eosId() >= 0 ? config.eosId() : allIds.getOrDefault(Tokenizer.ENDOFTEXT, -1);
        return new HfTokenizer(tokenTexts, normalizer, preTokenizer, bpe, decoder, added, prefix, suffix, config.bosId(), eos, config.chatTemplate());
    }

    private static void checkUnsupported(HfJson json, Map<String, Object> model) throws FormatException {
        Object dropout = model.get("dropout");
        if (dropout != null && !(dropout instanceof Number num && num.doubleValue() == 0)) {
            throw json.error("model.dropout", "is " + HfJson.show(dropout) + "; BPE dropout (random merges, for training) is not supported");
        }
        for (String key : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            String v = json.optionalString(model, key, "model." + key);
            if (v != null && !v.isEmpty()) throw json.error("model." + key, "is " + Json.write(v) + "; only null or \"\" is supported");
        }
    }

    private static HfBpeModel bpeModel(HfJson json, Map<String, Object> model, Map<String, Integer> vocab, boolean byteLevel) throws FormatException {
        List<Object> mergesJson = json.array(model, "merges", "model.merges");
        int m = mergesJson.size();
        int[] left = new int[m], right = new int[m], result = new int[m];
        for (int r = 0; r < m; r++) {
            Object item = mergesJson.get(r);
            String a, b;
            if (item instanceof String line) {
                int sp = line.indexOf(' ');
                if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                    throw json.error("model.merges[" + r + "]", "is " + Json.write(cut(line)) + "; expected two tokens separated by one space");
                }
                a = line.substring(0, sp);
                b = line.substring(sp + 1);
            } else if (item instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String x && pair.get(1) instanceof String y) {
                a = x;
                b = y;
            } else {
                throw json.error("model.merges[" + r + "]", "must be a string \"left right\" or an array of two strings, found " + HfJson.show(item));
            }
            left[r] = merged(json, vocab, a, r);
            right[r] = merged(json, vocab, b, r);
            result[r] = merged(json, vocab, a + b, r);
        }
        String unk = json.optionalString(model, "unk_token", "model.unk_token");
        int unkId = -1;
        if (unk != null) {
            Integer id = vocab.get(unk);
            if (id == null) throw json.error("model.unk_token", "is " + Json.write(cut(unk)) + ", which is not in model.vocab");
            unkId = id;
        }
        return new HfBpeModel(vocab, left, right, result, unkId,
                json.flag(model, "byte_fallback", false, "model.byte_fallback"),
                json.flag(model, "fuse_unk", false, "model.fuse_unk"),
                json.flag(model, "ignore_merges", false, "model.ignore_merges"), byteLevel);
    }

    private static int merged(HfJson json, Map<String, Integer> vocab, String token, int rank) throws FormatException {
        Integer id = vocab.get(token);
        if (id == null) throw json.error("model.merges[" + rank + "]", "names the token " + Json.write(cut(token)) + ", which is not in model.vocab");
        return id;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static String vocabPath(String token) {
        return "model.vocab[" + Json.write(cut(token)) + "]";
    }

    static String cut(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
