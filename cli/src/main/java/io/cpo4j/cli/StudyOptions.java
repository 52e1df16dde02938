package io.cpo4j.cli;

import io.cpo4j.cli.experiment.DemoConfig;

/** The options {@code demo} and {@code experiment} share: the study's size, seed and learning rate. */
final class StudyOptions {

    private StudyOptions() {}

    /** The defaults (or the --quick size) with the given options applied. */
    static DemoConfig config(Options o) {
        DemoConfig base = o.flag("quick") ? DemoConfig.quick() : DemoConfig.defaults();
        DemoConfig.Builder cfg = base.toBuilder().seed(o.integer("seed", (int) base.seed()))
                .pretrainSteps(o.integer("pretrain-steps", base.pretrainSteps(), 0)).finetuneSteps(o.integer("finetune-steps", base.finetuneSteps(), 0))
                .finetuneLr((float) o.number("finetune-lr", base.finetuneLr(), Float.MIN_NORMAL, Float.MAX_VALUE));
        if (o.value("prompts").isPresent()) {
            int prompts = o.integer("prompts", base.prompts(), 1);
            cfg.prompts(prompts).coverageDocs(prompts);
        }
        return cfg.build();
    }
}
