package io.cpo4j.model.tokenizer;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * GPT-2's byte-level BPE (OpenAI's {@code encoder.py}, tiktoken's {@code gpt2}): the text is cut
 * by {@link Gpt2PreTokenizer}, each piece's UTF-8 bytes become byte tokens, and merges apply in
 * rank order within the piece. Decoding concatenates the tokens' bytes. Load one with
 * {@link BpeFiles}, train one with {@link BpeTrainer}.
 */
public final class BpeTokenizer implements Tokenizer {

    /** Texts longer than this remember the ids of pieces they have already encoded. */
    private static final int CACHE_MIN_CHARS = 256;
    private static final int CACHE_MAX_ENTRIES = 1 << 16;

    private final byte[][] tokenBytes;       // (V,) the bytes each id stands for
    private final int[] byteToId = new int[256];
    private final int[] mergeLeft, mergeRight, mergeResult; // (M,) merges by rank
    private final MergeTable merges;
    private final Map<String, Integer> special;

    /**
     * @param tokenBytes  the bytes of every token, by id
     * @param mergeLeft   left id of the merge of each rank
     * @param mergeRight  right id of the merge of each rank
     * @param mergeResult id of the merged token of each rank
     */
    public BpeTokenizer(byte[][] tokenBytes, int[] mergeLeft, int[] mergeRight, int[] mergeResult) {
        if (mergeLeft.length != mergeRight.length || mergeLeft.length != mergeResult.length) {
            throw new IllegalArgumentException("merge arrays differ in length");
        }
        this.tokenBytes = tokenBytes.clone();
        this.mergeLeft = mergeLeft.clone();
        this.mergeRight = mergeRight.clone();
        this.mergeResult = mergeResult.clone();
        Arrays.fill(byteToId, -1);
        Map<String, Integer> specials = new LinkedHashMap<>();
        byte[] eot = ENDOFTEXT.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int id = tokenBytes.length - 1; id >= 0; id--) {
            byte[] b = tokenBytes[id];
            if (b.length == 1) byteToId[b[0] & 0xFF] = id;
            if (Arrays.equals(b, eot)) specials.put(ENDOFTEXT, id);
        }
        for (int r = 0; r < mergeLeft.length; r++) {
            checkId(mergeLeft[r], "merge " + r);
            checkId(mergeRight[r], "merge " + r);
            checkId(mergeResult[r], "merge " + r);
        }
        this.special = Collections.unmodifiableMap(specials);
        this.merges = new MergeTable(mergeLeft, mergeRight, mergeResult);
    }

    private void checkId(int id, String where) {
        if (id < 0 || id >= tokenBytes.length) throw new IllegalArgumentException(where + ": id " + id + " outside the vocabulary of " + tokenBytes.length);
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encodeOrdinary(text, out);
        return out.toArray();
    }

    @Override
    public int[] encode(String text, Set<String> allowedSpecial) {
        if (allowedSpecial.isEmpty()) return encode(text);
        return SpecialTokens.encode(text, allowedSpecial, special, this::encodeOrdinary);
    }

    private void encodeOrdinary(String text, IntList out) {
        int n = text.length();
        Map<String, int[]> cache = n >= CACHE_MIN_CHARS ? new HashMap<>() : null;
        byte[] bytes = new byte[64];
        int[] sym = new int[64];
        int[] end = new int[1];
        for (int i = 0; i < n; ) {
            int j = Gpt2PreTokenizer.end(text, i);
            char c = text.charAt(i);
            if (j == i + 1 && c < 0x80) {
                out.add(idOfByte(c));
                i = j;
                continue;
            }
            String key = null;
            if (cache != null) {
                key = text.substring(i, j);
                int[] hit = cache.get(key);
                if (hit != null) {
                    out.addAll(hit);
                    i = j;
                    continue;
                }
            }
            bytes = Utf8.encode(text, i, j, bytes, 0, end);
            int len = end[0];
            if (sym.length < len) sym = new int[Math.max(len, 2 * sym.length)];
            for (int k = 0; k < len; k++) sym[k] = idOfByte(bytes[k] & 0xFF);
            int m = BpeMerge.merge(merges, sym, len);
            out.addAll(sym, 0, m);
            if (cache != null && cache.size() < CACHE_MAX_ENTRIES) cache.put(key, Arrays.copyOf(sym, m));
            i = j;
        }
    }

    private int idOfByte(int b) {
        int id = byteToId[b];
        if (id < 0) throw new IllegalArgumentException(String.format("byte 0x%02X has no token in this vocabulary, so the text cannot be encoded", b));
        return id;
    }

    @Override
    public String decode(int[] ids) {
        return Utf8.decodeLenient(decodeBytes(ids));
    }

    /** The bytes of token ids, which may end inside a UTF-8 character (for streaming output). */
    public byte[] decodeBytes(int[] ids) {
        int total = 0;
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= tokenBytes.length) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " is outside the vocabulary [0, " + tokenBytes.length + ")");
            }
            total += tokenBytes[id].length;
        }
        byte[] out = new byte[total];
        int pos = 0;
        for (int id : ids) {
            byte[] b = tokenBytes[id];
            System.arraycopy(b, 0, out, pos, b.length);
            pos += b.length;
        }
        return out;
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    @Override
    public int eotToken() {
        Integer id = special.get(ENDOFTEXT);
        if (id == null) throw new IllegalStateException("this vocabulary has no " + ENDOFTEXT + " token");
        return id;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return special;
    }

    /** The bytes token {@code id} stands for. */
    public byte[] tokenBytes(int id) {
        return tokenBytes[id].clone();
    }

    /** Number of merges (ranks). */
    public int mergeCount() {
        return mergeLeft.length;
    }

    /** Left id, right id and merged id of the merge of rank {@code rank}. */
    public int[] merge(int rank) {
        return new int[] {mergeLeft[rank], mergeRight[rank], mergeResult[rank]};
    }

    @Override
    public String toString() {
        return "BpeTokenizer(vocab " + tokenBytes.length + ", merges " + mergeLeft.length + ")";
    }
}
