package io.cpo4j.engine.kernels;

import java.util.function.IntFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix products, row-major, BLAS-style:
 * {@code C[m,n] (+)= op(A)[m,k] · op(B)[k,n]} where {@code op(A) = Aᵀ} when {@code transA}
 * (then A is stored {@code [k, m]}), likewise for B. {@code lda}, {@code ldb}, {@code ldc} are
 * row strides. With {@code accumulate} the product is added to C, otherwise it replaces it.
 *
 * <p>The vector path is the Goto/BLIS scheme: op(B) is packed into panels of {@link Vec#NR}
 * columns a slab at a time, op(A) into panels of {@link Vec#MR} rows a block at a time, and a
 * register-blocked micro-kernel multiplies one A panel by one B panel, {@link #KC} deep, with
 * every partial sum in a register. Each C element is the sum of its {@link #KC}-deep partial
 * sums in k order, each partial sum one FMA chain in k order: the blocking over rows and
 * columns and the split over threads only decide who computes an element, never how, so the
 * result is bit-identical for any thread count.
 *
 * <p>The micro-kernel adds each finished tile to C itself, with no tile buffer in between. An A
 * panel stays in L1 while a group of the slab's B panels streams past it from L2, so the tiles walk
 * along C's rows: a Java program cannot issue the prefetches of C that native BLAS uses, and
 * tiles in row order let the hardware prefetcher stream them (see {@link #multiply}).
 *
 * <p>Threads share a product the BLIS way (see {@link #product}): each worker owns a part of C,
 * rows, or columns where its rows would be few (see {@link GemmTiling}); blocks of
 * op(A) are packed by whoever computes them, the slab's B panels by the first task to need
 * them, into a buffer all workers read. One fork and join per product, and no barrier: a
 * worker that finishes its part takes the last tasks of another's, and waits only for work
 * another worker holds.
 */
public final class Gemm {

    /**
     * Depth of a packed block: one A panel (MR·KC floats, 24 KB with AVX-512) stays in L1 while
     * the B panels stream past it from L2. Each C element is read and written once per KC of
     * depth, so deeper blocks cost less C traffic.
     */
    static final int KC = 512;
    /** Most rows of op(A) per packed block (MC·KC floats); a multiple of every MR. */
    static final int MC = 240;
    /**
     * Most floats of a packed slab of op(B), one depth block of {@link #KC} (8 MB, in L3); a
     * larger op(B) is packed slab by slab. Every column slab packs op(A) again, so a slab spans as
     * many columns as fit: 4096 at KC = 512, all of a GPT-2 MLP weight. The micro-kernel does not
     * sweep a whole slab per A panel, only a group of {@link #GROUP} floats of it (see
     * {@link #multiply}).
     */
    static final int SLAB = 1 << 21;
    /**
     * Floats of packed op(B) one A panel sweeps before the next A panel starts (1 MB, L2): the
     * group is read from L3 once per row block and then from L2 by each of the block's A panels.
     * A task packs the panels of a group that no one has packed yet, then multiplies the group
     * while it is in L2.
     */
    static final int GROUP = 1 << 18;
    /**
     * Tasks per worker's part of a shared slab: enough that a core running slower hands some of
     * its part to the other (on a shared machine one core often runs a fifth slower than the
     * other for seconds at a time), and that the last task ends close to the others.
     */
    static final int TASKS_PER_THREAD = 8;
    /** Fewest A panels in a row block cut for sharing: below this, a task's packing and loop overhead shows. */
    static final int MIN_BLOCK_PANELS = 2;
    /**
     * Fewest A panels per block for threads to share a product by rows; below this they share it
     * by columns. Each block reads all of its slab's B panels, and with rows shared most of those
     * were packed by another core and come from its cache; with columns shared every worker
     * packs all of op(A) instead. Measured on 2 cores that share no cache, in turns: the GPT-2
     * MLP shape with 512 rows (blocks of 3 panels) ran 6–8% faster shared by columns, 768 rows
     * (blocks of 4) the same either way, 1024 rows and more faster shared by rows; 512³ ran 5–11%
     * faster by columns. A slab narrower than a group is shared by rows whatever its rows (256³:
     * columns ran 14% slower): each worker reads the others' panels once, then from its L2.
     */
    static final int ROW_PART_PANELS = 4;
    /**
     * Most column parts while there are rows to share: each column part packs all its rows of
     * op(A), so with many threads rows are shared too (on 16 threads and 512 rows, 8 row parts ×
     * 2 column parts, rather than 16 column parts that would pack all of op(A) 16 times). With
     * fewer than 2 A panels per row part, the columns take the threads the rows cannot.
     */
    static final int MOST_COL_PARTS = 2;
    /**
     * A part's columns are cut only when it has fewer row blocks than this: each column chunk
     * packs its rows of op(A) again, and packing costs about as much per float as a hundred
     * flops.
     */
    static final int MIN_TASKS_PER_THREAD = 2;
    /** Fewest B panels in a column chunk cut for sharing. */
    static final int MIN_CHUNK_PANELS = 4;
    /** Products below this many flops run on the calling thread: a fork would cost more than it saves. */
    static final long PARALLEL_FLOPS = 1L << 21;

    private Gemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        gemmBatched(1, transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, accumulate);
    }

    /** {@code batch} independent products; matrix i starts at {@code off + i·stride} (a stride of 0 shares one matrix). */
    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, int strideA,
                                   float[] b, int bOff, int ldb, int strideB,
                                   float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        if (m <= 0 || n <= 0 || batch <= 0) return;
        if (!Simd.ENABLED || k == 0) {
            for (int i = 0; i < batch; i++) {
                gemmScalar(transA, transB, m, n, k, a, aOff + i * strideA, lda, b, bOff + i * strideB, ldb, c, cOff + i * strideC, ldc, accumulate);
            }
            return;
        }
        Vec.ensureWarm();
        long flops = 2L * m * n * k;
        int threads = Parallel.threads();
        boolean wholeItems = batch > 1 && (batch % threads == 0 || batch >= 4 * threads);
        if (strideC == 0 && batch > 1) {
            // Every product adds into one C: one after another, in batch order.
            int productThreads = flops >= PARALLEL_FLOPS ? threads : 1;
            for (int i = 0; i < batch; i++) {
                product(1, transA, m, n, k, a, aOff + i * strideA, lda, 0, floatPanels(transB, b, bOff + i * strideB, ldb, 0),
                        c, cOff, ldc, 0, accumulate, productThreads);
            }
        } else if (wholeItems) {
            // Independent products, one per task: no packing shared between threads.
            int grain = (int) Math.max(1, Math.min(batch, PARALLEL_FLOPS / flops));
            Parallel.forRange(batch, grain, (from, to) -> {
                for (int i = from; i < to; i++) {
                    product(1, transA, m, n, k, a, aOff + i * strideA, lda, 0, floatPanels(transB, b, bOff + i * strideB, ldb, 0),
                            c, cOff + i * strideC, ldc, 0, accumulate, 1);
                }
            });
        } else {
            // One region for the whole batch: its slabs, item by item, share one pool of pieces.
            int productThreads = flops * batch >= PARALLEL_FLOPS ? threads : 1;
            product(batch, transA, m, n, k, a, aOff, lda, strideA, floatPanels(transB, b, bOff, ldb, strideB),
                    c, cOff, ldc, strideC, accumulate, productThreads);
        }
    }

    /**
     * {@link #gemm} with B held in half precision ({@code bf16}: bfloat16, else float16 bits): the
     * values are widened to float32 as B is packed into panels, so no float32 copy of B exists, and
     * the result has the bits {@link #gemm} gives on the widened B. For a frozen half-precision
     * weight: the forward {@code x · Wᵀ} and the backward {@code dy · W}.
     */
    public static void gemmHalfB(boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, short[] b, int bOff, int ldb, boolean bf16,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        if (!Simd.ENABLED || k == 0) {
            gemmHalfBScalar(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, bf16, c, cOff, ldc, accumulate);
            return;
        }
        Vec.ensureWarm();
        int threads = 2L * m * n * k >= PARALLEL_FLOPS ? Parallel.threads() : 1;
        BPanels panels = (item, j0, j1, p0, ks, nr, dst, q0, q1) ->
                GemmPacking.packBHalf(transB, b, bOff, ldb, bf16, j0, j1, p0, ks, nr, dst, q0, q1);
        product(1, transA, m, n, k, a, aOff, lda, 0, panels, c, cOff, ldc, 0, accumulate, threads);
    }

    /** Scalar twin of {@link #gemmHalfB}: {@link #gemmScalar} reading B widened. */
    public static void gemmHalfBScalar(boolean transA, boolean transB, int m, int n, int k,
                                       float[] a, int aOff, int lda, short[] b, int bOff, int ldb, boolean bf16,
                                       float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = HalfFloats.toFloat(transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j], bf16);
                    sum += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }

    /** Packs panels [q0, q1) of op(B)'s columns [j0, j1), depths [p0, p0 + ks), of batch item {@code item} into dst (see {@link GemmPacking#packB}). */
    @FunctionalInterface
    interface BPanels {
        void pack(int item, int j0, int j1, int p0, int ks, int nr, float[] dst, int q0, int q1);
    }

    private static BPanels floatPanels(boolean transB, float[] b, int bOff, int ldb, int strideB) {
        return (item, j0, j1, p0, ks, nr, dst, q0, q1) ->
                GemmPacking.packB(transB, b, bOff + item * strideB, ldb, j0, j1, p0, ks, nr, dst, q0, q1);
    }

    /**
     * One product on up to {@code threads} workers of the engine team, in one parallel region.
     * op(B) is taken a slab at a time: columns [j0, j1) at one depth block [p0, p0 + KC), every
     * column slab of one depth before the next depth. Each slab's work is a list of tasks (blocks
     * of rows times chunks of the slab's panels), one part of it per worker (see {@link GemmTiling}
     * and {@link GemmSlabs}); a task packs its own rows of op(A), then multiplies them by its chunk a
     * group of panels at a time.
     * The slab's B panels are packed the OpenBLAS way, by the tasks that need them: the first task
     * to reach a group packs it, {@link #UNIT_PANELS} panels at a time, into the buffer all workers
     * read, and multiplies it at once, from L2; tasks that reach a group together pack its units
     * together, and a task that finds units of a group being packed by another worker goes on to
     * its next group and comes back to it last. So packing, which is bound by memory, runs beside
     * the other workers' arithmetic, not all workers at once before any of it.
     *
     * <p>Workers meet at no barrier. A worker waits only for B panels another is packing (once it
     * has nothing else in its task), for the tasks still reading the buffer it is about to pack
     * into (two buffers take turns), and for the task of the same rows and columns one depth back,
     * so that each C element gets its depth blocks in k order. A worker leaves a slab only once
     * all the slab's tasks are claimed, so every task waited for was claimed by a worker that
     * waits only for earlier slabs or for panels being packed, and packing waits for nothing: the
     * earliest unfinished piece always runs. One fork and join per call, whatever the thread
     * count. A batch of products (matrix i of A and C at {@code off + i·stride}) is one sequence
     * of slabs, item after item.
     */
    private static void product(int batch, boolean transA, int m, int n, int k, float[] a, int aOff, int lda, int strideA,
                                BPanels bPanels, float[] c, int cOff, int ldc, int strideC, boolean accumulate, int threads) {
        int mr = Vec.MR, nr = Vec.NR;
        int slabPanels = Math.min((n + nr - 1) / nr, Math.max(1, SLAB / (KC * nr)));
        int slabCols = slabPanels * nr;
        int colSlabs = (n + slabCols - 1) / slabCols, perItem = colSlabs * ((k + KC - 1) / KC);
        int slabs = batch * perItem;
        float[][] buffers = {
                ThreadScratch.get(ThreadScratch.GEMM_PACKED_B, slabCols * Math.min(k, KC)),
                slabs > 1 && threads > 1 ? ThreadScratch.get(ThreadScratch.GEMM_PACKED_B_NEXT, slabCols * Math.min(k, KC)) : null};
        int planned = Math.min(threads, Parallel.threads());
        int lastPanels = (n - (colSlabs - 1) * slabCols + nr - 1) / nr;
        GemmTiling full = GemmTiling.of(m, slabPanels, mr, planned), last = GemmTiling.of(m, lastPanels, mr, planned);
        IntFunction<GemmTiling> tiling = s -> s % perItem % colSlabs == colSlabs - 1 ? last : full;   // the last column slab may be narrower
        GemmSlabs progress = new GemmSlabs(slabs, planned, slabPanels, tiling);
        GemmWork work = GemmWork.active;
        Parallel.region(threads, (w, workers, handOff) -> {
            int[] deferred = new int[(slabPanels + GROUP_PANELS - 1) / GROUP_PANELS];
            for (int s = 0; s < slabs; s++) {
                int item = s / perItem, local = s % perItem;
                int j0 = local % colSlabs * slabCols, p0 = local / colSlabs * KC;
                int j1 = Math.min(n, j0 + slabCols), depth = Math.min(KC, k - p0);
                int panels = (j1 - j0 + nr - 1) / nr;
                float[] packedB = buffers[workers > 1 ? s & 1 : 0];
                GemmTiling t = tiling.apply(s);
                int slab = s;
                PanelRange packer = (q0, q1) -> {
                    bPanels.pack(item, j0, j1, p0, depth, nr, packedB, q0, Math.min(panels, q1));
                    if (work != null) work.packedB((long) (Math.min(panels, q1) - q0) * nr * depth);
                };
                boolean bufferFree = s < 2 || workers == 1;
                for (int i; (i = progress.claim(s, w, workers)) >= 0; ) {
                    if (!bufferFree) {
                        // the slab that last used this buffer must be read to its end before it is packed over
                        int earlier = s - 2, earlierTasks = progress.tasks[earlier];
                        if (handOff.awaitUntil(() -> progress.tasksDone.get(earlier) == earlierTasks) && work != null) work.waited();
                        bufferFree = true;
                    }
                    if (local >= colSlabs) {
                        // the same block one depth slab back must be in C before this one is added
                        int before = progress.task(s - colSlabs, i);
                        if (handOff.awaitUntil(() -> progress.taskDone.get(before) != 0) && work != null) work.waited();
                    }
                    int rowBlock = t.rowBlock(i), colChunk = t.colChunk(i);
                    int i0 = t.rowStart(rowBlock), rows = t.rowStart(rowBlock + 1) - i0;
                    int c0 = t.panelStart(colChunk), c1 = t.panelStart(colChunk + 1);
                    float[] packedA = ThreadScratch.get(ThreadScratch.GEMM_PACKED_A, (rows + mr - 1) / mr * mr * KC);
                    GemmPacking.packA(transA, a, aOff + item * strideA, lda, i0, rows, p0, depth, mr, packedA);
                    boolean add = accumulate || p0 > 0;
                    int ci = cOff + item * strideC + i0 * ldc;
                    int skipped = 0, chunkGroups = (c1 - c0 + GROUP_PANELS - 1) / GROUP_PANELS;
                    for (int step = 0; step < chunkGroups; step++) {
                        // workers start at different groups, so that each packs its own share
                        int g = (step + w * chunkGroups / workers) % chunkGroups;
                        int q0 = c0 + g * GROUP_PANELS, q1 = Math.min(c1, q0 + GROUP_PANELS);
                        if (!progress.pack(s, q0, q1, w, workers, packer)) {
                            deferred[skipped++] = g;         // another worker is packing part of it: come back to it last
                            continue;
                        }
                        multiply(packedA, rows, depth, packedB, j0, j1, q0, q1, c, ci, ldc, add);
                    }
                    for (int d = 0; d < skipped; d++) {
                        int q0 = c0 + deferred[d] * GROUP_PANELS, q1 = Math.min(c1, q0 + GROUP_PANELS);
                        if (handOff.awaitUntil(() -> progress.packed(slab, q0, q1)) && work != null) work.waited();
                        multiply(packedA, rows, depth, packedB, j0, j1, q0, q1, c, ci, ldc, add);
                    }
                    if (work != null) work.task((long) (rows + mr - 1) / mr * mr * depth);
                    progress.taskDone.set(progress.task(s, i), 1);
                    progress.tasksDone.incrementAndGet(s);
                }
            }
        });
        if (work != null) work.product(2L * batch * m * n * k);
    }

    /** B panels per group: {@link #GROUP} floats at depth {@link #KC}. */
    static final int GROUP_PANELS = Math.max(1, GROUP / (KC * Vec.NR));
    /**
     * B panels packed at once by one worker (256 KB at KC = 512 with AVX-512): a group is packed
     * in several units, so that workers sharing a group pack it together.
     */
    static final int UNIT_PANELS = 4;

    /** Packs B panels [q0, q1) of the slab, q1 maybe past its last panel. */
    @FunctionalInterface
    interface PanelRange {
        void run(int q0, int q1);
    }

    /**
     * C rows [0, rows) from {@code cOff} (+)= the packed A block times B panels [q0, q1) of the
     * packed slab (columns from j0, clipped to j1), {@code depth} deep. Each A panel stays in L1
     * while the panels, a group in L2, stream past it, so that the tiles walk along C's rows. Full
     * micro-tiles are added to C by the kernel itself; partial ones at the edges go through a
     * small tile.
     */
    private static void multiply(float[] packedA, int rows, int depth, float[] packedB, int j0, int j1, int q0, int q1,
                                 float[] c, int cOff, int ldc, boolean add) {
        int mr = Vec.MR, nr = Vec.NR;
        float[] tile = ThreadScratch.get(ThreadScratch.GEMM_TILE, mr * nr);
        for (int r0 = 0; r0 < rows; r0 += mr) {
            int live = Math.min(mr, rows - r0), ao = r0 * depth;
            for (int q = q0; q < q1; q++) {
                int j = j0 + q * nr, cols = Math.min(nr, j1 - j), bo = q * nr * depth;
                int ci = cOff + r0 * ldc + j;
                if (live == mr && cols == nr) {
                    Vec.kernel(depth, packedA, ao, packedB, bo, c, ci, ldc, add);
                } else {
                    Vec.kernel(depth, packedA, ao, packedB, bo, tile, 0, nr, false);
                    Vec.merge(tile, live, cols, c, ci, ldc, add);
                }
            }
        }
    }

    /** Scalar twin: the textbook triple loop, summing over k in order. */
    public static void gemmScalar(boolean transA, boolean transB, int m, int n, int k,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }

    static final class Vec {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        static final int L = S.length();
        /**
         * Rows per micro-tile. 512-bit vectors come with 32 registers (AVX-512, SVE): 12×2
         * accumulators + 2 B vectors + 1 broadcast = 27. Otherwise assume 16 registers (AVX2): 6×2.
         */
        static final int MR = S.vectorBitSize() >= 512 ? 12 : 6;
        /** Columns per micro-tile: two vectors. */
        static final int NR = 2 * L;
        /** Micro-kernel calls on tiny panels before the first product; see {@link #warmUp()}. */
        static final int WARM_UP_CALLS = 6000;
        private static volatile boolean warm;

        private Vec() {}

        /** Warms the micro-kernel once per JVM (not in a static initialiser: code running there is never compiled). */
        static void ensureWarm() {
            if (warm) return;
            synchronized (Vec.class) {
                if (!warm) {
                    warmUp();
                    warm = true;
                }
            }
        }

        /**
         * Vector API code that the interpreter or C1 runs is far slower than C2's intrinsics, and
         * C2 compiles a method only after a few thousand calls, which the first large products of
         * a cold JVM would otherwise make as 256-deep kernel calls in the interpreter. A few
         * thousand calls on 2-deep panels reach the same counts far cheaper, so the first product
         * already runs compiled code. Both branches of {@code add} are taken, so that the compiled
         * code has no trap on either. Only scratch arrays are touched: no result depends on this.
         */
        private static void warmUp() {
            int kc = 2;
            float[] a = new float[MR * kc], b = new float[NR * kc], c = new float[MR * NR];
            for (int i = 0; i < WARM_UP_CALLS; i++) kernel(kc, a, 0, b, 0, c, 0, NR, (i & 1) == 0);
        }

        /**
         * C[MR, NR] (+)= one A panel times one B panel, kc deep: each element one FMA chain in k
         * order, then added to C when {@code add}. C rows are ldc apart from cOff.
         */
        static void kernel(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, boolean add) {
            if (MR == 12) kernel12x2(kc, a, aOff, b, bOff, c, cOff, ldc, add);
            else kernel6x2(kc, a, aOff, b, bOff, c, cOff, ldc, add);
        }

        /*
         * The micro-kernels keep every accumulator in its own variable, initialised on its own,
         * and live in small methods called from ordinary frames: shared zero vectors or an
         * on-stack-replaced caller can make C2 stop intrinsifying the vector operations, and every
         * one of them then allocates.
         */

        /** C[12, NR] (+)= one 12-row A panel times one B panel, kc deep; C rows ldc apart. */
        static void kernel12x2(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int t, int ldc, boolean add) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
            FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
            FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
            FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
            FloatVector ca0 = FloatVector.zero(S), ca1 = FloatVector.zero(S);
            FloatVector cb0 = FloatVector.zero(S), cb1 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int ai = aOff + p * 12, bi = bOff + p * NR;
                FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
                FloatVector x = FloatVector.broadcast(S, a[ai]);
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, a[ai + 1]);
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, a[ai + 2]);
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, a[ai + 3]);
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, a[ai + 4]);
                c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, a[ai + 5]);
                c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
                x = FloatVector.broadcast(S, a[ai + 6]);
                c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
                x = FloatVector.broadcast(S, a[ai + 7]);
                c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
                x = FloatVector.broadcast(S, a[ai + 8]);
                c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
                x = FloatVector.broadcast(S, a[ai + 9]);
                c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
                x = FloatVector.broadcast(S, a[ai + 10]);
                ca0 = x.fma(b0, ca0); ca1 = x.fma(b1, ca1);
                x = FloatVector.broadcast(S, a[ai + 11]);
                cb0 = x.fma(b0, cb0); cb1 = x.fma(b1, cb1);
            }
            if (add) { c00 = c00.add(FloatVector.fromArray(S, c, t)); c01 = c01.add(FloatVector.fromArray(S, c, t + L)); }
            c00.intoArray(c, t); c01.intoArray(c, t + L);
            if (add) { c10 = c10.add(FloatVector.fromArray(S, c, t + ldc)); c11 = c11.add(FloatVector.fromArray(S, c, t + ldc + L)); }
            c10.intoArray(c, t + ldc); c11.intoArray(c, t + ldc + L);
            if (add) { c20 = c20.add(FloatVector.fromArray(S, c, t + 2 * ldc)); c21 = c21.add(FloatVector.fromArray(S, c, t + 2 * ldc + L)); }
            c20.intoArray(c, t + 2 * ldc); c21.intoArray(c, t + 2 * ldc + L);
            if (add) { c30 = c30.add(FloatVector.fromArray(S, c, t + 3 * ldc)); c31 = c31.add(FloatVector.fromArray(S, c, t + 3 * ldc + L)); }
            c30.intoArray(c, t + 3 * ldc); c31.intoArray(c, t + 3 * ldc + L);
            if (add) { c40 = c40.add(FloatVector.fromArray(S, c, t + 4 * ldc)); c41 = c41.add(FloatVector.fromArray(S, c, t + 4 * ldc + L)); }
            c40.intoArray(c, t + 4 * ldc); c41.intoArray(c, t + 4 * ldc + L);
            if (add) { c50 = c50.add(FloatVector.fromArray(S, c, t + 5 * ldc)); c51 = c51.add(FloatVector.fromArray(S, c, t + 5 * ldc + L)); }
            c50.intoArray(c, t + 5 * ldc); c51.intoArray(c, t + 5 * ldc + L);
            if (add) { c60 = c60.add(FloatVector.fromArray(S, c, t + 6 * ldc)); c61 = c61.add(FloatVector.fromArray(S, c, t + 6 * ldc + L)); }
            c60.intoArray(c, t + 6 * ldc); c61.intoArray(c, t + 6 * ldc + L);
            if (add) { c70 = c70.add(FloatVector.fromArray(S, c, t + 7 * ldc)); c71 = c71.add(FloatVector.fromArray(S, c, t + 7 * ldc + L)); }
            c70.intoArray(c, t + 7 * ldc); c71.intoArray(c, t + 7 * ldc + L);
            if (add) { c80 = c80.add(FloatVector.fromArray(S, c, t + 8 * ldc)); c81 = c81.add(FloatVector.fromArray(S, c, t + 8 * ldc + L)); }
            c80.intoArray(c, t + 8 * ldc); c81.intoArray(c, t + 8 * ldc + L);
            if (add) { c90 = c90.add(FloatVector.fromArray(S, c, t + 9 * ldc)); c91 = c91.add(FloatVector.fromArray(S, c, t + 9 * ldc + L)); }
            c90.intoArray(c, t + 9 * ldc); c91.intoArray(c, t + 9 * ldc + L);
            if (add) { ca0 = ca0.add(FloatVector.fromArray(S, c, t + 10 * ldc)); ca1 = ca1.add(FloatVector.fromArray(S, c, t + 10 * ldc + L)); }
            ca0.intoArray(c, t + 10 * ldc); ca1.intoArray(c, t + 10 * ldc + L);
            if (add) { cb0 = cb0.add(FloatVector.fromArray(S, c, t + 11 * ldc)); cb1 = cb1.add(FloatVector.fromArray(S, c, t + 11 * ldc + L)); }
            cb0.intoArray(c, t + 11 * ldc); cb1.intoArray(c, t + 11 * ldc + L);
        }

        /** C[6, NR] (+)= one 6-row A panel times one B panel, kc deep; C rows ldc apart. */
        static void kernel6x2(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int t, int ldc, boolean add) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int ai = aOff + p * 6, bi = bOff + p * NR;
                FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
                FloatVector x = FloatVector.broadcast(S, a[ai]);
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, a[ai + 1]);
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, a[ai + 2]);
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, a[ai + 3]);
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, a[ai + 4]);
                c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, a[ai + 5]);
                c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            }
            if (add) { c00 = c00.add(FloatVector.fromArray(S, c, t)); c01 = c01.add(FloatVector.fromArray(S, c, t + L)); }
            c00.intoArray(c, t); c01.intoArray(c, t + L);
            if (add) { c10 = c10.add(FloatVector.fromArray(S, c, t + ldc)); c11 = c11.add(FloatVector.fromArray(S, c, t + ldc + L)); }
            c10.intoArray(c, t + ldc); c11.intoArray(c, t + ldc + L);
            if (add) { c20 = c20.add(FloatVector.fromArray(S, c, t + 2 * ldc)); c21 = c21.add(FloatVector.fromArray(S, c, t + 2 * ldc + L)); }
            c20.intoArray(c, t + 2 * ldc); c21.intoArray(c, t + 2 * ldc + L);
            if (add) { c30 = c30.add(FloatVector.fromArray(S, c, t + 3 * ldc)); c31 = c31.add(FloatVector.fromArray(S, c, t + 3 * ldc + L)); }
            c30.intoArray(c, t + 3 * ldc); c31.intoArray(c, t + 3 * ldc + L);
            if (add) { c40 = c40.add(FloatVector.fromArray(S, c, t + 4 * ldc)); c41 = c41.add(FloatVector.fromArray(S, c, t + 4 * ldc + L)); }
            c40.intoArray(c, t + 4 * ldc); c41.intoArray(c, t + 4 * ldc + L);
            if (add) { c50 = c50.add(FloatVector.fromArray(S, c, t + 5 * ldc)); c51 = c51.add(FloatVector.fromArray(S, c, t + 5 * ldc + L)); }
            c50.intoArray(c, t + 5 * ldc); c51.intoArray(c, t + 5 * ldc + L);
        }

        /** C[rows, cols] (+)= tile[rows, cols], the tile's rows NR apart. */
        static void merge(float[] tile, int rows, int cols, float[] c, int cOff, int ldc, boolean add) {
            for (int r = 0; r < rows; r++) {
                int t = r * NR, ci = cOff + r * ldc, j = 0;
                for (; j + L <= cols; j += L) {
                    FloatVector v = FloatVector.fromArray(S, tile, t + j);
                    if (add) v = v.add(FloatVector.fromArray(S, c, ci + j));
                    v.intoArray(c, ci + j);
                }
                for (; j < cols; j++) c[ci + j] = add ? c[ci + j] + tile[t + j] : tile[t + j];
            }
        }
    }
}
