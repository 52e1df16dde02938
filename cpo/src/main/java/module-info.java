/** Sequence-level CPO: sequence scoring, contrastive losses, negatives, trainer, evaluation and the CLI. */
module io.cpo4j.cpo {
    requires transitive io.cpo4j.model;

    exports io.cpo4j.cpo.cli;
    exports io.cpo4j.cpo.score;
    exports io.cpo4j.cpo.loss;
    exports io.cpo4j.cpo.negatives;
    exports io.cpo4j.cpo.train;
    exports io.cpo4j.cpo.report;
}
