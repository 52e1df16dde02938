package io.cpo4j.engine.kernels;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

import static io.cpo4j.engine.kernels.Gemm.UNIT_PANELS;

/**
 * Per slab of a {@link Gemm} product, how far its work has got: each worker's range of tasks,
 * each task's completion (for the next depth of the same block), tasks done, and the state of
 * each unit of {@link Gemm#UNIT_PANELS} B panels: 0 not packed, 1 being packed, 2 packed.
 *
 * <p>Worker w owns part w of the slab's tasks (see {@link GemmTiling}), so that a block of C and
 * the B panels it packed stay with the same core from one depth to the next, in its cache. It
 * takes its own tasks from the front, and once they are gone takes others' from their back.
 * A region that got fewer workers than planned (one, when nested or when the team is busy)
 * takes them all that way.
 */
final class GemmSlabs {
    final AtomicLongArray ranges;
    final AtomicIntegerArray tasksDone, taskDone, units;
    final int[] tasks;
    final int planned, tasksPerSlab, unitsPerSlab;

    GemmSlabs(int slabs, int planned, int slabPanels, IntFunction<GemmTiling> tiling) {
        this.planned = planned;
        ranges = new AtomicLongArray(slabs * planned);
        tasks = new int[slabs];
        int mostTasks = 1;
        for (int s = 0; s < slabs; s++) {
            GemmTiling t = tiling.apply(s);
            tasks[s] = t.tasks();
            mostTasks = Math.max(mostTasks, t.tasks());
            for (int w = 0; w < t.parts(); w++) {
                long from = (long) w * t.tasksPerPart(), to = from + t.tasksPerPart();
                ranges.set(s * planned + w, from << 32 | to);
            }
        }
        tasksPerSlab = mostTasks;
        unitsPerSlab = (slabPanels + UNIT_PANELS - 1) / UNIT_PANELS;
        tasksDone = new AtomicIntegerArray(slabs);
        taskDone = new AtomicIntegerArray(slabs * mostTasks);
        units = new AtomicIntegerArray(slabs * unitsPerSlab);
    }

    /** The next task of slab s for worker w of {@code workers}, or -1 when none is left. */
    int claim(int s, int w, int workers) {
        if (workers == planned) {
            int own = takeFront(s * planned + w);
            if (own >= 0) return own;
        }
        for (int v = 1; v <= planned; v++) {
            int other = takeBack(s * planned + (w + v) % planned);
            if (other >= 0) return other;
        }
        return -1;
    }

    private int takeFront(int r) {
        for (long range; ; ) {
            range = ranges.get(r);
            int from = (int) (range >>> 32), to = (int) range;
            if (from >= to) return -1;
            if (ranges.compareAndSet(r, range, (long) (from + 1) << 32 | to)) return from;
        }
    }

    private int takeBack(int r) {
        for (long range; ; ) {
            range = ranges.get(r);
            int from = (int) (range >>> 32), to = (int) range;
            if (from >= to) return -1;
            if (ranges.compareAndSet(r, range, (long) from << 32 | (to - 1))) return to - 1;
        }
    }

    int task(int slab, int i) {
        return slab * tasksPerSlab + i;
    }

    /**
     * Packs (calling {@code packer} on panel ranges) every unit of B panels [q0, q1) of slab s
     * that no worker has started yet, worker w of {@code workers} starting at its own
     * share of them; true when all of them are packed.
     */
    boolean pack(int s, int q0, int q1, int w, int workers, Gemm.PanelRange packer) {
        int first = q0 / UNIT_PANELS, count = (q1 - 1) / UNIT_PANELS + 1 - first;
        boolean all = true;
        for (int step = 0; step < count; step++) {
            int u = first + (step + w * count / workers) % count, at = s * unitsPerSlab + u;
            if (units.get(at) == 0 && units.compareAndSet(at, 0, 1)) {
                packer.run(u * UNIT_PANELS, (u + 1) * UNIT_PANELS);
                units.set(at, 2);
            } else if (units.get(at) != 2) {
                all = false;
            }
        }
        return all;
    }

    /** True once every unit of B panels [q0, q1) of slab s is packed. */
    boolean packed(int s, int q0, int q1) {
        for (int u = q0 / UNIT_PANELS; u * UNIT_PANELS < q1; u++) {
            if (units.get(s * unitsPerSlab + u) != 2) return false;
        }
        return true;
    }
}
