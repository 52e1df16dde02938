package io.cpo4j.model.tokenizer;

import java.util.Arrays;

/** A growable list of ints (token ids) without boxing. */
public final class IntList {

    private int[] items;
    private int size;

    public IntList() {
        this(16);
    }

    public IntList(int capacity) {
        items = new int[Math.max(1, capacity)];
    }

    public void add(int value) {
        if (size == items.length) items = Arrays.copyOf(items, Math.max(16, items.length * 2));
        items[size++] = value;
    }

    public void addAll(int[] values, int from, int to) {
        int n = to - from;
        if (size + n > items.length) items = Arrays.copyOf(items, Math.max(size + n, items.length * 2));
        System.arraycopy(values, from, items, size, n);
        size += n;
    }

    public void addAll(int[] values) {
        addAll(values, 0, values.length);
    }

    public int get(int i) {
        if (i >= size) throw new IndexOutOfBoundsException("index " + i + " of " + size);
        return items[i];
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    public int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
