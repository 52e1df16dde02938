package io.cpo4j.spark.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class RingAllGatherTest {

    /** Rank r's payload: r * 3 bytes (rank 0's is empty), each (r * 31 + i) truncated to a byte. */
    static byte[] payload(int rank) {
        byte[] b = new byte[rank * 3];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (rank * 31 + i);
        return b;
    }

    @Test
    void everyMemberGetsEveryPayloadByRank() throws Exception {
        for (int size = 1; size <= 4; size++) {
            int n = size;
            try (Rings rings = Rings.join(n, Duration.ofSeconds(10), Ring.SEGMENT_FLOATS)) {
                List<byte[][]> gathered = rings.onEach(r -> r.allGather(payload(r.rank())));
                // and again: a second operation on the same connections
                List<byte[][]> again = rings.onEach(r -> r.allGather(payload(n - 1 - r.rank())));
                for (int member = 0; member < n; member++) {
                    assertThat(gathered.get(member)).hasNumberOfRows(n);
                    for (int r = 0; r < n; r++) {
                        assertThat(gathered.get(member)[r]).as("member %d, rank %d of %d", member, r, n).isEqualTo(payload(r));
                        assertThat(again.get(member)[r]).isEqualTo(payload(n - 1 - r));
                    }
                }
            }
        }
    }

    @Test
    void aSingleMemberGathersACopyOfItsOwn() throws Exception {
        byte[] mine = {1, 2, 3};
        byte[][] all = Ring.single().allGather(mine);
        mine[0] = 9;
        assertThat(all).hasNumberOfRows(1);
        assertThat(all[0]).containsExactly(1, 2, 3);
    }
}
