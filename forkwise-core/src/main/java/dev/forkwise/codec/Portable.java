package dev.forkwise.codec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * A task the engine builds around the user's objects (a map chunk, a single application, a runnable
 * with a result), taken apart into named components so that a backend that sends tasks to another
 * JVM encodes each component on its own (fast paths for numbers, strings and arrays) instead of
 * serializing the wrapper, and the receiving side puts it back together with a {@link Factory}.
 *
 * <p>The codec knows the shapes, not the classes: the classes are the engine's, and the engine
 * gives the receiving side its {@link Factory}. A shape's components are named, and an
 * implementation's {@link #components()} lists them in the shape's order (a test holds each engine
 * record's components to its shape's names, so reordering a record's fields cannot silently change
 * the wire).
 */
public interface Portable extends Parts {

    /**
     * Returns which shape of task this is.
     *
     * @return the shape
     */
    Shape shape();

    /**
     * Returns the components, in the order of {@link Shape#components()}.
     *
     * @return the components
     */
    Object[] components();

    /**
     * Whether {@code task}'s result may arrive as {@link Packed} numbers: only a {@code map} or
     * {@code imap} chunk's, which the engine alone reads. Any other {@code Object[]} result reaches
     * the user as it was.
     *
     * @param task a task about to be sent
     * @return whether its reply may be decoded packed
     */
    static boolean packsResults(Object task) {
        return task instanceof Portable p && p.shape() == Shape.MAP_CHUNK;
    }

    /** The shapes of task the codec sends as components; each has a fixed tag on the wire. */
    enum Shape {
        /** A run of consecutive inputs of one {@code map}, applied one after another. */
        MAP_CHUNK(0, "label", "fn", "inputs", "firstIndex"),
        /** A one-input chunk whose result is the single output: what {@code applyAsync} runs. */
        FIRST_RESULT(1, "chunk"),
        /** A {@link Runnable} with a fixed result. */
        RUNNABLE(2, "runnable", "result");

        private static final Shape[] BY_TAG = {MAP_CHUNK, FIRST_RESULT, RUNNABLE};

        private final byte tag;
        private final List<String> components;

        Shape(int tag, String... components) {
            this.tag = (byte) tag;
            this.components = List.of(components);
        }

        /**
         * Returns the names of the components, in the order {@link Portable#components()} gives
         * them.
         *
         * @return the names
         */
        public List<String> components() {
            return components;
        }

        /**
         * Whether component {@code index} may be given to a {@link Factory} as {@link Packed}
         * numbers instead of an {@code Object[]} of boxes: a {@code map} chunk's inputs, which the
         * receiving side then boxes one at a time as it applies the function.
         *
         * @param index the component's index
         * @return whether it may come packed
         */
        public boolean takesPacked(int index) {
            return this == MAP_CHUNK && components.get(index).equals("inputs");
        }

        byte tag() {
            return tag;
        }

        static Shape ofTag(byte tag) {
            if (tag < 0 || tag >= BY_TAG.length) {
                throw new IllegalArgumentException("no task shape has the tag " + tag);
            }
            return BY_TAG[tag];
        }
    }

    /** Puts a task back together from its shape and components, on the receiving side. */
    @FunctionalInterface
    interface Factory {

        /**
         * A factory for values that are never tasks (the IPC primitives' messages): refuses every
         * shape.
         */
        Factory NONE =
                (shape, c) -> {
                    throw new IllegalArgumentException(
                            "a " + shape + " task where only values may come");
                };

        /**
         * Rebuilds a task.
         *
         * @param shape its shape
         * @param components its components, in the shape's order
         * @return the task
         * @throws IllegalArgumentException if the components do not make a task of that shape
         */
        Callable<?> rebuild(Shape shape, Object[] components);
    }
}
