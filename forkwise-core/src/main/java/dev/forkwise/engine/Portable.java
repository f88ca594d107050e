package dev.forkwise.engine;

import dev.forkwise.Fn;

/**
 * A task the engine builds around the user's objects (a map chunk, a single application, a
 * runnable with a result), taken apart into its components so a backend that sends tasks to
 * another JVM can encode each component on its own (fast paths for numbers, strings and arrays)
 * instead of serializing the wrapper, and put it back together on the other side.
 */
public sealed interface Portable extends Parts permits Chunk, FirstResult, RunnableCall {

    /** @return which kind of task this is, the first argument of {@link #rebuild} */
    int kind();

    /** @return the components, the second argument of {@link #rebuild} */
    Object[] components();

    /**
     * Whether component {@code index} of a task of {@code kind} may be given to {@link #rebuild}
     * as a {@link Packed} array instead of an {@code Object[]} of boxed numbers: a {@code map}
     * chunk's inputs, which a worker JVM then boxes one at a time as it applies the function
     * ({@link PackedChunk}). (The one-input chunk inside {@code applyAsync}'s {@link FirstResult}
     * is never packed: only arrays of two or more numbers are.)
     *
     * @param kind the kind
     * @param index the component's index
     * @return whether it may come packed
     */
    static boolean takesPacked(int kind, int index) {
        return kind == Chunk.KIND && index == 2;
    }

    /**
     * Puts a task back together from what {@link #kind()} and {@link #components()} returned.
     *
     * @param kind the kind
     * @param c the components
     * @return the task (every portable task is a {@link dev.forkwise.Call})
     * @throws IllegalArgumentException if the kind or the components do not fit
     */
    @SuppressWarnings("unchecked")
    static java.util.concurrent.Callable<?> rebuild(int kind, Object[] c) {
        try {
            return switch (kind) {
                case Chunk.KIND -> c[2] instanceof Packed p
                        ? new PackedChunk((String) c[0], (Fn<Object, ?>) c[1], p, (Long) c[3])
                        : new Chunk((String) c[0], (Fn<Object, ?>) c[1], (Object[]) c[2], (Long) c[3]);
                case FirstResult.KIND -> new FirstResult<>((Chunk) c[0]);
                case RunnableCall.KIND -> new RunnableCall<>((Runnable) c[0], c[1]);
                default -> throw new IllegalArgumentException("no portable task of kind " + kind);
            };
        } catch (ClassCastException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("the components do not make a task of kind " + kind, e);
        }
    }
}
