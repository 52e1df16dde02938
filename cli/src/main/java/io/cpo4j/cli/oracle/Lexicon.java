package io.cpo4j.cli.oracle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The words of the oracle language, sorted into word classes. Each class has a shared group of
 * words and one group per topic (farm, sea, town, forest); the document's hidden topic decides how
 * much weight each group gets (see {@link WordClass}). Within a group, the k-th word has weight
 * 1/(k+1) (Zipf), unless a weight is written after a colon ({@code the:6}).
 *
 * <p>Nouns and verbs come in pairs {@code singular/plural} ({@code farmer/farmers},
 * {@code sells/sell}); a word without a slash is both ({@code sheep}). The two forms land in two
 * classes with the same weights, which is what makes number agreement learnable and checkable.
 */
final class Lexicon {

    static final List<String> TOPICS = List.of("farm", "sea", "town", "forest");

    /** Class name → groups (0 = shared, 1..4 = topics) → words with optional ":weight". */
    private final Map<String, List<List<String>>> classes = new LinkedHashMap<>();

    private Lexicon() {}

    static Lexicon english() {
        Lexicon l = new Lexicon();
        l.pairs("AGENT_SG", "AGENT_PL",
                "man/men woman/women child/children boy/boys girl/girls friend/friends dog/dogs cat/cats",
                "farmer/farmers cow/cows horse/horses sheep goat/goats pig/pigs hen/hens",
                "sailor/sailors fisherman/fishermen fish crab/crabs gull/gulls captain/captains diver/divers",
                "baker/bakers driver/drivers teacher/teachers doctor/doctors guard/guards singer/singers student/students",
                "hunter/hunters fox/foxes wolf/wolves deer owl/owls bear/bears rabbit/rabbits");
        l.pairs("THING_SG", "THING_PL",
                "bag/bags box/boxes book/books cup/cups rope/ropes basket/baskets lamp/lamps",
                "apple/apples egg/eggs carrot/carrots bucket/buckets fence/fences tractor/tractors potato/potatoes",
                "net/nets boat/boats shell/shells sail/sails anchor/anchors oar/oars pearl/pearls",
                "bus/buses ticket/tickets coat/coats key/keys letter/letters cake/cakes bicycle/bicycles",
                "stick/sticks leaf/leaves mushroom/mushrooms nut/nuts stone/stones feather/feathers berry/berries");
        l.words("PLACE",
                "house road bridge hill gate",
                "barn field river meadow stable orchard",
                "harbor beach island shore dock lighthouse",
                "market station school square bakery library",
                "forest cave pond lake valley woods");
        // Transitive verbs: third person singular / plural (= bare form after do, can, will, must).
        l.pairs("VERB_T_SG", "VERB_T_PL",
                "sees/see likes/like finds/find carries/carry wants/want takes/take watches/watch helps/help",
                "feeds/feed plants/plant milks/milk sells/sell washes/wash picks/pick",
                "catches/catch pulls/pull mends/mend ties/tie throws/throw paints/paint",
                "buys/buy reads/read brings/bring drives/drive cleans/clean bakes/bake",
                "hunts/hunt chases/chase gathers/gather hides/hide follows/follow smells/smell");
        l.pairs("VERB_I_SG", "VERB_I_PL",
                "sleeps/sleep waits/wait walks/walk rests/rest laughs/laugh works/work",
                "grazes/graze grows/grow digs/dig",
                "swims/swim sails/sail floats/float dives/dive",
                "shops/shop sings/sing runs/run talks/talk",
                "hides/hide climbs/climb howls/howl wanders/wander");
        l.words("ADJ",
                "old young small big happy tired quiet busy good little",
                "muddy ripe fat brown",
                "salty wet blue brave",
                "noisy clever new clean",
                "dark wild green hungry");
        l.words("ADV", "today again slowly quietly now early");
        l.words("DET_ANY", "the:12 his her their our my no");
        l.words("DET_SG", "this that every one each");
        l.words("DET_PL", "some these those many two three several");
        l.words("THE", "the");
        l.words("REL_AGENT", "who:2 that");
        l.words("REL_OBJ", "that");
        l.words("AUX_SG", "does");
        l.words("AUX_PL", "do");
        l.words("BE_SG", "is");
        l.words("BE_PL", "are");
        l.words("NOT", "not");
        l.words("MODAL", "can will must");
        l.words("CONJ", "and:3 but so");
        l.words("TIME_PREP", "in at after before");
        l.words("TIME_NOUN", "morning evening afternoon summer winter spring rain storm");
        l.words("PREP", "near behind beside under by with on in");
        l.words("THERE", "there");
        l.words("PERIOD", ".");
        l.words("COMMA", ",");
        l.words("QMARK", "?");
        return l;
    }

    /** A class with a shared group and optionally one group per topic, each a space-separated list. */
    private void words(String name, String... groups) {
        List<List<String>> g = new ArrayList<>();
        for (String group : groups) g.add(group.isBlank() ? List.of() : List.of(group.trim().split("\\s+")));
        while (g.size() < TOPICS.size() + 1) g.add(List.of());
        if (g.size() != TOPICS.size() + 1) throw new IllegalArgumentException(name + ": " + groups.length + " groups");
        if (classes.put(name, g) != null) throw new IllegalArgumentException("class " + name + " defined twice");
    }

    /** Two classes from {@code singular/plural} pairs, group by group, with the same weights. */
    private void pairs(String singular, String plural, String... groups) {
        String[] sg = new String[groups.length], pl = new String[groups.length];
        for (int i = 0; i < groups.length; i++) {
            StringBuilder s = new StringBuilder(), p = new StringBuilder();
            for (String pair : groups[i].trim().split("\\s+")) {
                int slash = pair.indexOf('/');
                s.append(slash < 0 ? pair : pair.substring(0, slash)).append(' ');
                p.append(slash < 0 ? pair : pair.substring(slash + 1)).append(' ');
            }
            sg[i] = s.toString();
            pl[i] = p.toString();
        }
        words(singular, sg);
        words(plural, pl);
    }

    Set<String> classNames() {
        return classes.keySet();
    }

    /** Groups (0 = shared, then one per topic) of a class, each a list of "word" or "word:weight". */
    List<List<String>> groups(String name) {
        List<List<String>> g = classes.get(name);
        if (g == null) throw new IllegalArgumentException("no word class named " + name);
        return g;
    }

    /** Every word of every class, in order of first appearance (this fixes the word ids). */
    List<String> allWords() {
        Set<String> all = new LinkedHashSet<>();
        for (List<List<String>> groups : classes.values()) {
            for (List<String> group : groups) {
                for (String entry : group) all.add(word(entry));
            }
        }
        return new ArrayList<>(all);
    }

    static String word(String entry) {
        int colon = entry.lastIndexOf(':');
        return colon <= 0 ? entry : entry.substring(0, colon);
    }

    static double weight(String entry, int rank) {
        int colon = entry.lastIndexOf(':');
        return colon <= 0 ? 1.0 / (rank + 1) : Double.parseDouble(entry.substring(colon + 1));
    }
}
