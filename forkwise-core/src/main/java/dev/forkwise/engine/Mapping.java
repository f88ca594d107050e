package dev.forkwise.engine;

import dev.forkwise.Fn;
import dev.forkwise.codec.PackedList;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Gatherer;

/**
 * A stream stage that runs a function on a pool ({@link dev.forkwise.Pool#mapping}): inputs are
 * grouped into chunks and handed to the pool as they arrive, at most {@code window} chunks are in
 * flight, and results go downstream in input order. The JDK's {@code Gatherers.mapConcurrent} for
 * any backend, worker JVMs included.
 *
 * <p>It is a sequential gatherer: in a parallel stream the stage itself runs on one thread, and the
 * pool supplies the parallelism. A short-circuiting downstream ({@code limit}, {@code findFirst})
 * cancels what is still in flight; a failure cancels it too and is thrown as a {@link
 * dev.forkwise.TaskFailedException} that names the input, as {@code imap} does.
 *
 * <p>Memory consistency effects: actions in the thread before an element is pushed into this stage
 * happen-before the task that applies the function to it, and the task's actions happen-before its
 * result is pushed downstream.
 */
final class Mapping<R> implements Gatherer<Object, Mapping.State, R> {

    /** The chunks in flight and the chunk being filled. */
    static final class State {
        final ArrayDeque<TaskFuture<?>> inFlight = new ArrayDeque<>();
        Object[] buffer;
        int filled;
        long firstIndex;
        long next;
    }

    private final PoolEngine pool;
    private final Fn<Object, ?> fn;
    private final int chunkSize;
    private final int window;

    Mapping(PoolEngine pool, Fn<Object, ?> fn, int chunkSize, int window) {
        this.pool = pool;
        this.fn = fn;
        this.chunkSize = chunkSize;
        this.window = window;
    }

    @Override
    public Supplier<State> initializer() {
        return State::new;
    }

    @Override
    public Integrator<State, Object, R> integrator() {
        return Integrator.of(
                (state, element, downstream) -> {
                    if (element == null) {
                        cancelAll(state);
                        throw new NullPointerException(
                                "mapping input #"
                                        + state.next
                                        + " is null: forkwise does not pass null inputs"
                                        + Inputs.NULL_FIX);
                    }
                    if (state.buffer == null) {
                        state.buffer = new Object[chunkSize];
                        state.firstIndex = state.next;
                    }
                    state.buffer[state.filled++] = element;
                    state.next++;
                    if (state.filled == chunkSize) {
                        dispatch(state);
                    }
                    while (state.inFlight.size() > window) {
                        if (!emitFirst(state, downstream)) {
                            return false;
                        }
                    }
                    return !downstream.isRejecting();
                });
    }

    @Override
    public BiConsumer<State, Downstream<? super R>> finisher() {
        return (state, downstream) -> {
            if (state.filled > 0) {
                dispatch(state);
            }
            while (!state.inFlight.isEmpty()) {
                if (!emitFirst(state, downstream)) {
                    return;
                }
            }
        };
    }

    private void dispatch(State state) {
        Object[] inputs =
                state.filled == state.buffer.length
                        ? state.buffer
                        : Arrays.copyOf(state.buffer, state.filled);
        Chunk c = new Chunk("mapping", fn, inputs, state.firstIndex);
        state.buffer = null;
        state.filled = 0;
        try {
            state.inFlight.addLast(pool.dispatchBulk(c, c));
        } catch (RuntimeException e) {
            cancelAll(state);
            throw e;
        }
    }

    /** Waits for the oldest chunk and pushes its results; false once downstream wants no more. */
    private boolean emitFirst(State state, Downstream<? super R> downstream) {
        TaskFuture<?> f = state.inFlight.pollFirst();
        List<Object> results;
        try {
            results = PackedList.of(f.get()); // Packed when it came from a worker JVM
        } catch (ExecutionException e) {
            cancelAll(state);
            throw e.getCause() instanceof RuntimeException re
                    ? re
                    : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            cancelAll(state);
            Thread.currentThread().interrupt();
            throw new CancellationException(
                    "mapping was interrupted while waiting for a result; its tasks were cancelled");
        }
        for (Object r : results) {
            @SuppressWarnings("unchecked")
            R cast = (R) r;
            if (!downstream.push(cast)) {
                cancelAll(state);
                return false;
            }
        }
        return true;
    }

    private static void cancelAll(State state) {
        state.inFlight.forEach(f -> f.cancel(true));
        state.inFlight.clear();
    }
}
