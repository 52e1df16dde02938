package io.cpo4j.bench;

/** Benchmark shapes written as {@code 12x256x64}. */
final class Shapes {

    private Shapes() {}

    static int[] parse(String shape, int dims) {
        String[] parts = shape.split("x");
        if (parts.length != dims) throw new IllegalArgumentException("shape '" + shape + "' needs " + dims + " sizes separated by 'x'");
        int[] s = new int[dims];
        for (int i = 0; i < dims; i++) s[i] = Integer.parseInt(parts[i]);
        return s;
    }
}
