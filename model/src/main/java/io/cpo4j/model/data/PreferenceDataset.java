package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Preference records as (prefix, continuation) examples: the prompt as written is the prefix, the
 * chosen text followed by {@code <|endoftext|>} the continuation (TRL's DPO tokenization: prompt and
 * response tokenized separately and concatenated, end-of-text appended), and each rejected text is
 * tokenized the same way. Record text is never read as special tokens. Tokenized on demand; safe to
 * share between threads.
 */
public final class PreferenceDataset implements PrefixContinuationDataset {

    private final List<PreferenceRecord> records;
    private final Tokenizer tokenizer;

    public PreferenceDataset(List<PreferenceRecord> records, Tokenizer tokenizer) {
        this.records = List.copyOf(records);
        this.tokenizer = tokenizer;
    }

    @Override
    public int size() {
        return records.size();
    }

    /** Example i: (P,) prompt ids, (C,) chosen ids then end-of-text. */
    @Override
    public TokenizedExample get(int i) {
        PreferenceRecord r = records.get(i);
        return new TokenizedExample(tokenizer.encode(r.prompt()), ended(r.chosen()));
    }

    /** Example i's rejected continuations, each ids then end-of-text, in the record's order. */
    public List<int[]> rejected(int i) {
        List<int[]> out = new ArrayList<>();
        for (String r : records.get(i).rejected()) out.add(ended(r));
        return out;
    }

    @Override
    public PrefixContinuation text(int i) {
        return new PrefixContinuation(records.get(i).prompt(), records.get(i).chosen());
    }

    public PreferenceRecord record(int i) {
        return records.get(i);
    }

    private int[] ended(String text) {
        int[] ids = tokenizer.encode(text);
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = tokenizer.eotToken();
        return out;
    }
}
