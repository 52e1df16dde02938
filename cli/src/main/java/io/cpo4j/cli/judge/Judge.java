package io.cpo4j.cli.judge;

import java.io.IOException;

/**
 * Compares two continuations of one prompt. For a win rate against the ground truth, call
 * {@code judge(prompt, candidate, truth)}: {@link Preference#A} is a win for the candidate.
 * Implementations are deterministic for a given configuration and safe to share between threads.
 */
public interface Judge {

    /** Which of two continuations of {@code prompt} is better; I/O failures only for remote judges. */
    Preference judge(String prompt, String a, String b) throws IOException;

    /** A short name for reports ("oracle", "openai:gpt-4o-mini"). */
    String name();
}
