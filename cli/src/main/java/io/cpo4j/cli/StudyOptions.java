package io.cpo4j.cli;

import io.cpo4j.cli.experiment.DemoConfig;

/** The options {@code demo} and {@code experiment} share: the study's size, seed and learning rate. */
final class StudyOptions {

    private StudyOptions() {}

    /** The defaults (or the --quick size) with the given options applied. */
    static DemoConfig config(Options o) {
        DemoConfig cfg = o.flag("quick") ? DemoConfig.quick() : DemoConfig.defaults();
        cfg = cfg.withSeed(o.integer("seed", (int) cfg.seed()))
                .withSteps(o.integer("pretrain-steps", cfg.pretrainSteps()), o.integer("finetune-steps", cfg.finetuneSteps()))
                .withFinetuneLr((float) o.number("finetune-lr", cfg.finetuneLr()));
        return o.value("prompts").isPresent() ? cfg.withPrompts(o.integer("prompts", cfg.prompts())) : cfg;
    }
}
