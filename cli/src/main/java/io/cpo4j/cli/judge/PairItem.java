package io.cpo4j.cli.judge;

import java.util.Objects;

/** One judged item: a prompt, the model's continuation (candidate) and the ground truth (reference). */
public record PairItem(String prompt, String candidate, String reference) {

    public PairItem {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(reference, "reference");
    }
}
