package io.cpo4j.cli.oracle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words of the oracle language with their ids {@code 0..size()-1}, plus two symbols that are
 * not words: {@link #unknown()} for any string outside the language and {@link #end()} for the
 * end of a document. Both take part in the ε-smoothing, so every event has a finite score.
 */
public final class Vocabulary {

    private final List<String> words;
    private final Map<String, Integer> ids;

    Vocabulary(List<String> words) {
        this.words = Collections.unmodifiableList(new ArrayList<>(words));
        this.ids = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            if (ids.put(words.get(i), i) != null) throw new IllegalArgumentException("duplicate word '" + words.get(i) + "'");
        }
    }

    /** Number of real words (excluding the unknown and end symbols). */
    public int size() {
        return words.size();
    }

    /** Number of symbols an event can be: every word, unknown, end. */
    public int symbols() {
        return words.size() + 2;
    }

    /** The id standing for any string that is not a word of the language. */
    public int unknown() {
        return words.size();
    }

    /** The id of the end-of-document event. */
    public int end() {
        return words.size() + 1;
    }

    /** The id of a word, or {@link #unknown()}. */
    public int id(String word) {
        Integer id = ids.get(word);
        return id == null ? unknown() : id;
    }

    public boolean contains(String word) {
        return ids.containsKey(word);
    }

    public String word(int id) {
        if (id == unknown()) return "<unk>";
        if (id == end()) return "<end>";
        return words.get(id);
    }

    /** All words in id order. */
    public List<String> words() {
        return words;
    }
}
