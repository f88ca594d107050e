package dev.forkwise.engine;

import dev.forkwise.codec.PackedList;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A bulk call ({@code map}, {@code starmap} and their async forms) under way: its chunks, their
 * results, and the future of the whole result, which completes when the last chunk succeeds or, at
 * the first failure, exceptionally with that failure after the other chunks are cancelled.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Nothing done alone before the first chunk or after the last.</b> The caller creates each
 * chunk and hands it over before it creates the next ({@link #add}), so the first chunk runs while
 * the rest are still being made. Each chunk's results are copied to their place in one array by the
 * thread that completes the chunk, so when the last one completes, the result list is that array
 * with nothing left to copy: a {@code map} of 100,000 one-input chunks used to spend 7 ms after its
 * last task gathering 100,000 small arrays. Results that came back packed from a worker JVM (a
 * primitive array) are not copied as they come: they are joined once at the end, still packed
 * ({@link PackedList#concat}).
 *
 * <p><b>Failure.</b> A chunk that fails or is cancelled completes the result exceptionally; that
 * cancels every chunk created so far, and {@link #add} refuses the next one. The two sides meet as
 * in Dekker's algorithm: {@link #add} stores the chunk, publishes the count ({@code created}, a
 * volatile) and then looks whether the result is done; a failure completes the result and then
 * reads the count. So either the failure cancels the new chunk or {@link #add} sees the failure and
 * cancels it itself (cancelling twice is harmless).
 *
 * <p>Memory consistency effects: actions of every chunk's task happen-before the completion of
 * {@link #result()}: each chunk copies its results and then counts itself down on one atomic
 * counter ({@code remaining}), and the thread that counts the last one completes the result.
 *
 * @param <R> the results' type
 */
final class BulkCall<R> {

    private static final VarHandle GATHERED;
    private static final VarHandle REMAINING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            GATHERED = l.findVarHandle(BulkCall.class, "gathered", Object[].class);
            REMAINING = l.findVarHandle(BulkCall.class, "remaining", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskFuture<?>[] chunks;
    private final int inputs;
    private final CompletableFuture<List<R>> result = new CompletableFuture<>();
    private final Consumer<TaskFuture<?>> listener = this::chunkDone;

    /** How many chunks {@link #add} has stored in {@link #chunks}. */
    private volatile int created;

    /** Chunks not yet succeeded; changed only through {@link #REMAINING}. */
    @SuppressWarnings("unused")
    private volatile int remaining;

    /** Every input's result, for chunks that returned an {@code Object[]}; made by the first. */
    @SuppressWarnings("unused")
    private volatile Object[] gathered;

    /** Whether some chunk's results came packed (from a worker JVM) and are not in gathered. */
    private volatile boolean packed;

    /**
     * A call of {@code inputs} inputs in {@code chunkCount} chunks, none created yet.
     *
     * @param chunkCount how many chunks the call has
     * @param inputs how many inputs in all
     */
    BulkCall(int chunkCount, int inputs) {
        this.chunks = new TaskFuture<?>[chunkCount];
        this.inputs = inputs;
        this.remaining = chunkCount;
    }

    /**
     * Takes the next chunk, a {@link Chunk} not yet handed over, and listens to it; false if the
     * call has ended already (a chunk failed, or it was cancelled): the chunk is then cancelled and
     * should not be handed over, nor any after it.
     *
     * @param chunk the chunk, in input order
     * @return whether to hand it over
     */
    boolean add(TaskFuture<Object[]> chunk) {
        int i = created;
        chunks[i] = chunk;
        chunk.whenDone(listener);
        created = i + 1;
        if (result.isDone()) {
            chunk.cancel(false);
            return false;
        }
        return true;
    }

    /**
     * Cancels every chunk created so far.
     *
     * @param interrupt whether to interrupt running ones
     */
    void cancelAll(boolean interrupt) {
        for (int i = 0, n = created; i < n; i++) {
            chunks[i].cancel(interrupt);
        }
    }

    /** The future of the whole result. */
    CompletableFuture<List<R>> result() {
        return result;
    }

    /** How many inputs the call has. */
    int inputs() {
        return inputs;
    }

    /** How many inputs have their results now, for a time-out's message. */
    int inputsDone() {
        int done = 0;
        for (int i = 0, n = created; i < n; i++) {
            TaskFuture<?> f = chunks[i];
            if (f.state() == Future.State.SUCCESS) {
                Object part = f.resultNow();
                done += part instanceof Object[] a ? a.length : PackedList.of(part).size();
            }
        }
        return done;
    }

    /** Told by each chunk as it completes, on the completing thread. */
    private void chunkDone(TaskFuture<?> f) {
        if (f.isCompletedExceptionally()) {
            Throwable e = f.isCancelled() ? new CancellationException() : f.exceptionNow();
            if (result.completeExceptionally(e)) {
                cancelAll(false);
            }
            return;
        }
        Object part = f.resultNow();
        if (part instanceof Object[] a) {
            int at = (int) ((Chunk) f.task()).firstIndex();
            System.arraycopy(a, 0, gathered(), at, a.length);
        } else {
            packed = true;
        }
        if ((int) REMAINING.getAndAdd(this, -1) == 1) {
            result.complete(list());
        }
    }

    private Object[] gathered() {
        Object[] g = gathered;
        if (g == null) {
            g = new Object[inputs];
            if (!GATHERED.compareAndSet(this, null, g)) {
                g = gathered;
            }
        }
        return g;
    }

    /** The results of every chunk, in input order: all chunks have succeeded. */
    private List<R> list() {
        if (!packed) {
            @SuppressWarnings("unchecked")
            List<R> cast = (List<R>) (List<?>) PackedList.adopt(gathered);
            return cast;
        }
        List<Object> parts = new ArrayList<>(chunks.length);
        for (TaskFuture<?> f : chunks) {
            parts.add(f.resultNow()); // an Object[], or Packed from a worker JVM
        }
        PackedList joined = PackedList.concat(parts);
        if (joined != null) {
            @SuppressWarnings("unchecked")
            List<R> cast = (List<R>) (List<?>) joined;
            return cast;
        }
        List<R> results = new ArrayList<>(inputs);
        for (Object part : parts) {
            for (Object r : PackedList.of(part)) {
                @SuppressWarnings("unchecked")
                R cast = (R) r;
                results.add(cast);
            }
        }
        return results;
    }
}
