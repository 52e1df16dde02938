package io.cpo4j.model.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchShareTest {

    static TokenShard tokens() {
        int[] ids = new int[500];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7 + 3) % 50;
        return TokenShard.of(ids);
    }

    @Test
    void theReplicasSharesPutTogetherAreTheGlobalBatchAndTheyMoveInStep() {
        RandomWindows global = new RandomWindows(tokens(), 8, 5);
        BatchShare first = new BatchShare(new RandomWindows(tokens(), 8, 5), 0, 3), second = new BatchShare(new RandomWindows(tokens(), 8, 5), 1, 3),
                third = new BatchShare(new RandomWindows(tokens(), 8, 5), 2, 3);
        for (int step = 0; step < 3; step++) {
            Batch all = global.next(6);                                          // (3·2, 8)
            Batch a = first.next(2), b = second.next(2), c = third.next(2);
            int[] inputs = new int[all.inputs().length], targets = new int[all.targets().length];
            int at = 0;
            for (Batch part : new Batch[] {a, b, c}) {
                assertThat(part.rows()).isEqualTo(2);
                System.arraycopy(part.inputs(), 0, inputs, at, part.inputs().length);
                System.arraycopy(part.targets(), 0, targets, at, part.targets().length);
                at += part.inputs().length;
            }
            assertThat(inputs).isEqualTo(all.inputs());
            assertThat(targets).isEqualTo(all.targets());
            assertThat(first.state()).isEqualTo(global.state()).isEqualTo(third.state());
        }
        assertThat(Arrays.equals(first.next(2).inputs(), second.next(2).inputs())).as("replicas get different rows").isFalse();
        assertThatThrownBy(() -> new BatchShare(global, 3, 3)).hasMessage("rank 3 of 3 replicas");
    }
}
