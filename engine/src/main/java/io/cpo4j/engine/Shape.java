package io.cpo4j.engine;

import java.util.Arrays;

/** Small helpers over shapes ({@code int[]}, outermost dimension first). */
public final class Shape {

    private Shape() {}

    /** Number of elements; refuses negative dimensions and products beyond {@code int}. */
    public static int numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31 elements");
        }
        return (int) n;
    }

    /** Product of the dimensions in {@code [from, to)}. */
    public static int prod(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }

    /** {@code [2, 3, 4]}. */
    public static String str(int... shape) {
        return Arrays.toString(shape);
    }

    /** Normalises a possibly negative dimension index (−1 = last). */
    public static int dim(int dim, int rank, String op) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) throw new IllegalArgumentException(op + ": dimension " + dim + " out of range for rank " + rank);
        return d;
    }
}
