package io.cpo4j.cli.experiment;

import io.cpo4j.cli.oracle.OracleDocument;

import java.util.ArrayList;
import java.util.List;

/**
 * The held-out oracle documents of a study, in disjoint parts:
 * <ul>
 *   <li>{@code test}: prompts for the final comparison, each configuration evaluated on them once;</li>
 *   <li>{@code validation}: prompts for choosing recipes (β, the ensemble's α), never reported as results;</li>
 *   <li>{@code coverage}: fresh documents whose likelihood under a model is its coverage NLL;</li>
 *   <li>{@code lossDocs}: documents whose continuation NLL is the fine-tunes' validation loss (choosing the lr).</li>
 * </ul>
 * Prompt documents are usable ones only ({@link OracleCorpus#usable}): a prompt and ≥ 2 more words.
 */
public record OracleSplits(List<OracleDocument> test, List<OracleDocument> validation, List<OracleDocument> coverage,
                           List<OracleDocument> lossDocs) {

    /** Fewest usable documents per held-out document assumed when sizing the held-out stream (≈ 0.75 measured at 8-word prompts). */
    static final double USABLE_SHARE = 0.6;

    public OracleSplits {
        test = List.copyOf(test);
        validation = List.copyOf(validation);
        coverage = List.copyOf(coverage);
        lossDocs = List.copyOf(lossDocs);
    }

    /** The demo's split: thirds for test prompts, coverage and the validation loss; no validation prompts. */
    static OracleSplits thirds(List<OracleDocument> held) {
        int third = held.size() / 3;
        return new OracleSplits(held.subList(0, third), List.of(), held.subList(third, 2 * third), held.subList(2 * third, held.size()));
    }

    /** How many held-out documents {@link #of} needs, with room for short documents. */
    static int heldOutNeeded(int test, int validation, int coverage, int lossDocs) {
        return (int) Math.ceil((test + validation) / USABLE_SHARE) + coverage + lossDocs;
    }

    /**
     * Walks {@code held} in order: the first {@code test} usable documents are the test prompts, the
     * next {@code validation} usable ones the validation prompts (documents too short to prompt are
     * skipped), then {@code coverage} documents, then {@code lossDocs}.
     */
    static OracleSplits of(List<OracleDocument> held, int promptWords, int test, int validation, int coverage, int lossDocs) {
        List<OracleDocument> t = new ArrayList<>(), v = new ArrayList<>();
        int i = 0;
        while (i < held.size() && (t.size() < test || v.size() < validation)) {
            OracleDocument d = held.get(i++);
            if (d.size() < promptWords + 2) continue;
            if (t.size() < test) t.add(d);
            else v.add(d);
        }
        if (t.size() < test || v.size() < validation || held.size() - i < coverage + lossDocs) {
            throw new IllegalArgumentException("oracle splits: " + held.size() + " held-out documents give " + t.size() + " of " + test
                    + " test and " + v.size() + " of " + validation + " validation prompts and " + Math.max(0, held.size() - i) + " of "
                    + (coverage + lossDocs) + " further documents");
        }
        return new OracleSplits(t, v, held.subList(i, i + coverage), held.subList(i + coverage, i + coverage + lossDocs));
    }
}
