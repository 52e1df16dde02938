package io.cpo4j.model.data;

import io.cpo4j.engine.Rng;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Deterministic train/validation splits.
 *
 * <p>{@link #byHash} puts an item in validation when a seeded 64-bit hash of its key falls below
 * the fraction: the split does not depend on file order, a record keeps its side when others are
 * added or removed, and exact duplicates (Dolly has 8) always land on the same side, so they cannot
 * leak from train into validation. {@link #tail} is nanoGPT's split of one long text: the first
 * 1 − f of the characters train, the rest validate.
 */
public final class Split {

    /** Items on each side, in their original order. */
    public record Parts<T>(List<T> train, List<T> validation) {}

    /** The two halves of a text. */
    public record TextParts(String train, String validation) {}

    private Split() {}

    public static <T> Parts<T> byHash(List<T> items, Function<T, String> key, double validationFraction, long seed) {
        checkFraction(validationFraction);
        List<T> train = new ArrayList<>(), validation = new ArrayList<>();
        for (T item : items) (isValidation(key.apply(item), validationFraction, seed) ? validation : train).add(item);
        return new Parts<>(Collections.unmodifiableList(train), Collections.unmodifiableList(validation));
    }

    /** Whether a key goes to validation: a uniform value in [0, 1) from the key and seed, below the fraction. */
    public static boolean isValidation(String key, double validationFraction, long seed) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the UTF-16 units, then SplitMix64's finaliser with the seed
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        double u = (Rng.mix(h ^ Rng.mix(seed)) >>> 11) * 0x1.0p-53;
        return u < validationFraction;
    }

    /** nanoGPT's split: the last {@code validationFraction} of the characters validate. */
    public static TextParts tail(String text, double validationFraction) {
        checkFraction(validationFraction);
        int cut = (int) (text.length() * (1 - validationFraction));
        if (cut > 0 && cut < text.length() && Character.isLowSurrogate(text.charAt(cut))) cut--; // never split a character
        return new TextParts(text.substring(0, cut), text.substring(cut));
    }

    private static void checkFraction(double f) {
        if (!(f >= 0 && f <= 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1], got " + f);
    }
}
