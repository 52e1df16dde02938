package io.cpo4j.engine.kernels;

import static io.cpo4j.engine.kernels.Gemm.GROUP_PANELS;
import static io.cpo4j.engine.kernels.Gemm.MC;
import static io.cpo4j.engine.kernels.Gemm.MIN_BLOCK_PANELS;
import static io.cpo4j.engine.kernels.Gemm.MIN_CHUNK_PANELS;
import static io.cpo4j.engine.kernels.Gemm.MIN_TASKS_PER_THREAD;
import static io.cpo4j.engine.kernels.Gemm.MOST_COL_PARTS;
import static io.cpo4j.engine.kernels.Gemm.ROW_PART_PANELS;
import static io.cpo4j.engine.kernels.Gemm.TASKS_PER_THREAD;

/**
 * How a slab of {@link Gemm}'s work is cut into tasks. First into one part per worker: row parts
 * while each keeps {@link Gemm#TASKS_PER_THREAD} blocks of {@link Gemm#ROW_PART_PANELS} A panels,
 * column parts for the rest of the threads, at most {@link Gemm#MOST_COL_PARTS} while rows remain
 * to share (a column part packs all its rows of op(A) again, a row part reads the B panels other
 * workers packed). Then each part into blocks of rows (at most {@link Gemm#MC}, whole A panels)
 * times chunks of B panels: with more than one thread about {@link Gemm#TASKS_PER_THREAD} tasks,
 * so that a worker that finishes its part early can take the last tasks of a slower one. Rows are
 * cut first, down to {@link Gemm#MIN_BLOCK_PANELS} A panels a block; columns only when that leaves
 * fewer than {@link Gemm#MIN_TASKS_PER_THREAD} tasks, down to {@link Gemm#MIN_CHUNK_PANELS} B
 * panels a chunk. Blocks and chunks differ in size by at most one panel.
 *
 * <p>Task t belongs to part {@code t / tasksPerPart()}; a part is {@code rowPart · colParts +
 * colPart}, and within a part the row blocks come first, then the chunks of one block.
 */
record GemmTiling(int m, int mr, int rowPanels, int panels, int rowParts, int colParts,
                  int blocksPerPart, int chunksPerPart) {

    static GemmTiling of(int m, int panels, int mr, int threads) {
        int rowPanels = (m + mr - 1) / mr;
        // Rows are shared out while each part keeps TASKS_PER_THREAD blocks of ROW_PART_PANELS or
        // the slab is narrower than a group (each worker then reads the others' panels once and
        // keeps them in L2), and at least so far that the columns are shared by no more than
        // MOST_COL_PARTS parts; the rest of the threads split the columns, and rows again if the
        // columns run out.
        int rowParts = 1;
        for (int rp = 2; rp <= threads; rp++) {
            if (threads % rp != 0) continue;
            boolean bigBlocks = panels < GROUP_PANELS || (long) rp * TASKS_PER_THREAD * ROW_PART_PANELS <= rowPanels;
            boolean columnPartsStillTooMany = threads / rowParts > MOST_COL_PARTS;
            if (bigBlocks || columnPartsStillTooMany) rowParts = rp;
        }
        rowParts = Math.min(rowParts, Math.max(1, rowPanels / MIN_BLOCK_PANELS));
        int colParts = Math.max(1, Math.min(threads / rowParts, panels / MIN_CHUNK_PANELS));
        rowParts = Math.max(rowParts, Math.min(threads / colParts, rowPanels / MIN_BLOCK_PANELS));
        int partRows = (rowPanels + rowParts - 1) / rowParts, partPanels = panels / colParts;
        int blocks = (partRows + MC / mr - 1) / (MC / mr);
        if (threads > 1) blocks = Math.max(blocks, Math.min(TASKS_PER_THREAD, partRows / MIN_BLOCK_PANELS));
        blocks = Math.max(1, Math.min(blocks, rowPanels / rowParts));
        int chunks = threads == 1 || blocks >= MIN_TASKS_PER_THREAD ? 1
                : Math.max(1, Math.min(partPanels / MIN_CHUNK_PANELS, (MIN_TASKS_PER_THREAD + blocks - 1) / blocks));
        return new GemmTiling(m, mr, rowPanels, panels, rowParts, colParts, blocks, chunks);
    }

    int parts() {
        return rowParts * colParts;
    }

    int tasksPerPart() {
        return blocksPerPart * chunksPerPart;
    }

    int tasks() {
        return parts() * tasksPerPart();
    }

    int rowBlock(int task) {
        int part = task / tasksPerPart(), local = task % tasksPerPart();
        return part / colParts * blocksPerPart + local / chunksPerPart;
    }

    int colChunk(int task) {
        int part = task / tasksPerPart(), local = task % tasksPerPart();
        return part % colParts * chunksPerPart + local % chunksPerPart;
    }

    /** First row of row block {@code b}; {@code b} = all blocks gives m. */
    int rowStart(int b) {
        return Math.min(m, (int) ((long) rowPanels * b / (rowParts * blocksPerPart)) * mr);
    }

    /** First B panel of column chunk {@code c}; {@code c} = all chunks gives the slab's panels. */
    int panelStart(int c) {
        return (int) ((long) panels * c / (colParts * chunksPerPart));
    }

}
