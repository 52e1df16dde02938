package io.cpo4j.cli.experiment;

import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.BatchNegatives;
import io.cpo4j.cpo.negatives.MeanFieldNegatives;
import io.cpo4j.cpo.negatives.NegativeGenerator;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.model.gen.Sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Fine-tuning recipes as the command line and the experiments spell them: names to objects, and back to words. */
public final class Recipes {

    /** The synthetic negative generators' names. */
    public static final List<String> NEGATIVES = List.of("autoregressive", "batch", "meanfield", "truncation");
    /** The name of the user's own rejected continuations, which only preference data has (finetune --data-format preference). */
    public static final String PREFERENCE = "preference";

    private Recipes() {}

    /** The generator named {@code name} with its settings; an unknown name is refused with the choices. */
    public static NegativeGenerator negative(String name, Sampling sampling, boolean fromPolicy, double meanFieldFraction) {
        return switch (name) {
            case "autoregressive" -> new AutoregressiveNegatives(sampling, fromPolicy, AutoregressiveNegatives.DEFAULT_LENGTH_FACTOR);
            case "batch" -> new BatchNegatives();
            case "meanfield" -> new MeanFieldNegatives(meanFieldFraction);
            case "truncation" -> new TruncationNegatives();
            case PREFERENCE -> throw new IllegalArgumentException("preference negatives are the rejected continuations of preference data"
                    + " (prompt, chosen, rejected JSONL); only ./cpo4j finetune --data-format preference has them");
            default -> throw new IllegalArgumentException("unknown negatives '" + name + "'; choose from " + String.join(", ", NEGATIVES));
        };
    }

    /** Generators by name, each with its default settings. */
    public static List<NegativeGenerator> negatives(List<String> names) {
        List<NegativeGenerator> out = new ArrayList<>();
        for (String n : names) out.add(negative(n, AutoregressiveNegatives.DEFAULT_SAMPLING, false, MeanFieldNegatives.DEFAULT_FRACTION));
        return out;
    }

    /**
     * A recipe from its short form {@code loss_type[:negatives[:k[:beta[:cpo_alpha]]]]}, e.g.
     * {@code cpo:autoregressive+truncation:4:0.1:1} (negatives joined by '+'), over {@code base}.
     */
    public static CpoConfig parse(String shortForm, CpoConfig base) {
        String[] p = shortForm.split(":");
        if (p.length > 5) throw new IllegalArgumentException("recipe '" + shortForm + "' has more than loss_type:negatives:k:beta:cpo_alpha");
        CpoConfig.Builder b = base.toBuilder().lossType(LossType.of(p[0]));
        if (p.length > 1 && !p[1].isEmpty()) b.negatives(negatives(List.of(p[1].split("\\+"))));
        if (p.length > 2) b.candidates(Integer.parseInt(p[2]));
        if (p.length > 3) b.beta(Double.parseDouble(p[3]));
        if (p.length > 4) b.cpoAlpha(Double.parseDouble(p[4]));
        return b.build();
    }

    /** The generators' names joined by '+'. */
    public static String negativeNames(CpoConfig c) {
        List<String> names = new ArrayList<>();
        for (NegativeGenerator g : c.negatives()) names.add(g.name());
        return String.join("+", names);
    }

    /** One line for logs and reports: {@code cpo with autoregressive negatives, K = 4, β = 0.1, cpo_alpha 0.5, frozen reference}. */
    public static String describe(CpoConfig c) {
        if (!c.isContrastive()) return c.lossType() + (c.lossType() == LossType.PSS ? " (mix " + c.pssMix() + ")" : "");
        return String.format(Locale.ROOT, "%s with %s negatives, K = %d, β = %s%s%s", c.lossType(), negativeNames(c), c.candidates(), c.beta(),
                c.cpoAlpha() > 0 ? ", cpo_alpha " + c.cpoAlpha() : "", c.needsReference() ? ", frozen reference" : ", no reference");
    }
}
