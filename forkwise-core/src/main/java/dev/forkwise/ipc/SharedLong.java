package dev.forkwise.ipc;

import java.io.Serial;
import java.util.function.LongUnaryOperator;

/**
 * A {@code long} in shared memory that every process holding the handle reads and updates
 * atomically: Python's {@code multiprocessing.Value('q')}, without its lock (the updates are
 * hardware atomics, not a lock around a read and a write).
 *
 * {@snippet :
 * try (SharedLong counter = SharedLong.create(0); Pool pool = Pool.processes(4)) {
 *     pool.map(i -> counter.addAndGet(1), inputs);   // exact, from every worker
 * }
 * }
 *
 * <p>Memory consistency effects: every method has volatile semantics across processes (set is a
 * volatile store, get a volatile load, the updates are atomic read-modify-writes): writes made by
 * one process before it {@code set}s or updates the value are visible to another process after it
 * reads that value.
 */
public final class SharedLong extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    private static final long VALUE = Segment.HEADER;

    SharedLong(Segment s) {
        super(s);
    }

    /** Creates a shared long with this initial value, owned by the calling process. */
    public static SharedLong create(long initial) {
        SharedLong l = new SharedLong(newSegment(Segment.Kind.LONG, 64));
        l.set(initial);
        return l;
    }

    public long get() {
        try {
            return (long) Segment.LONG.getVolatile(memory, VALUE);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    public void set(long v) {
        try {
            Segment.LONG.setVolatile(memory, VALUE, v);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    public long getAndSet(long v) {
        try {
            return (long) Segment.LONG.getAndSet(memory, VALUE, v);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    public long addAndGet(long delta) {
        try {
            return (long) Segment.LONG.getAndAdd(memory, VALUE, delta) + delta;
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    public long getAndAdd(long delta) {
        try {
            return (long) Segment.LONG.getAndAdd(memory, VALUE, delta);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    public long incrementAndGet() {
        return addAndGet(1);
    }

    public long getAndIncrement() {
        return getAndAdd(1);
    }

    public long decrementAndGet() {
        return addAndGet(-1);
    }

    /**
     * Atomically replaces the value with {@code fn(value)} and returns it: a compare-and-set loop
     * in the calling process, so {@code fn} may run more than once and must have no side effects.
     *
     * @param fn the update
     * @return the new value
     */
    public long updateAndGet(LongUnaryOperator fn) {
        long prev = get();
        while (true) {
            long next = fn.applyAsLong(prev);
            if (compareAndSet(prev, next)) {
                return next;
            }
            prev = get();
        }
    }

    /** Sets the value to {@code update} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSet(long expected, long update) {
        try {
            return Segment.LONG.compareAndSet(memory, VALUE, expected, update);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    public String toString() {
        return segment.isClosed() ? super.toString() : Long.toString(get());
    }
}
