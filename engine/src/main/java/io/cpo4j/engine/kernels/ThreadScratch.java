package io.cpo4j.engine.kernels;

/**
 * Work arrays kept per thread and reused from call to call, so that a hot kernel allocates
 * nothing once warm. Each kernel owns some slots (constants next to its code); a slot is grown
 * when a call needs more, never shrunk. Contents are garbage on entry: callers overwrite them.
 */
final class ThreadScratch {

    static final int GEMM_PACKED_B = 0, GEMM_PACKED_A = 1, GEMM_TILE = 2;
    static final int ATTENTION_FIRST = 3;          // .. ATTENTION_FIRST + 12
    static final int LAYERNORM_PARTIAL = 16;
    static final int RMSNORM_PARTIAL = 17;
    static final int HALF_ROWS = 18;
    static final int HALF_PANEL = 19;
    static final int PREFIX_ATTENTION_FIRST = 20;  // .. PREFIX_ATTENTION_FIRST + 1
    static final int GEMM_PACKED_B_NEXT = 22;
    private static final int SLOTS = 24;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> {
        float[][] b = new float[SLOTS][];
        for (int i = 0; i < SLOTS; i++) b[i] = new float[0];
        return b;
    });

    private ThreadScratch() {}

    /** This thread's array for {@code slot}, at least {@code size} long. */
    static float[] get(int slot, int size) {
        float[][] buffers = BUFFERS.get();
        if (buffers[slot].length < size) buffers[slot] = new float[size];
        return buffers[slot];
    }
}
