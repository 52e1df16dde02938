package io.cpo4j.model.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code "model": {"type": "BPE"}} of {@code tokenizer.json}, over ids: a piece's characters
 * (code points) start as the ids of the one-character tokens, and merges apply lowest rank first
 * ({@link BpeMerge#mergeLowestFirst}). Byte-level tokenizers see pieces already written in
 * GPT-2's byte alphabet, so their characters are bytes; SentencePiece-style ones see text with
 * {@code ▁} for spaces, and a character outside the vocabulary becomes its UTF-8 bytes as
 * {@code <0xNN>} tokens ({@code byte_fallback}) or the unknown token ({@code unk_token}, several in
 * a row fused into one with {@code fuse_unk}). With {@code ignore_merges} a piece that is itself a
 * token skips the merges (Llama 3).
 */
final class HfBpeModel {

    private final Map<String, Integer> vocab;   // token text → id (the model's vocabulary, not added tokens)
    private final int[] bmpSymbol;              // (65536,) id of the one-character token, or −1
    private final Map<Integer, Integer> astralSymbol;
    private final MergeTable merges;
    private final int unkId;                    // −1: none
    private final int[] byteIds;                // (256,) id of <0xNN>, or null without byte_fallback
    private final boolean fuseUnk, ignoreMerges;
    private final boolean byteLevelInput;       // pieces arrive in GPT-2's byte alphabet (errors name bytes)
    private volatile JoinablePairs joinable;    // built at the first long piece

    /**
     * @param vocab       token text → id
     * @param mergeLeft   left id of the merge of each rank (with mergeRight, mergeResult)
     * @param unkId       id of the unknown token, or −1
     * @param byteFallback whether characters outside the vocabulary become {@code <0xNN>} tokens
     */
    HfBpeModel(Map<String, Integer> vocab, int[] mergeLeft, int[] mergeRight, int[] mergeResult, int unkId,
               boolean byteFallback, boolean fuseUnk, boolean ignoreMerges, boolean byteLevelInput) {
        this.byteLevelInput = byteLevelInput;
        this.vocab = vocab;
        this.bmpSymbol = new int[1 << 16];
        Arrays.fill(bmpSymbol, -1);
        this.astralSymbol = new HashMap<>();
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String t = e.getKey();
            if (t.isEmpty() || t.codePointCount(0, t.length()) != 1) continue;
            int cp = t.codePointAt(0);
            if (cp < bmpSymbol.length) bmpSymbol[cp] = e.getValue();
            else astralSymbol.put(cp, e.getValue());
        }
        this.merges = new MergeTable(mergeLeft, mergeRight, mergeResult);
        this.unkId = unkId;
        if (byteFallback) {
            byteIds = new int[256];
            for (int b = 0; b < 256; b++) byteIds[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
        } else {
            byteIds = null;
        }
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
    }

    boolean fusesUnk() {
        return fuseUnk;
    }

    /** State across the pieces of one text: whether the last id was an unknown one (for {@code fuse_unk}), a buffer. */
    static final class Encoding {
        boolean lastWasUnk;
        int[] sym = new int[64];
        int[] chars = new int[64];
        int[] segment = new int[64];
    }

    /** Appends the ids of one pre-tokenized piece. */
    void encode(String piece, IntList out, Encoding state) {
        if (ignoreMerges) {
            Integer whole = vocab.get(piece);
            if (whole != null) {
                out.add(whole);
                state.lastWasUnk = false;
                return;
            }
        }
        int n = piece.length();
        if (state.sym.length < n) {
            state.sym = new int[Math.max(n, 2 * state.sym.length)];
            state.chars = new int[state.sym.length];
            state.segment = new int[state.sym.length];
        }
        int[] sym = state.sym, chars = state.chars;
        int len = 0;
        for (int i = 0; i < n; ) {
            int cp = piece.codePointAt(i);
            i += Character.charCount(cp);
            int id = cp < bmpSymbol.length ? bmpSymbol[cp] : astralSymbol.getOrDefault(cp, -1);
            chars[len] = cp;
            sym[len++] = id >= 0 ? id : -1 - cp; // negative: a character outside the vocabulary, never merged
        }
        len = len > BpeMerge.LONG_PIECE ? mergeInSegments(sym, chars, len, state.segment) : BpeMerge.mergeLowestFirst(merges, sym, len);
        for (int k = 0; k < len; k++) {
            int id = sym[k];
            if (id >= 0) {
                out.add(id);
                state.lastWasUnk = false;
            } else {
                unknown(-1 - id, out, state);
            }
        }
    }

    /**
     * A long piece (a SentencePiece text without a pre-tokenizer is one piece) merged as the runs
     * between boundaries no merge can cross ({@link JoinablePairs}; a character outside the
     * vocabulary is one too), each on its own: what merging it whole gives, without one heap over
     * the whole text. sym[0, len) holds ids, chars[0, len) their characters; returns the new length.
     */
    private int mergeInSegments(int[] sym, int[] chars, int len, int[] segment) {
        JoinablePairs pairs = joinable;
        if (pairs == null) joinable = pairs = new JoinablePairs(vocab.keySet());
        int w = 0, start = 0;
        for (int k = 1; k <= len; k++) {
            if (k < len && sym[k - 1] >= 0 && sym[k] >= 0 && pairs.contains(chars[k - 1], chars[k])) continue;
            int n = k - start;                                   // [start, k) is a run; w ≤ start, so writing back is safe
            System.arraycopy(sym, start, segment, 0, n);
            n = BpeMerge.mergeLowestFirst(merges, segment, n);
            System.arraycopy(segment, 0, sym, w, n);
            w += n;
            start = k;
        }
        return w;
    }

    private void unknown(int cp, IntList out, Encoding state) {
        if (byteIds != null) {
            int[] end = new int[1];
            byte[] bytes = Utf8.encode(new String(Character.toChars(cp)), 0, Character.charCount(cp), new byte[4], 0, end);
            boolean all = true;
            for (int k = 0; k < end[0]; k++) all &= byteIds[bytes[k] & 0xFF] >= 0;
            if (all) {
                for (int k = 0; k < end[0]; k++) out.add(byteIds[bytes[k] & 0xFF]);
                state.lastWasUnk = false;
                return;
            }
        }
        if (unkId < 0) {
            if (byteLevelInput && ByteLevel.byteOf((char) cp) >= 0 && cp < 0x10000) {
                throw new IllegalArgumentException(String.format("byte 0x%02X has no token in this vocabulary and the model has no unk_token, so the text cannot be encoded", ByteLevel.byteOf((char) cp)));
            }
            throw new IllegalArgumentException(String.format("character U+%04X has no token in this vocabulary and the model has no unk_token, so the text cannot be encoded", cp));
        }
        if (fuseUnk && state.lastWasUnk) return;
        out.add(unkId);
        state.lastWasUnk = true;
    }
}
