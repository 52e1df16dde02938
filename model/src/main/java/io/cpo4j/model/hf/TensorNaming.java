package io.cpo4j.model.hf;

/**
 * How one family's HuggingFace tensor names map to the model's parameter names: the only place
 * those names appear. Linear weights HuggingFace stores (in, out) are marked transposed.
 */
interface TensorNaming {

    /** The parameter a file tensor loads into; null for a buffer to skip (a causal mask, a tied head). */
    String parameter(String key);

    /** The file name of a parameter. */
    String key(String parameter);

    /** Whether the file holds this parameter as (in, out) rather than (out, in). */
    default boolean transposed(String parameter) {
        return false;
    }
}
