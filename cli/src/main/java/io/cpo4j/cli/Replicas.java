package io.cpo4j.cli;

import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.train.Replica;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.model.train.TrainingRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** How {@code train} and {@code finetune} run as one replica of a {@link DataParallel} run. */
final class Replicas {

    private Replicas() {}

    /** This replica's examples of a global batch of {@code global}; refuses a batch the replicas cannot share evenly. */
    static int share(Options o, DataParallel parallel, int global) {
        int replicas = parallel.replica().replicas();
        if (global % replicas != 0) {
            throw o.usage("--batch " + global + " must be a multiple of the " + replicas + " workers (each computes an equal share of the global batch)");
        }
        return global / replicas;
    }

    /** Gives a replica other than rank 0 a dropout stream of its own (rank 0 keeps one process's). */
    static void ownDropout(LanguageModel model, DataParallel parallel) {
        Replica replica = parallel.replica();
        if (replica.rank() > 0) model.dropoutRng().setState(replica.seed(model.dropoutRng().state()));
    }

    /** {@code progress}, and every checkpoint handed to the run. */
    static TrainingRun.Listener listener(TrainingRun.Listener progress, DataParallel parallel, Trainer trainer) {
        if (parallel == DataParallel.NONE) return progress;
        return new TrainingRun.Listener() {
            @Override
            public void onStep(int step, int total, Map<String, Double> metrics) {
                progress.onStep(step, total, metrics);
            }

            @Override
            public void onValidation(int step, Map<String, Double> metrics) {
                progress.onValidation(step, metrics);
            }

            @Override
            public void onCheckpoint(int step, Path folder) {
                progress.onCheckpoint(step, folder);
                try {
                    parallel.checkpointed(folder, trainer);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
