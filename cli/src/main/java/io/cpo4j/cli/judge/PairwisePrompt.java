package io.cpo4j.cli.judge;

import java.util.Locale;
import java.util.Optional;

/**
 * The pairwise judging prompt and the reading of its answer. The judge sees a beginning and two
 * continuations labelled A and B and must answer with one word: A, B or tie.
 */
final class PairwisePrompt {

    static final String SYSTEM = "You are a careful, impartial judge of writing quality. You compare two continuations "
            + "of the same text and answer with a single word.";

    private PairwisePrompt() {}

    static String user(String prompt, String first, String second) {
        return "Here is the beginning of a text, followed by two possible continuations.\n\n"
                + "Beginning:\n" + prompt + "\n\n"
                + "Continuation A:\n" + first + "\n\n"
                + "Continuation B:\n" + second + "\n\n"
                + "Which continuation is better: more fluent, more grammatical, more coherent, and more consistent with "
                + "the beginning? Do not prefer a continuation for its length or for its position. "
                + "Answer with exactly one word: A, B, or tie.";
    }

    /** A, B or tie from the judge's reply (as shown, before any swap is undone); empty if unreadable. */
    static Optional<Preference> parse(String reply) {
        String r = reply.strip().toLowerCase(Locale.ROOT);
        // Strip decoration such as **A**, "B", (tie), A. — but keep the word itself.
        r = r.replaceAll("^[\\s*\"'`(\\[]+", "").replaceAll("[\\s*\"'`)\\].!:]+$", "");
        if (r.startsWith("answer:") || r.startsWith("answer is")) r = r.replaceFirst("^answer(:| is)\\s*", "");
        r = r.replaceAll("^[\\s*\"'`(\\[]+", "");
        if (r.equals("a") || r.startsWith("a\n") || r.equals("continuation a")) return Optional.of(Preference.A);
        if (r.equals("b") || r.startsWith("b\n") || r.equals("continuation b")) return Optional.of(Preference.B);
        if (r.equals("tie") || r.equals("equal") || r.equals("both") || r.startsWith("tie\n")) return Optional.of(Preference.TIE);
        return Optional.empty();
    }
}
