package io.cpo4j.cpo.train;

import java.util.ArrayList;
import java.util.List;

/**
 * What a fine-tune minimises, named as TRL's {@code loss_type} and the CLI's {@code --loss-type}
 * spell it: the sequence-level contrastive losses, and the two baselines that train on the truth
 * alone.
 */
public enum LossType {
    /** Sequence-level CPO, plain: InfoNCE of the truth against K − 1 negatives. */
    CPO("cpo"),
    /** Sequence-level CPO, ranked: Plackett–Luce over the truth and negatives ordered by similarity to it. */
    CPO_RANKED("cpo-ranked"),
    /** DPO with one synthetic negative (K = 2). */
    DPO("dpo"),
    /** Xu et al.'s reference-free CPO, as TRL's CPOTrainer (K = 2, NLL weight {@code cpo_alpha} 1 by default). */
    CPO_XU("cpo-xu"),
    /** SimPO: reference-free, length-normalised, with a target margin γ (K = 2). */
    SIMPO("simpo"),
    /** Next-token loss on the continuation given the prefix (supervised fine-tuning). */
    MLE("mle"),
    /** Parallel Scheduled Sampling (Duckworth et al. 2019). */
    PSS("pss");

    private final String id;

    LossType(String id) {
        this.id = id;
    }

    /** The name in configs and on the command line. */
    public String id() {
        return id;
    }

    /** Whether the loss contrasts the truth with negatives (everything but MLE and PSS). */
    public boolean isContrastive() {
        return this != MLE && this != PSS;
    }

    /** Whether the loss compares exactly two candidates (chosen, rejected). */
    public boolean isPairwise() {
        return this == DPO || this == CPO_XU || this == SIMPO;
    }

    /** The type named {@code id}; an unknown name is refused with the choices. */
    public static LossType of(String id) {
        for (LossType t : values()) {
            if (t.id.equals(id)) return t;
        }
        throw new IllegalArgumentException("unknown loss_type '" + id + "'; choose one of " + String.join(", ", ids()));
    }

    /** Every name, in declaration order. */
    public static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (LossType t : values()) ids.add(t.id);
        return ids;
    }

    @Override
    public String toString() {
        return id;
    }
}
