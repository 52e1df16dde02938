package io.cpo4j.cli.experiment;

import io.cpo4j.cli.oracle.OracleDocument;
import io.cpo4j.cli.oracle.OracleLanguage;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OracleSplitsTest {

    private final List<OracleDocument> held = OracleLanguage.english().documents(2, OracleSplits.heldOutNeeded(200, 50, 30, 20));

    @Test
    void partsAreDisjointSizedAndPromptsUsable() {
        OracleSplits s = OracleSplits.of(held, 8, 200, 50, 30, 20);
        assertThat(s.test()).hasSize(200).allSatisfy(d -> assertThat(d.size()).isGreaterThanOrEqualTo(10));
        assertThat(s.validation()).hasSize(50).allSatisfy(d -> assertThat(d.size()).isGreaterThanOrEqualTo(10));
        assertThat(s.coverage()).hasSize(30);
        assertThat(s.lossDocs()).hasSize(20);
        Set<Integer> positions = new HashSet<>();
        for (List<OracleDocument> part : List.of(s.test(), s.validation(), s.coverage(), s.lossDocs())) {
            for (OracleDocument d : part) assertThat(positions.add(indexOf(d))).as("each held-out document in one part only").isTrue();
        }
        // the order of the stream is kept: test prompts come first, then validation, then the rest
        assertThat(indexOf(s.test().get(199))).isLessThan(indexOf(s.validation().get(0)));
        assertThat(indexOf(s.validation().get(49))).isLessThan(indexOf(s.coverage().get(0)));
    }

    @Test
    void tooFewDocumentsAreRefusedWithTheCounts() {
        assertThatThrownBy(() -> OracleSplits.of(held.subList(0, 100), 8, 200, 50, 30, 20))
                .hasMessageContaining("100 held-out documents give").hasMessageContaining("of 200 test");
    }

    @Test
    void theDemosSplitIsThirds() {
        OracleSplits s = OracleSplits.thirds(held.subList(0, 90));
        assertThat(s.test()).hasSize(30);
        assertThat(s.validation()).isEmpty();
        assertThat(s.coverage()).hasSize(30);
        assertThat(s.lossDocs()).hasSize(30);
    }

    private int indexOf(OracleDocument d) {
        for (int i = 0; i < held.size(); i++) if (held.get(i) == d) return i;
        throw new AssertionError("not a held-out document");
    }
}
