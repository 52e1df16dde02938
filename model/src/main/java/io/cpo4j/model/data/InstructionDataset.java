package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.Tokenizer;

import java.util.List;

/**
 * Instruction data as (prefix, continuation): the prefix is the instruction and its context put
 * through a {@link PromptTemplate} (continuation: the response followed by {@code <|endoftext|>}, so
 * a model learns to stop) or a {@link ChatFormat} (continuation: the response as the chat renders it,
 * followed by the end-of-turn token). Prefix and response are tokenized separately and concatenated,
 * as TRL does, so the boundary between them is always a token boundary. Record text is never read
 * as special tokens; a chat's control tokens are looked up by name. Tokenized on demand; safe to
 * share between threads.
 */
public final class InstructionDataset implements PrefixContinuationDataset {

    private final List<DollyRecord> records;
    private final PromptTemplate template; // null for a chat format
    private final ChatFormat chat;         // null for a plain template
    private final Tokenizer tokenizer;

    public InstructionDataset(List<DollyRecord> records, PromptTemplate template, Tokenizer tokenizer) {
        this.records = List.copyOf(records);
        this.template = template;
        this.chat = null;
        this.tokenizer = tokenizer;
    }

    /** Records in a chat format; the tokenizer must hold the format's control tokens as special tokens. */
    public InstructionDataset(List<DollyRecord> records, ChatFormat chat, Tokenizer tokenizer) {
        for (String special : chat.requiredSpecialTokens()) {
            if (!tokenizer.specialTokens().containsKey(special)) {
                throw new IllegalArgumentException("the tokenizer has no special token " + special + ", which the " + chat.id()
                        + " chat format needs (its special tokens: " + tokenizer.specialTokens().keySet() + ")");
            }
        }
        this.records = List.copyOf(records);
        this.template = null;
        this.chat = chat;
        this.tokenizer = tokenizer;
    }

    /** The end of every continuation: the chat's end-of-turn token, or {@code <|endoftext|>}. */
    public int endToken() {
        return chat != null ? tokenizer.specialTokens().get(chat.endOfTurn()) : tokenizer.eotToken();
    }

    @Override
    public int size() {
        return records.size();
    }

    @Override
    public TokenizedExample get(int i) {
        PrefixContinuation text = text(i);
        int[] response = tokenizer.encode(text.continuation());
        int[] continuation = java.util.Arrays.copyOf(response, response.length + 1);
        continuation[response.length] = endToken();
        int[] prefix = chat == null ? tokenizer.encode(text.prefix()) : encode(chat.promptPieces(records.get(i)));
        return new TokenizedExample(prefix, continuation);
    }

    /** Text pieces tokenized on their own, control tokens by id, markers by id when the vocabulary has them. */
    private int[] encode(List<ChatFormat.Piece> pieces) {
        io.cpo4j.model.tokenizer.IntList ids = new io.cpo4j.model.tokenizer.IntList(64);
        for (ChatFormat.Piece p : pieces) {
            Integer special = p.kind() == ChatFormat.Piece.Kind.TEXT ? null : tokenizer.specialTokens().get(p.text());
            if (special != null) ids.add(special);
            else ids.addAll(tokenizer.encode(p.text()));
        }
        return ids.toArray();
    }

    @Override
    public PrefixContinuation text(int i) {
        DollyRecord r = records.get(i);
        if (chat != null) return new PrefixContinuation(chat.prompt(r), chat.response(r));
        return new PrefixContinuation(template.prefix(r.instruction(), r.context()), r.response());
    }

    public DollyRecord record(int i) {
        return records.get(i);
    }
}
