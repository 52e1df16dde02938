/** Sequence-level CPO as a library: sequence scoring, contrastive losses, negatives, objectives and the trainer. */
module io.cpo4j.cpo {
    requires transitive io.cpo4j.model;

    exports io.cpo4j.cpo.score;
    exports io.cpo4j.cpo.loss;
    exports io.cpo4j.cpo.negatives;
    exports io.cpo4j.cpo.train;
}
