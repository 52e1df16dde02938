package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import io.cpo4j.model.train.TrainingRun;

import java.nio.file.Path;

/**
 * A small deterministic training run that resumes from its run folder: the child process of
 * {@link CrashSafetyTest} and {@link GracefulStopTest}. Arguments: run folder, steps, and
 * optionally how often to checkpoint (default every step; 0 = only at the end or on a stop).
 */
public final class CrashTrainMain {

    static final GptConfig MODEL = new GptConfig(50, 32, 2, 2, 32, 0.1f, 1e-5f);

    static Trainer trainer(int steps) {
        return trainer(steps, 1);
    }

    static Trainer trainer(int steps, int checkpointEvery) {
        Gpt gpt = Gpt.create(MODEL, 1);
        int[] tokens = new int[20_000];
        Rng rng = new Rng(2);
        for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(7) == 0 ? rng.nextInt(50) : (i * 3) % 50;
        TrainConfig cfg = TrainConfig.builder().batchSize(8).blockSize(32).gradAccumSteps(2).maxSteps(steps).learningRate(3e-3f).warmupSteps(5)
                .evalEvery(0).evalBatches(1).checkpointEvery(checkpointEvery).keepCheckpoints(2).maxBadSteps(3).seed(3).build();
        return new Trainer(gpt, cfg, new NextTokenObjective(gpt, new RandomWindows(TokenShard.of(tokens), 32, 4)), GradientReducer.LOCAL);
    }

    public static void main(String[] args) throws Exception {
        Path runDir = Path.of(args[0]);
        int steps = Integer.parseInt(args[1]);
        int checkpointEvery = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        TrainingRun run = new TrainingRun(trainer(steps, checkpointEvery), runDir, 0, null, TrainingRun.Listener.NONE);
        run.resumeIfPossible();
        run.run();
    }
}
