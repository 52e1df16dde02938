package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.Tokenizer;

import java.util.List;

/**
 * Instruction data as (prefix, continuation): the prefix is the instruction and its context put
 * through a {@link PromptTemplate}, the continuation is the response followed by
 * {@code <|endoftext|>} (so a model learns to stop). Prefix and response are tokenized separately
 * and concatenated, as TRL does, so the boundary between them is always a token boundary. Record
 * text is never read as special tokens. Tokenized on demand; safe to share between threads.
 */
public final class InstructionDataset implements PrefixContinuationDataset {

    private final List<DollyRecord> records;
    private final PromptTemplate template;
    private final Tokenizer tokenizer;

    public InstructionDataset(List<DollyRecord> records, PromptTemplate template, Tokenizer tokenizer) {
        this.records = List.copyOf(records);
        this.template = template;
        this.tokenizer = tokenizer;
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
        continuation[response.length] = tokenizer.eotToken();
        return new TokenizedExample(tokenizer.encode(text.prefix()), continuation);
    }

    @Override
    public PrefixContinuation text(int i) {
        DollyRecord r = records.get(i);
        return new PrefixContinuation(template.prefix(r.instruction(), r.context()), r.response());
    }

    public DollyRecord record(int i) {
        return records.get(i);
    }
}
