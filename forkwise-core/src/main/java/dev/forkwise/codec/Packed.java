package dev.forkwise.codec;

/**
 * Boxed numbers of one class ({@code Integer}, {@code Long} or {@code Double}) kept as one
 * primitive array. In the parent: the results of one {@code map} chunk that came back from a worker
 * JVM, so it holds 4 or 8 bytes per result instead of an object each, and a million results are one
 * array for the collector, not a million objects (see {@link PackedList}). In a worker: a chunk's
 * inputs, boxed one at a time as they are used (the engine's packed chunk).
 */
public final class Packed {

    private final Object array; // int[], long[] or double[]

    private Packed(Object array) {
        this.array = array;
    }

    /**
     * Packs numbers that were {@code Integer}s.
     *
     * @param values the numbers
     * @return them, packed
     */
    public static Packed ofInts(int[] values) {
        return new Packed(values);
    }

    /**
     * Packs numbers that were {@code Long}s.
     *
     * @param values the numbers
     * @return them, packed
     */
    public static Packed ofLongs(long[] values) {
        return new Packed(values);
    }

    /**
     * Packs numbers that were {@code Double}s.
     *
     * @param values the numbers
     * @return them, packed
     */
    public static Packed ofDoubles(double[] values) {
        return new Packed(values);
    }

    /**
     * Returns the numbers.
     *
     * @return an {@code int[]}, {@code long[]} or {@code double[]}
     */
    public Object array() {
        return array;
    }
}
