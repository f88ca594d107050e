package dev.forkwise.engine;

/**
 * Boxed numbers of one class ({@code Integer}, {@code Long} or {@code Double}) kept as one
 * primitive array. In the parent: the results of one {@code map} chunk that came back from a
 * worker JVM, so it holds 4 or 8 bytes per result instead of an object each, and a million
 * results are one array for the collector, not a million objects (see {@link PackedList}). In a
 * worker: a chunk's inputs, boxed one at a time as they are used ({@link PackedChunk}).
 */
public final class Packed {

    private final Object array; // int[], long[] or double[]

    private Packed(Object array) {
        this.array = array;
    }

    /** @return results that were {@code Integer}s */
    public static Packed ofInts(int[] values) {
        return new Packed(values);
    }

    /** @return results that were {@code Long}s */
    public static Packed ofLongs(long[] values) {
        return new Packed(values);
    }

    /** @return results that were {@code Double}s */
    public static Packed ofDoubles(double[] values) {
        return new Packed(values);
    }

    /**
     * Whether {@code task}'s result may arrive as a {@code Packed}: only a {@code map} or {@code imap} chunk's,
     * which the engine alone reads. Any other {@code Object[]} result reaches the user as it was.
     */
    public static boolean mayPack(Object task) {
        return task instanceof Chunk;
    }

    Object array() {
        return array;
    }
}
