package io.cpo4j.model.data;

/**
 * Examples of a prefix and its true continuation, by index — the data of sequence-level CPO
 * (and of masked next-token fine-tuning). Deterministic: example i is the same on every call and
 * every run; the trainer decides the order with its own seeded generator.
 */
public interface PrefixContinuationDataset {

    int size();

    /** Example i as token ids. */
    TokenizedExample get(int i);

    /** Example i as text (for logs, judges and samples). */
    PrefixContinuation text(int i);
}
