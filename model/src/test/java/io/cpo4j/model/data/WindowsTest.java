package io.cpo4j.model.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowsTest {

    /** Token i is i, so a window's tokens reveal where it starts. */
    private static TokenShard counting(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = i;
        return TokenShard.of(ids);
    }

    @Test
    void randomWindowsAreConsecutiveTokensWithTargetsShiftedByOne() {
        TokenShard shard = counting(1000);
        RandomWindows windows = new RandomWindows(shard, 16, 1);
        for (int step = 0; step < 50; step++) {
            Batch b = windows.next(4);
            assertThat(b.rows()).isEqualTo(4);
            assertThat(b.block()).isEqualTo(16);
            for (int r = 0; r < 4; r++) {
                int start = b.inputs()[r * 16];
                assertThat(start).isBetween(0, 1000 - 17);
                for (int t = 0; t < 16; t++) {
                    assertThat(b.inputs()[r * 16 + t]).isEqualTo(start + t);
                    assertThat(b.targets()[r * 16 + t]).isEqualTo(start + t + 1);
                }
            }
        }
    }

    @Test
    void randomWindowsReachBothEndsOfTheStream() {
        TokenShard shard = counting(20);
        RandomWindows windows = new RandomWindows(shard, 10, 3);
        Set<Integer> starts = new HashSet<>();
        for (int step = 0; step < 100; step++) {
            Batch b = windows.next(8);
            for (int r = 0; r < 8; r++) starts.add(b.inputs()[r * 10]);
        }
        assertThat(starts).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9); // 20 − 10 = 10 possible starts
    }

    @Test
    void sameSeedSameBatchesAndStateResumesExactly() {
        TokenShard shard = counting(5000);
        RandomWindows a = new RandomWindows(shard, 8, 42), b = new RandomWindows(shard, 8, 42);
        List<Batch> straight = new ArrayList<>();
        for (int i = 0; i < 20; i++) straight.add(a.next(2));
        for (int i = 0; i < 10; i++) assertThat(b.next(2).inputs()).containsExactly(straight.get(i).inputs());
        long saved = b.state();
        RandomWindows resumed = new RandomWindows(shard, 8, 999);
        resumed.setState(saved);
        for (int i = 10; i < 20; i++) assertThat(resumed.next(2).inputs()).containsExactly(straight.get(i).inputs());
        assertThat(new RandomWindows(shard, 8, 43).next(2).inputs()).isNotEqualTo(straight.get(0).inputs());
    }

    @Test
    void sequentialWindowsCoverTheStreamOnceWithAShortLastBatch() {
        TokenShard shard = counting(100);
        SequentialWindows windows = new SequentialWindows(shard, 3, 10);
        assertThat(windows.windowCount()).isEqualTo(9);   // ⌊99 / 10⌋
        assertThat(windows.batchCount()).isEqualTo(3);
        assertThat(windows.targetCount()).isEqualTo(90);
        List<Integer> targets = new ArrayList<>();
        int batches = 0;
        for (Batch b : windows) {
            batches++;
            for (int i = 0; i < b.inputs().length; i++) {
                assertThat(b.targets()[i]).isEqualTo(b.inputs()[i] + 1);
                targets.add(b.targets()[i]);
            }
        }
        assertThat(batches).isEqualTo(3);
        assertThat(targets).hasSize(90).doesNotHaveDuplicates().contains(1, 90).doesNotContain(0, 91);
        SequentialWindows four = new SequentialWindows(shard, 4, 10);
        assertThat(four.batch(2).rows()).isEqualTo(1);
        assertThat(four.batch(2).inputs()).startsWith(80);
    }

    @Test
    void tooShortAStreamIsAClearError() {
        assertThatThrownBy(() -> new RandomWindows(counting(10), 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory has 10 tokens, fewer than one window of block + 1 = 11");
        assertThatThrownBy(() -> new SequentialWindows(counting(10), 1, 10)).hasMessageContaining("fewer than one window");
        assertThat(new SequentialWindows(counting(11), 1, 10).windowCount()).isEqualTo(1);
    }
}
