package dev.forkwise.engine;

import dev.forkwise.Fn;
import dev.forkwise.codec.Packed;
import dev.forkwise.codec.Portable;

import java.util.concurrent.Callable;

/**
 * The engine's tasks as a backend that sends them to another JVM needs them: the {@link
 * Portable.Factory} that puts them back together on the receiving side, and the tasks the engine
 * would build for a {@code map} chunk or an {@code applyAsync}, for a backend that exercises its
 * own path (a worker JVM's start-up training).
 */
public final class Tasks {

    /** Rebuilds any of the engine's {@link Portable} tasks from its shape and components. */
    public static final Portable.Factory FACTORY = Tasks::rebuild;

    private Tasks() {}

    /**
     * The task {@code map} sends for a run of inputs.
     *
     * @param label the calling operation, for messages
     * @param fn the function
     * @param inputs the inputs, none null
     * @param firstIndex the index of the first input in the whole input sequence
     * @return the chunk; its result is an {@code Object[]} of outputs
     */
    @SuppressWarnings("unchecked")
    public static Callable<Object[]> mapChunk(
            String label, Fn<?, ?> fn, Object[] inputs, long firstIndex) {
        return new Chunk(label, (Fn<Object, ?>) fn, inputs, firstIndex);
    }

    /**
     * The task {@code applyAsync} sends.
     *
     * @param fn the function
     * @param input its input
     * @return the task; its result is the function's output
     */
    @SuppressWarnings("unchecked")
    public static Callable<?> applyOne(Fn<?, ?> fn, Object input) {
        return new FirstResult<>(
                new Chunk("applyAsync", (Fn<Object, ?>) fn, new Object[] {input}, 0));
    }

    @SuppressWarnings("unchecked")
    private static Callable<?> rebuild(Portable.Shape shape, Object[] c) {
        try {
            return switch (shape) {
                case MAP_CHUNK ->
                        c[2] instanceof Packed p
                                ? new PackedChunk(
                                        (String) c[0], (Fn<Object, ?>) c[1], p, (Long) c[3])
                                : new Chunk(
                                        (String) c[0],
                                        (Fn<Object, ?>) c[1],
                                        (Object[]) c[2],
                                        (Long) c[3]);
                case FIRST_RESULT -> new FirstResult<>((Chunk) c[0]);
                case RUNNABLE -> new RunnableCall<>((Runnable) c[0], c[1]);
            };
        } catch (ClassCastException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(
                    "the components do not make a " + shape + " task", e);
        }
    }
}
