package io.cpo4j.model.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A HuggingFace tokenizer ({@code tokenizer.json} + {@code tokenizer_config.json}; load one with
 * {@link HfTokenizerFiles}): added tokens are cut out of the text first, the stretches between
 * them go through the {@link HfNormalizer normalizer}, the {@link HfPreTokenizer pre-tokenizer}
 * and the {@link HfBpeModel BPE model}; decoding maps ids to token texts and runs the
 * {@link HfDecoder decoder}. The ids equal HuggingFace's {@code encode(text,
 * add_special_tokens=False)} (checked against transformers.js on Llama 3, Qwen3 and a
 * SentencePiece vocabulary).
 *
 * <p><b>Special-token text.</b> Unlike {@link BpeTokenizer}, {@link #encode(String)} recognises
 * added tokens written in the text — {@code <|im_start|>} in a prompt becomes its one id — because
 * HuggingFace always does so and chat templates depend on it. For text from users that must not
 * inject control tokens, use {@link #encodePlain(String)} (no added token recognised) or
 * {@link #encode(String, Set)} (only the listed ones).
 *
 * <p>{@link #decode(int[])} gives the text back: it does not apply transformers'
 * {@code clean_up_tokenization_spaces} (which would turn {@code " ."} into {@code "."}).
 */
public final class HfTokenizer implements Tokenizer {

    /** Texts longer than this remember the ids of pieces they have already encoded. */
    private static final int CACHE_MIN_CHARS = 256;
    private static final int CACHE_MAX_ENTRIES = 1 << 16;

    private final String[] tokenTexts;                 // (V,) text of each id; null where no token has the id
    private final HfNormalizer normalizer;             // null: none
    private final HfPreTokenizer preTokenizer;         // null: the whole stretch is one piece
    private final HfBpeModel model;
    private final HfDecoder decoder;                   // null: token texts joined with spaces
    private final List<HfAddedTokens.Token> addedTokens;
    private final HfAddedTokens allAdded;
    private final Map<String, Integer> added, special;
    private final int[] prefixIds, suffixIds;          // what addSpecialTokens puts around the text
    private final int bosId, eosId;                    // −1: none
    private final String chatTemplate;                 // null: none

    HfTokenizer(String[] tokenTexts, HfNormalizer normalizer, HfPreTokenizer preTokenizer, HfBpeModel model, HfDecoder decoder,
                List<HfAddedTokens.Token> addedTokens, int[] prefixIds, int[] suffixIds, int bosId, int eosId, String chatTemplate) {
        this.tokenTexts = tokenTexts;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.decoder = decoder;
        this.addedTokens = List.copyOf(addedTokens);
        this.allAdded = new HfAddedTokens(addedTokens);
        Map<String, Integer> a = new LinkedHashMap<>(), s = new LinkedHashMap<>();
        for (HfAddedTokens.Token t : addedTokens) {
            a.put(t.content(), t.id());
            if (t.special()) s.put(t.content(), t.id());
        }
        this.added = Collections.unmodifiableMap(a);
        this.special = Collections.unmodifiableMap(s);
        this.prefixIds = prefixIds.clone();
        this.suffixIds = suffixIds.clone();
        this.bosId = bosId;
        this.eosId = eosId;
        this.chatTemplate = chatTemplate;
    }

    /** HuggingFace's {@code encode(text, add_special_tokens=False)}: added tokens in the text are recognised. */
    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * HuggingFace's {@code encode(text, add_special_tokens=…)}: with true, the BOS / EOS tokens the
     * tokenizer adds around a text ({@code add_bos_token}, {@code add_eos_token} of
     * tokenizer_config.json, else the {@code TemplateProcessing} post-processor) are added.
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        if (addSpecialTokens) out.addAll(prefixIds);
        encodeSections(allAdded, text, out);
        if (addSpecialTokens) out.addAll(suffixIds);
        return out.toArray();
    }

    /** The ids of a text in which no added token is recognised: {@code <|im_start|>} is plain text. */
    public int[] encodePlain(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encodeOrdinary(text, out);
        return out.toArray();
    }

    /**
     * The ids of a text in which only the listed added tokens are recognised (an empty set: none,
     * as {@link #encodePlain}). Naming a text that is not an added token is an error.
     */
    @Override
    public int[] encode(String text, Set<String> allowedSpecial) {
        List<HfAddedTokens.Token> allowed = new ArrayList<>();
        for (String s : allowedSpecial) {
            if (!added.containsKey(s)) {
                throw new IllegalArgumentException("'" + s + "' is not an added token of this tokenizer (added tokens: "
                        + (added.size() > 20 ? new ArrayList<>(added.keySet()).subList(0, 20) + "…" : added.keySet()) + ")");
            }
        }
        for (HfAddedTokens.Token t : addedTokens) if (allowedSpecial.contains(t.content())) allowed.add(t);
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encodeSections(new HfAddedTokens(allowed), text, out);
        return out.toArray();
    }

    private void encodeSections(HfAddedTokens splitter, String text, IntList out) {
        if (splitter.isEmpty()) {
            encodeOrdinary(text, out);
            return;
        }
        for (HfAddedTokens.Section s : splitter.split(text)) {
            if (s.token() != null) out.add(s.token().id());
            else encodeOrdinary(s.text(), out);
        }
    }

    /** Normalizes, pre-tokenizes and BPE-encodes a stretch of text without added tokens. */
    private void encodeOrdinary(String text, IntList out) {
        if (text.isEmpty()) return;
        if (normalizer != null) text = normalizer.normalize(text);
        if (text.isEmpty()) return;
        List<String> pieces = new ArrayList<>();
        if (preTokenizer != null) preTokenizer.split(text, pieces);
        else pieces.add(text);
        HfBpeModel.Encoding state = new HfBpeModel.Encoding();
        // fuse_unk makes a piece's ids depend on the piece before it, so those tokenizers do not cache.
        Map<String, int[]> cache = text.length() >= CACHE_MIN_CHARS && !model.fusesUnk() ? new HashMap<>() : null;
        IntList one = cache != null ? new IntList() : null;
        for (String piece : pieces) {
            if (cache == null) {
                model.encode(piece, out, state);
                continue;
            }
            int[] hit = cache.get(piece);
            if (hit != null) {
                out.addAll(hit);
                continue;
            }
            one.clear();
            model.encode(piece, one, state);
            int[] ids = one.toArray();
            out.addAll(ids);
            if (cache.size() < CACHE_MAX_ENTRIES) cache.put(piece, ids);
        }
    }

    @Override
    public String decode(int[] ids) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= tokenTexts.length || tokenTexts[id] == null) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " is outside the vocabulary"
                        + (id >= 0 && id < tokenTexts.length ? " (no token has this id)" : " [0, " + tokenTexts.length + ")"));
            }
            tokens.add(tokenTexts[id]);
        }
        if (decoder == null) return String.join(" ", tokens);
        return String.join("", decoder.decode(tokens));
    }

    /** One more than the largest id. */
    @Override
    public int vocabSize() {
        return tokenTexts.length;
    }

    /**
     * The end-of-sequence id: {@code eos_token} of tokenizer_config.json, else the token
     * {@code <|endoftext|>} if there is one; IllegalStateException when there is neither.
     */
    @Override
    public int eotToken() {
        if (eosId < 0) throw new IllegalStateException("this tokenizer has no eos_token (tokenizer_config.json names none)");
        return eosId;
    }

    /** The text of {@code eos_token} (or {@code <|endoftext|>} when the config names none). */
    @Override
    public String endOfText() {
        return eosId < 0 ? ENDOFTEXT : tokenText(eosId);
    }

    /** The id of {@code eos_token} (or, without one, of {@code <|endoftext|>}), if there is one. */
    public OptionalInt eosToken() {
        return eosId < 0 ? OptionalInt.empty() : OptionalInt.of(eosId);
    }

    /** The id of {@code bos_token}, if tokenizer_config.json names one. */
    public OptionalInt bosToken() {
        return bosId < 0 ? OptionalInt.empty() : OptionalInt.of(bosId);
    }

    /** Added tokens marked {@code "special": true}, by text. */
    @Override
    public Map<String, Integer> specialTokens() {
        return special;
    }

    /** All added tokens (special or not, such as Qwen's {@code <think>}), by text. */
    public Map<String, Integer> addedTokens() {
        return added;
    }

    /** The {@code chat_template} of tokenizer_config.json, as written (a Jinja template). */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** The text of token {@code id} as the vocabulary writes it ({@code Ġthe}, {@code ▁the}, {@code <0x0A>}). */
    public String tokenText(int id) {
        if (id < 0 || id >= tokenTexts.length || tokenTexts[id] == null) throw new IllegalArgumentException("no token has id " + id);
        return tokenTexts[id];
    }

    @Override
    public String toString() {
        return "HfTokenizer(vocab " + tokenTexts.length + ", added tokens " + added.size() + ")";
    }
}
