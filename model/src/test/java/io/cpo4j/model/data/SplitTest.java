package io.cpo4j.model.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class SplitTest {

    private static List<String> keys(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add("record " + i);
        return out;
    }

    @Test
    void hashSplitIsStableUnderReorderingAndKeepsDuplicatesTogether() {
        List<String> items = keys(10_000);
        items.add("record 17"); // a duplicate
        Split.Parts<String> parts = Split.byHash(items, Function.identity(), 0.1, 7);
        assertThat(parts.validation().size()).isBetween(900, 1100);
        assertThat(parts.train().size() + parts.validation().size()).isEqualTo(items.size());
        assertThat(parts.train().contains("record 17")).isNotEqualTo(parts.validation().contains("record 17"));
        List<String> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new java.util.Random(1));
        Split.Parts<String> again = Split.byHash(shuffled, Function.identity(), 0.1, 7);
        assertThat(again.validation()).containsExactlyInAnyOrderElementsOf(parts.validation());
        assertThat(Split.byHash(items, Function.identity(), 0.1, 8).validation()).isNotEqualTo(parts.validation());
        assertThat(Split.byHash(items, Function.identity(), 0.0, 7).validation()).isEmpty();
        assertThat(Split.byHash(items, Function.identity(), 1.0, 7).train()).isEmpty();
    }

    @Test
    void tailSplitIsNanoGptsNinetyTen() {
        String text = "abcdefghij".repeat(10);
        Split.TextParts parts = Split.tail(text, 0.1);
        assertThat(parts.train()).hasSize(90);
        assertThat(parts.train() + parts.validation()).isEqualTo(text);
        // Never inside a surrogate pair.
        Split.TextParts emoji = Split.tail("a😀😀😀😀", 0.5);
        assertThat(emoji.train() + emoji.validation()).isEqualTo("a😀😀😀😀");
        assertThat(emoji.validation().codePointAt(0)).isEqualTo("😀".codePointAt(0));
    }
}
