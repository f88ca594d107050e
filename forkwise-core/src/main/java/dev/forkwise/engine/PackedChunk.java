package dev.forkwise.engine;

import dev.forkwise.Call;
import dev.forkwise.Fn;
import dev.forkwise.codec.Packed;

/**
 * A {@link Chunk} as a worker JVM runs it when its inputs came packed (all {@code Integer}, all
 * {@code Long} or all {@code Double}): the inputs stay one primitive array and each is boxed as the
 * function is applied to it. Same results, same failures and the same cancellation as {@link
 * Chunk#call()}; what it saves is the separate boxing pass and its array, which in a new worker is
 * one more loop to run interpreted and to compile before a big {@code map} gets fast. (The loop is
 * written out here rather than shared with {@code Chunk} through an input accessor: a call per
 * input is what an interpreted loop can least afford.)
 *
 * @param label the calling operation, for messages
 * @param fn the function
 * @param inputs the inputs, an {@code int[]}, {@code long[]} or {@code double[]}
 * @param firstIndex the index of the first input in the whole input sequence
 */
record PackedChunk(String label, Fn<Object, ?> fn, Packed inputs, long firstIndex)
        implements Call<Object[]> {

    @Override
    public Object[] call() throws InputFailure, InterruptedException {
        Object array = inputs.array();
        int[] ints = array instanceof int[] a ? a : null;
        long[] longs = array instanceof long[] a ? a : null;
        double[] doubles = array instanceof double[] a ? a : null;
        int n = ints != null ? ints.length : longs != null ? longs.length : doubles.length;
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            if (i > 0 && Thread.currentThread().isInterrupted()) {
                throw new InterruptedException(label + " chunk cancelled");
            }
            Object x =
                    ints != null
                            ? (Object) ints[i]
                            : longs != null ? (Object) longs[i] : (Object) doubles[i];
            try {
                out[i] = fn.apply(x);
            } catch (Throwable t) {
                throw new InputFailure(Chunk.describe(label, firstIndex + i, x), t);
            }
        }
        return out;
    }
}
