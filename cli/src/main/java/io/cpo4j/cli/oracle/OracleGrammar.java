package io.cpo4j.cli.oracle;

/**
 * The grammar of the oracle language (documented in docs/ORACLE.md). A document is one or more
 * sentences; a sentence is a declarative clause (optionally after a time phrase and
 * optionally coordinated with more clauses), a question, or an existential "there is/are". The
 * subject's number (singular or plural) is carried in the state through adjectives, relative
 * clauses and prepositional phrases whose own nouns may have the other number, so that the verb,
 * auxiliary or copula must agree with a noun several words back.
 */
final class OracleGrammar {

    /** Probability that the document ends after a sentence (mean length 1 / STOP sentences). */
    static final double STOP = 0.35;

    private static final String[] NUMBERS = {"SG", "PL"};

    private final GrammarBuilder b = new GrammarBuilder(Lexicon.english());

    private OracleGrammar() {}

    static Grammar build() {
        OracleGrammar g = new OracleGrammar();
        g.document();
        return g.b.compile("DOC", new double[] {0.25, 0.25, 0.25, 0.25});
    }

    private void document() {
        b.epsilon("DOC", "SENTENCE", 1);
        b.end("SENTENCE_END", STOP);
        b.epsilon("SENTENCE_END", "SENTENCE", 1 - STOP);

        b.epsilon("SENTENCE", "CLAUSE", 0.58);
        b.arc("SENTENCE", "TIME_PREP", "INTRO/PREP", 0.12);     // in the morning , ...
        b.arc("INTRO/PREP", "THE", "INTRO/THE", 1);
        b.arc("INTRO/THE", "TIME_NOUN", "INTRO/NOUN", 1);
        b.arc("INTRO/NOUN", "COMMA", "CLAUSE", 1);
        b.epsilon("SENTENCE", "QUESTION", 0.20);
        b.arc("SENTENCE", "THERE", "EXIST", 0.10);

        for (String n : NUMBERS) {
            b.epsilon("CLAUSE", "SUBJ_" + n, 0.5);
            subject(n);
            verbPhrase(n);
        }
        bareVerbPhrase("BARE", "VP_END");
        clauseEnd();
        question();
        existential();
    }

    /** Subject noun phrase of number n, then maybe a relative clause or a prepositional phrase, then VP_n. */
    private void subject(String n) {
        nounPhrase("SUBJ_" + n, n, "AGENT", null, "POST_" + n);
        String post = "POST_" + n, vp = "VP_" + n;
        b.epsilon(post, vp, 0.62);
        // who sells apples / that sleeps: the relative verb agrees with the head noun.
        b.arc(post, "REL_AGENT", "SREL_" + n, 0.14);
        b.arc("SREL_" + n, "VERB_T_" + n, "SREL_" + n + "/OBJ", 0.6);
        objectPhrase("SREL_" + n + "/OBJ", vp);
        b.arc("SREL_" + n, "VERB_I_" + n, vp, 0.4);
        // that the cows follow: an inner subject of either number with its own agreeing verb.
        b.arc(post, "REL_OBJ", "OREL_" + n, 0.09);
        for (String m : NUMBERS) {
            String inner = "OREL_" + n + "_" + m;
            b.epsilon("OREL_" + n, inner, 0.5);
            nounPhrase(inner, m, "AGENT", null, inner + "/V");
            b.arc(inner + "/V", "VERB_T_" + m, vp, 1);
        }
        // near the boxes: an attractor noun of either number between subject and verb.
        b.arc(post, "PREP", "SPP_" + n, 0.15);
        prepositionObject("SPP_" + n, vp);
    }

    /** Verb phrase agreeing with number n, ending in VP_END. */
    private void verbPhrase(String n) {
        String vp = "VP_" + n;
        b.arc(vp, "VERB_T_" + n, vp + "/OBJ", 0.42);
        objectPhrase(vp + "/OBJ", "VP_END");
        b.arc(vp, "VERB_I_" + n, "VP_END", 0.25);
        b.arc(vp, "AUX_" + n, vp + "/AUX", 0.12);          // does not / do not + bare verb
        b.arc(vp + "/AUX", "NOT", "BARE", 1);
        b.arc(vp, "BE_" + n, vp + "/BE", 0.12);            // is tired / are tired
        b.arc(vp + "/BE", "ADJ", "VP_END", 1);
        b.arc(vp, "MODAL", "BARE", 0.09);                  // can / will / must + bare verb
    }

    /** A bare verb (the plural form) with its object, from {@code from} to {@code to}. */
    private void bareVerbPhrase(String from, String to) {
        b.arc(from, "VERB_T_PL", from + "/OBJ", 0.6);
        objectPhrase(from + "/OBJ", to);
        b.arc(from, "VERB_I_PL", to, 0.4);
    }

    /** Optional prepositional phrase and adverb, then '.' or ', and' + another clause. */
    private void clauseEnd() {
        b.arc("VP_END", "PREP", "VP_END/PP", 0.25);
        prepositionObject("VP_END/PP", "VP_END2");
        b.epsilon("VP_END", "VP_END2", 0.75);
        b.arc("VP_END2", "ADV", "FINAL", 0.2);
        b.epsilon("VP_END2", "FINAL", 0.8);
        b.arc("FINAL", "PERIOD", "SENTENCE_END", 0.82);
        b.arc("FINAL", "COMMA", "COORD", 0.18);
        b.arc("COORD", "CONJ", "CLAUSE", 1);
    }

    /** does the farmer sell apples ? / are the foxes hungry ? — the auxiliary agrees with the subject after it. */
    private void question() {
        for (String n : NUMBERS) {
            b.arc("QUESTION", "AUX_" + n, "Q_" + n, 0.35);
            nounPhrase("Q_" + n, n, "AGENT", null, "Q_POST");
            b.arc("QUESTION", "BE_" + n, "QBE_" + n, 0.15);
            nounPhrase("QBE_" + n, n, "AGENT", "THING", "QBE_ADJ");
        }
        b.arc("Q_POST", "PREP", "Q_POST/PP", 0.15);
        prepositionObject("Q_POST/PP", "Q_VERB");
        b.epsilon("Q_POST", "Q_VERB", 0.85);
        bareVerbPhrase("Q_VERB", "Q_END");
        b.arc("QBE_ADJ", "ADJ", "Q_END", 1);
        b.arc("Q_END", "PREP", "Q_END/PP", 0.2);
        prepositionObject("Q_END/PP", "Q_MARK");
        b.epsilon("Q_END", "Q_MARK", 0.8);
        b.arc("Q_MARK", "QMARK", "SENTENCE_END", 1);
    }

    /** there is a fox near the river . / there are two foxes . — the copula agrees with the noun after it. */
    private void existential() {
        for (String n : NUMBERS) {
            b.arc("EXIST", "BE_" + n, "EXIST_" + n, 0.5);
            nounPhrase("EXIST_" + n, n, "THING", "AGENT", "EXIST_END");
        }
        b.arc("EXIST_END", "PREP", "EXIST_END/PP", 0.6);
        prepositionObject("EXIST_END/PP", "EXIST_DOT");
        b.epsilon("EXIST_END", "EXIST_DOT", 0.4);
        b.arc("EXIST_DOT", "PERIOD", "SENTENCE_END", 1);
    }

    /** An object noun phrase of either number (mostly things, sometimes agents). */
    private void objectPhrase(String from, String to) {
        for (String n : NUMBERS) {
            b.epsilon(from, from + "/" + n, 0.5);
            nounPhrase(from + "/" + n, n, "THING", "AGENT", to);
        }
    }

    /** After a preposition: "the" + place, or a thing of either number. */
    private void prepositionObject(String from, String to) {
        b.arc(from, "THE", from + "/THE", 0.45);
        b.arc(from + "/THE", "PLACE", to, 1);
        for (String n : NUMBERS) {
            b.epsilon(from, from + "/" + n, 0.275);
            nounPhrase(from + "/" + n, n, "THING", null, to);
        }
    }

    /**
     * Determiner (agreeing with n; plural may be bare), any number of adjectives, then a noun of
     * number n — of kind {@code main}, or of kind {@code other} with weight 0.3 when given.
     */
    private void nounPhrase(String from, String n, String main, String other, String to) {
        boolean singular = n.equals("SG");
        String det = from + "/DET", adj = from + "/ADJ";
        b.arc(from, "DET_ANY", det, singular ? 0.6 : 0.5);
        b.arc(from, "DET_" + n, det, singular ? 0.4 : 0.35);
        if (!singular) b.epsilon(from, det, 0.15);
        for (String s : new String[] {det, adj}) {
            double stay = s.equals(det) ? 0.3 : 0.2;
            b.arc(s, "ADJ", adj, stay);
            double noun = 1 - stay;
            if (other == null) {
                b.arc(s, main + "_" + n, to, noun);
            } else {
                b.arc(s, main + "_" + n, to, 0.7 * noun);
                b.arc(s, other + "_" + n, to, 0.3 * noun);
            }
        }
    }
}
