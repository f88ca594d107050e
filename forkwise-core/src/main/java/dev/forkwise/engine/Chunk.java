package dev.forkwise.engine;

import dev.forkwise.Call;
import dev.forkwise.Fn;
import dev.forkwise.codec.Portable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A run of consecutive inputs of one {@code map}/{@code imap} call, applied one after another by
 * one task: the unit of hand-off. Chunking makes tiny tasks worth sending. It is also its own
 * description, built only when a message or a recording reads it ({@link #get()}).
 *
 * @param label the calling operation, for messages ({@code "map"}, {@code "imap"})
 * @param fn the function
 * @param inputs the inputs, none null
 * @param firstIndex the index of {@code inputs[0]} in the whole input sequence
 */
record Chunk(String label, Fn<Object, ?> fn, Object[] inputs, long firstIndex)
        implements Call<Object[]>, Portable, Supplier<String> {

    private static final int MAX_SHOWN = 60;

    @Override
    public Object[] call() throws InputFailure, InterruptedException {
        Object[] out = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (i > 0 && Thread.currentThread().isInterrupted()) {
                throw new InterruptedException(label + " chunk cancelled");
            }
            try {
                out[i] = fn.apply(inputs[i]);
            } catch (Throwable t) {
                throw new InputFailure(describe(label, firstIndex + i, inputs[i]), t);
            }
        }
        return out;
    }

    @Override
    public Shape shape() {
        return Shape.MAP_CHUNK;
    }

    @Override
    public Object[] components() {
        return new Object[] {label, fn, inputs, firstIndex};
    }

    @Override
    public List<Map.Entry<String, Object>> parts() {
        List<Map.Entry<String, Object>> out = new ArrayList<>(inputs.length + 1);
        out.add(Map.entry("fn", fn));
        for (int i = 0; i < inputs.length; i++) {
            out.add(Map.entry(describe(label, firstIndex + i, inputs[i]), inputs[i]));
        }
        return out;
    }

    /** Describes the inputs of this chunk, for messages: {@link #describe()}. */
    @Override
    public String get() {
        return describe();
    }

    /** Describes the inputs of this chunk, for messages. */
    String describe() {
        long last = firstIndex + inputs.length - 1;
        return inputs.length == 1
                ? describe(label, firstIndex, inputs[0])
                : label + " inputs #" + firstIndex + "..#" + last;
    }

    static String describe(String label, long index, Object input) {
        String shown = String.valueOf(input);
        if (shown.length() > MAX_SHOWN) {
            shown = shown.substring(0, MAX_SHOWN) + "…";
        }
        return label + " input #" + index + " (" + shown + ")";
    }
}
