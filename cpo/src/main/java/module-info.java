/** Sequence-level CPO: sequence scoring, contrastive losses, negatives, trainer, evaluation and the CLI. */
module io.cpo4j.cpo {
    requires transitive io.cpo4j.model;
    requires java.net.http;

    exports io.cpo4j.cpo.cli;
    exports io.cpo4j.cpo.score;
    exports io.cpo4j.cpo.loss;
    exports io.cpo4j.cpo.negatives;
    exports io.cpo4j.cpo.train;
    exports io.cpo4j.cpo.report;
    exports io.cpo4j.cpo.oracle;
    exports io.cpo4j.cpo.eval;
    exports io.cpo4j.cpo.judge;
}
