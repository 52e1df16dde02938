package io.cpo4j.cli;

import io.cpo4j.model.train.Replica;
import io.cpo4j.model.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * This process's place in a synchronous data-parallel run of {@code train} or {@code finetune}:
 * replica {@link Replica#rank()} of {@link Replica#replicas()}, each initialised identically, each computing the
 * gradient of its share of the global batch ({@code --batch} is the global batch), combined by
 * its reducer so that every replica takes the same AdamW step. Each replica runs the command
 * in a run folder of its own; a runner (the spark module) publishes rank 0's. {@link #NONE} is one
 * process, as {@code ./cpo4j} runs.
 */
public interface DataParallel {

    /** Rank, replica count and the reducer that averages gradients and metrics across the replicas. */
    Replica replica();

    /** After this replica wrote {@code checkpoint} (every replica writes one at the same step). */
    void checkpointed(Path checkpoint, Trainer trainer) throws IOException;

    /** After this replica resumed from {@code checkpoint}, before its first step. */
    void resumed(Path checkpoint, Trainer trainer) throws IOException;

    /** One process. */
    DataParallel NONE = new DataParallel() {
        @Override
        public Replica replica() {
            return Replica.ALONE;
        }

        @Override
        public void checkpointed(Path checkpoint, Trainer trainer) {
        }

        @Override
        public void resumed(Path checkpoint, Trainer trainer) {
        }
    };
}
