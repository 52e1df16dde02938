package io.cpo4j.cpo.negatives;

import io.cpo4j.model.data.TokenizedExample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cpo4j.cpo.negatives.NegativesTest.EOS;
import static io.cpo4j.cpo.negatives.NegativesTest.PREFIXES;
import static io.cpo4j.cpo.negatives.NegativesTest.TRUTHS;
import static io.cpo4j.cpo.negatives.NegativesTest.context;
import static org.assertj.core.api.Assertions.assertThat;

class PreferenceNegativesTest {

    static final int[] R0A = {30, 31, EOS}, R0B = {32, EOS}, R0C = {33, 34, 35, EOS}, R2 = {36, 37, EOS};

    /** Example 0 has three rejected, example 1 none, example 2 one. */
    static PreferenceNegatives table() {
        Map<TokenizedExample, List<int[]>> m = new LinkedHashMap<>();
        m.put(new TokenizedExample(PREFIXES[0], TRUTHS[0]), List.of(R0A, R0B, R0C));
        m.put(new TokenizedExample(PREFIXES[2], TRUTHS[2]), List.of(R2));
        return new PreferenceNegatives(m);
    }

    @Test
    void looksRejectedUpByPrefixAndTruthAndGivesNoneToOtherExamples() {
        PreferenceNegatives p = table();
        assertThat(p.examples()).isEqualTo(2);
        NegativeContext ctx = context(1);
        long before = ctx.rng().state();
        List<List<int[]>> negs = p.generate(PREFIXES, TRUTHS, 3, ctx);
        assertThat(negs.get(0)).as("all three, in file order").containsExactly(R0A, R0B, R0C);
        assertThat(negs.get(1)).as("no preference row").isEmpty();
        assertThat(negs.get(2)).as("fewer than the slots").containsExactly(R2);
        assertThat(ctx.rng().state()).as("nothing to choose, nothing drawn").isEqualTo(before);
        assertThat(p.generate(new int[][] {PREFIXES[0]}, new int[][] {TRUTHS[2]}, 3, ctx).get(0)).as("the same prefix with another truth").isEmpty();
        assertThat(p.options()).containsEntry("preference_examples", 2L).containsEntry("preference_rejected", 4L);
    }

    @Test
    void moreRejectedThanSlotsIsAReproducibleDrawWithoutReplacement() {
        PreferenceNegatives p = table();
        Set<List<Integer>> draws = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            List<int[]> a = p.generate(PREFIXES, TRUTHS, 2, context(seed)).get(0);
            List<int[]> b = p.generate(PREFIXES, TRUTHS, 2, context(seed)).get(0);
            assertThat(a).hasSize(2).containsExactlyElementsOf(b);
            assertThat(a.get(0)).isNotEqualTo(a.get(1));
            assertThat(a).allSatisfy(n -> assertThat(List.of(R0A, R0B, R0C)).anySatisfy(r -> assertThat(n).isEqualTo(r)));
            draws.add(a.stream().map(n -> n[0]).toList());
        }
        assertThat(draws).as("every ordered pair of the three comes up").hasSize(6);
        NegativeContext ctx = context(3);
        long before = ctx.rng().state();
        p.generate(PREFIXES, TRUTHS, 2, ctx);
        assertThat(ctx.rng().state()).as("the draw advances the saved stream").isNotEqualTo(before);
    }

    @Test
    void copiesOfTheTruthAndDuplicatesAreDroppedAndLongOnesCutToTheContext() {
        Map<TokenizedExample, List<int[]>> m = new LinkedHashMap<>();
        m.put(new TokenizedExample(PREFIXES[1], TRUTHS[1]), List.of(TRUTHS[1].clone(), R0B, R0B.clone()));
        int[] longPrefix = new int[30], tooLong = new int[10];                 // the context is 32: two tokens of room
        Arrays.fill(longPrefix, 5);
        Arrays.fill(tooLong, 6);
        int[] truth = {6, 7}, shortTruth = {6, 6};
        m.put(new TokenizedExample(longPrefix, truth), List.of(tooLong, new int[] {6, 6, 9, EOS}));
        m.put(new TokenizedExample(longPrefix, shortTruth), List.of(new int[] {6, 6, 9, EOS}, new int[] {8, EOS}));
        PreferenceNegatives p = new PreferenceNegatives(m);
        assertThat(p.rejectedFor(PREFIXES[1], TRUTHS[1])).containsExactly(R0B);
        assertThat(p.generate(new int[][] {longPrefix}, new int[][] {truth}, 4, context(1)).get(0)).containsExactly(new int[] {6, 6}, new int[] {6, 6});
        assertThat(p.generate(new int[][] {longPrefix}, new int[][] {shortTruth}, 4, context(1)).get(0)).as("cut into a copy of the truth: dropped")
                .containsExactly(new int[] {8, EOS});
    }

    @Test
    void mixedWithBatchNegativesPreferenceTakesItsSlotsAndTruncationFillsTheMissing() {
        NegativeMixer mixer = new NegativeMixer(List.of(table(), new BatchNegatives()));
        NegativeMixer.Mixed m = mixer.build(PREFIXES, TRUTHS, 5, false, context(5));
        assertThat(m.sources()[0]).containsExactly("truth", "preference", "batch", "preference", "batch");
        assertThat(m.sources()[1]).as("no rejected: truncation in preference's slots").containsExactly("truth", "truncation", "batch", "truncation", "batch");
        assertThat(m.sources()[2]).containsExactly("truth", "preference", "batch", "truncation", "batch");
        assertThat(m.set().continuation(2, 1)).isEqualTo(R2);
        List<int[]> firsts = new ArrayList<>(List.of(m.set().continuation(0, 1), m.set().continuation(0, 3)));
        assertThat(firsts).allSatisfy(n -> assertThat(List.of(R0A, R0B, R0C)).anySatisfy(r -> assertThat(n).isEqualTo(r)));
        assertThat(firsts.get(0)).isNotEqualTo(firsts.get(1));
        assertThat(m.set().continuation(1, 1)[m.set().continuation(1, 1).length - 1]).isEqualTo(EOS);
    }

    @Test
    void theSameSeedGivesTheSameMixedCandidates() {
        NegativeMixer mixer = new NegativeMixer(List.of(table(), new TruncationNegatives()));
        NegativeMixer.Mixed a = mixer.build(PREFIXES, TRUTHS, 3, false, context(9)), b = mixer.build(PREFIXES, TRUTHS, 3, false, context(9));
        for (int e = 0; e < TRUTHS.length; e++) {
            for (int j = 0; j < 3; j++) assertThat(a.set().continuation(e, j)).isEqualTo(b.set().continuation(e, j));
        }
        assertThat(a.sources()[0]).containsExactly("truth", "preference", "truncation");
    }
}
