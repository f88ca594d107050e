package dev.forkwise.engine;

import dev.forkwise.Fn;
import dev.forkwise.TaskFailedException;
import dev.forkwise.codec.PackedList;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The iterator behind {@code imap} and {@code imapUnordered}: it pulls inputs only as the consumer
 * asks for results, and keeps at most {@code window} chunks in flight.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Everything happens on the consumer's thread: {@link #hasNext()} first tops the window up from
 * the source, then waits for the next chunk (the oldest one when ordered; whichever completes first
 * when unordered, through a completion queue that each chunk's future feeds), then tops the window
 * up again so workers stay busy while the consumer handles the chunk's results. No background
 * thread reads the source, so an infinite or slow source costs nothing until it is consumed.
 *
 * <p>On the first failure (a task threw, a chunk was cancelled, a null input, the pool shut down)
 * every chunk in flight is cancelled and the iterator is closed before the exception is thrown.
 *
 * <p>Not thread-safe: one consumer, as with any {@link java.util.stream.Stream}.
 */
final class LazyMap<R> implements Iterator<R> {

    private final PoolEngine pool;
    private final String label;
    private final Fn<Object, ?> fn;
    private final Iterator<?> source;
    private final int chunkSize;
    private final int window;
    private final boolean ordered;

    /** Ordered: chunks in input order. */
    private final ArrayDeque<TaskFuture<?>> queue = new ArrayDeque<>();

    /** Unordered: chunks in flight, and those completed but not yet consumed. */
    private final Set<TaskFuture<?>> inFlight = new LinkedHashSet<>();

    private final LinkedBlockingQueue<TaskFuture<?>> completed = new LinkedBlockingQueue<>();

    private long nextIndex;
    private List<Object> current; // the current chunk's results
    private int pos;
    private boolean closed;

    LazyMap(
            PoolEngine pool,
            String label,
            Fn<Object, ?> fn,
            Iterator<?> source,
            int chunkSize,
            int window,
            boolean ordered) {
        this.pool = pool;
        this.label = label;
        this.fn = fn;
        this.source = source;
        this.chunkSize = chunkSize;
        this.window = window;
        this.ordered = ordered;
    }

    @Override
    public boolean hasNext() {
        while (true) {
            if (current != null && pos < current.size()) {
                return true;
            }
            current = null;
            fill();
            TaskFuture<?> next = takeNext();
            if (next == null) {
                return false;
            }
            current = await(next);
            pos = 0;
            fill();
        }
    }

    @SuppressWarnings("unchecked")
    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException(label + " has no more results");
        }
        return (R) current.get(pos++);
    }

    /** Cancels every chunk in flight; the iterator then ends. Idempotent. */
    void close() {
        closed = true;
        current = null;
        for (TaskFuture<?> f : ordered ? queue : inFlight) {
            f.cancel(true);
        }
        queue.clear();
        inFlight.clear();
        completed.clear();
    }

    private int outstanding() {
        return ordered ? queue.size() : inFlight.size();
    }

    private void fill() {
        try {
            while (!closed && outstanding() < window && source.hasNext()) {
                List<Object> items = new ArrayList<>(chunkSize);
                long first = nextIndex;
                while (items.size() < chunkSize && source.hasNext()) {
                    Object item = source.next();
                    if (item == null) {
                        throw new NullPointerException(
                                label
                                        + " input #"
                                        + nextIndex
                                        + " is null: forkwise does not pass null inputs"
                                        + Inputs.NULL_FIX);
                    }
                    items.add(item);
                    nextIndex++;
                }
                Chunk chunk = new Chunk(label, fn, items.toArray(), first);
                TaskFuture<?> f = pool.dispatchBulk(chunk, chunk);
                if (ordered) {
                    queue.add(f);
                } else {
                    inFlight.add(f);
                    f.whenComplete((r, e) -> completed.add(f));
                }
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private TaskFuture<?> takeNext() {
        if (closed || outstanding() == 0) {
            return null;
        }
        if (ordered) {
            return queue.poll();
        }
        try {
            TaskFuture<?> f = completed.take();
            inFlight.remove(f);
            return f;
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    private List<Object> await(TaskFuture<?> f) {
        try {
            return PackedList.of(f.get()); // Packed when it came from a worker JVM: boxed as read
        } catch (ExecutionException e) {
            close();
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new TaskFailedException(f.description(), e.getCause());
        } catch (CancellationException e) {
            close();
            throw e;
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    private CancellationException interrupted() {
        close();
        Thread.currentThread().interrupt();
        return new CancellationException(
                label + " was interrupted while waiting for a result; its tasks were cancelled");
    }
}
