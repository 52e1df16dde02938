package io.cpo4j.cli;

import io.cpo4j.cli.experiment.DemoConfig;

/** The options {@code demo} and {@code experiment} share: the study's size, seed and learning rate. */
final class StudyOptions {

    /** Most held-out prompts per decoding --prompts accepts. */
    static final int MAX_PROMPTS = 100_000;

    private StudyOptions() {}

    /** The defaults (or the --quick size) with the given options applied. */
    static DemoConfig config(Options o) {
        DemoConfig base = o.flag("quick") ? DemoConfig.quick() : DemoConfig.defaults();
        DemoConfig.Builder cfg = base.toBuilder().seed(o.integer("seed", (int) base.seed()))
                .pretrainSteps(o.integer("pretrain-steps", base.pretrainSteps(), 0)).finetuneSteps(o.integer("finetune-steps", base.finetuneSteps(), 0))
                .finetuneLr(o.positiveFloat("finetune-lr", base.finetuneLr()));
        if (o.value("prompts").isPresent()) {
            // The study samples 4 documents per prompt up front: a cap keeps that count (and the
            // hours of evaluation) sane and the arithmetic far from int overflow.
            int prompts = o.integer("prompts", base.prompts(), 1, MAX_PROMPTS);
            cfg.prompts(prompts).coverageDocs(prompts);
        }
        return cfg.build();
    }
}
