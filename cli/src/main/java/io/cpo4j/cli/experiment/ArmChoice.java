package io.cpo4j.cli.experiment;

import io.cpo4j.cpo.train.CpoConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * One arm of an experiment and the recipes it may take, one of which the validation prompts choose:
 * {@code name=loss_type[:negatives[:k[:beta[:cpo_alpha]]]]} where any field may list alternatives
 * joined by '|', e.g. {@code cpo-an=cpo:autoregressive:4:0.1|1} (β = 0.1 or 1). Alternatives are
 * the product of the fields' lists, in the order written. The β field may instead name an earlier
 * arm, {@code @cpo-an}: this arm then takes the β that the validation prompts chose for that one
 * ({@link #betaFrom}), so that one choice serves a family of arms.
 */
public record ArmChoice(String name, List<CpoConfig> alternatives, String betaFrom) {

    public ArmChoice {
        if (alternatives.isEmpty()) throw new IllegalArgumentException("arm '" + name + "' has no recipe");
        if (betaFrom != null && !alternatives.get(0).isContrastive()) {
            throw new IllegalArgumentException("arm '" + name + "' takes β from '" + betaFrom + "' but has no β (it is not contrastive)");
        }
        alternatives = List.copyOf(alternatives);
    }

    public ArmChoice(String name, List<CpoConfig> alternatives) {
        this(name, alternatives, null);
    }

    public static ArmChoice parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("arm '" + text + "' must look like name=loss_type[:negatives[:k[:beta[:cpo_alpha]]]]");
        String name = text.substring(0, eq);
        String[] fields = text.substring(eq + 1).split(":", -1);
        String betaFrom = null;
        if (fields.length > 3 && fields[3].startsWith("@")) {
            betaFrom = fields[3].substring(1);
            if (betaFrom.isEmpty() || betaFrom.equals(name)) throw new IllegalArgumentException("arm '" + text + "' must take β from another arm, @name");
            fields[3] = String.valueOf(CpoConfig.builder().build().beta());   // replaced by the other arm's choice
        }
        List<String> forms = List.of("");
        boolean first = true;
        for (String field : fields) {
            List<String> options = List.of(field.split("\\|", -1));
            if (options.size() > 1 && options.contains("")) throw new IllegalArgumentException("arm '" + text + "' has an empty alternative");
            List<String> next = new ArrayList<>();
            for (String form : forms) for (String option : options) next.add(first ? option : form + ":" + option);
            forms = next;
            first = false;
        }
        List<CpoConfig> recipes = new ArrayList<>();
        for (String form : forms) recipes.add(Recipes.parse(form, CpoConfig.builder().build()));
        return new ArmChoice(name, recipes, betaFrom);
    }

    /**
     * Refuses arms that take β ({@code @name}) from an arm that is not a contrastive one listed
     * before them: the β they follow must be chosen first.
     */
    public static void checkBetaSources(List<ArmChoice> arms) {
        for (int i = 0; i < arms.size(); i++) {
            String from = arms.get(i).betaFrom();
            if (from == null) continue;
            boolean earlierContrastive = arms.subList(0, i).stream().anyMatch(a -> a.name().equals(from) && a.isContrastive());
            if (!earlierContrastive) {
                throw new IllegalArgumentException("arm '" + arms.get(i).name() + "' takes β from '" + from
                        + "', which must be a contrastive arm listed before it");
            }
        }
    }

    /** The same arm with every alternative's β set to {@code beta} (the choice made for {@link #betaFrom}). */
    public ArmChoice withBeta(double beta) {
        List<CpoConfig> out = new ArrayList<>();
        for (CpoConfig c : alternatives) out.add(c.toBuilder().beta(beta).build());
        return new ArmChoice(name, out, betaFrom);
    }

    /** The same arm with every contrastive recipe scoring its candidates after one shared pass over the prompt (CpoConfig#sharePrefixes). */
    public ArmChoice sharingPrefixes() {
        List<CpoConfig> shared = new ArrayList<>();
        for (CpoConfig c : alternatives) shared.add(c.toBuilder().sharePrefixes(true).build());
        return new ArmChoice(name, shared, betaFrom);
    }

    /** The recipe when there is only one; otherwise the validation set must choose. */
    public boolean needsChoice() {
        return alternatives.size() > 1;
    }

    public boolean isContrastive() {
        return alternatives.get(0).isContrastive();
    }
}
