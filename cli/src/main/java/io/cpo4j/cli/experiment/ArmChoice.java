package io.cpo4j.cli.experiment;

import io.cpo4j.cpo.train.CpoConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * One arm of an experiment and the recipes it may take, one of which the validation prompts choose:
 * {@code name=loss_type[:negatives[:k[:beta[:cpo_alpha]]]]} where any field may list alternatives
 * joined by '|', e.g. {@code cpo-an=cpo:autoregressive:4:0.1|1} (β = 0.1 or 1). Alternatives are
 * the product of the fields' lists, in the order written.
 */
public record ArmChoice(String name, List<CpoConfig> alternatives) {

    public ArmChoice {
        if (alternatives.isEmpty()) throw new IllegalArgumentException("arm '" + name + "' has no recipe");
        alternatives = List.copyOf(alternatives);
    }

    public static ArmChoice parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("arm '" + text + "' must look like name=loss_type[:negatives[:k[:beta[:cpo_alpha]]]]");
        String name = text.substring(0, eq);
        List<String> forms = List.of("");
        boolean first = true;
        for (String field : text.substring(eq + 1).split(":", -1)) {
            List<String> options = List.of(field.split("\\|", -1));
            if (options.size() > 1 && options.contains("")) throw new IllegalArgumentException("arm '" + text + "' has an empty alternative");
            List<String> next = new ArrayList<>();
            for (String form : forms) for (String option : options) next.add(first ? option : form + ":" + option);
            forms = next;
            first = false;
        }
        List<CpoConfig> recipes = new ArrayList<>();
        for (String form : forms) recipes.add(Recipes.parse(form, CpoConfig.builder().build()));
        return new ArmChoice(name, recipes);
    }

    /** The same arm with every contrastive recipe scoring its candidates after one shared pass over the prompt (CpoConfig#sharePrefixes). */
    public ArmChoice sharingPrefixes() {
        List<CpoConfig> shared = new ArrayList<>();
        for (CpoConfig c : alternatives) shared.add(c.toBuilder().sharePrefixes(true).build());
        return new ArmChoice(name, shared);
    }

    /** The recipe when there is only one; otherwise the validation set must choose. */
    public boolean needsChoice() {
        return alternatives.size() > 1;
    }

    public boolean isContrastive() {
        return alternatives.get(0).isContrastive();
    }
}
