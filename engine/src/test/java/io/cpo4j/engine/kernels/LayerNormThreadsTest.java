package io.cpo4j.engine.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The layernorm backward shares rows, then columns of dw and db, between threads: same bits on any count. */
class LayerNormThreadsTest {

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void backwardGivesTheSameBitsOnOneToFiveThreads() {
        backwardOnOneToFiveThreads(300, 1000);          // 10 row blocks; dw and db summed on one thread
    }

    @Test
    void backwardWithDwAndDbCutIntoColumnRangesGivesTheSameBits() {
        int rows = 2048, cols = 4096, blocks = rows / LayerNormKernel.PARAM_ROWS;
        int fewestColumns = LayerNormKernel.REDUCE_FLOATS / (2 * blocks);
        assertThat(cols / fewestColumns).as("column ranges of dw and db").isGreaterThanOrEqualTo(2);
        backwardOnOneToFiveThreads(rows, cols);
    }

    private static void backwardOnOneToFiveThreads(int rows, int cols) {
        Random r = new Random(5);
        float[] x = new float[rows * cols], dout = new float[rows * cols], w = new float[cols], b = new float[cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            dout[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < cols; i++) {
            w[i] = 1f + 0.1f * (float) r.nextGaussian();
            b[i] = 0.1f * (float) r.nextGaussian();
        }
        float[] mean = new float[rows], rstd = new float[rows], y = new float[rows * cols];
        LayerNormKernel.forward(x, 0, w, 0, b, 0, y, 0, mean, rstd, rows, cols, 1e-5f);
        float[][] first = null;
        for (int threads = 1; threads <= 5; threads++) {
            Parallel.setThreads(threads);
            float[] dx = new float[rows * cols], dw = new float[cols], db = new float[cols];
            Arrays.fill(dw, 0.5f);                       // accumulates into what is there
            LayerNormKernel.backward(dout, 0, x, 0, w, 0, mean, rstd, dx, 0, dw, 0, db, 0, rows, cols);
            float[][] now = {dx, dw, db};
            if (first == null) {
                first = now;
                double expectedDb = 0;
                for (int i = 0; i < rows; i++) expectedDb += dout[i * cols + 7];
                assertThat((double) db[7]).isCloseTo(expectedDb, org.assertj.core.data.Offset.offset(1e-3));
            } else {
                for (int i = 0; i < 3; i++) {
                    assertThat(Arrays.equals(first[i], now[i])).as("output %d on %d threads", i, threads).isTrue();
                }
            }
        }
    }
}
