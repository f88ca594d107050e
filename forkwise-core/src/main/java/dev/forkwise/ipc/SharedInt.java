package dev.forkwise.ipc;

import java.io.Serial;
import java.util.function.IntUnaryOperator;

/**
 * An {@code int} in shared memory (Python's {@code Value('i', 0)}): atomic across processes, as
 * {@link SharedLong} is for a {@code long}.
 *
 * <p>Memory consistency effects: every operation is a volatile or atomic access of the same memory
 * in every process, so a write happens-before every read that sees it, in any process.
 */
public final class SharedInt extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    private static final long VALUE = Segment.HEADER;

    SharedInt(Segment s) {
        super(s);
    }

    /**
     * Creates a shared int, owned by the calling process.
     *
     * @param initial its value
     * @return the int
     */
    public static SharedInt create(int initial) {
        SharedInt i = new SharedInt(newSegment(Segment.Kind.INT, 64));
        i.set(initial);
        return i;
    }

    /**
     * @return the value
     */
    public int get() {
        try {
            return (int) Segment.INT.getVolatile(memory, VALUE);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * @param v the new value
     */
    public void set(int v) {
        try {
            Segment.INT.setVolatile(memory, VALUE, v);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * @param v the new value
     * @return the previous value
     */
    public int getAndSet(int v) {
        try {
            return (int) Segment.INT.getAndSet(memory, VALUE, v);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * @param delta what to add
     * @return the new value
     */
    public int addAndGet(int delta) {
        return getAndAdd(delta) + delta;
    }

    /**
     * @param delta what to add
     * @return the previous value
     */
    public int getAndAdd(int delta) {
        try {
            return (int) Segment.INT.getAndAdd(memory, VALUE, delta);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * @return the new value
     */
    public int incrementAndGet() {
        return addAndGet(1);
    }

    /**
     * @param expected the value it must have
     * @param update the value it gets then
     * @return whether it had {@code expected}
     */
    public boolean compareAndSet(int expected, int update) {
        try {
            return Segment.INT.compareAndSet(memory, VALUE, expected, update);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Atomically replaces the value with {@code fn(value)}: a compare-and-set loop in the calling
     * process, so {@code fn} may run more than once and must have no side effects.
     *
     * @param fn the update
     * @return the new value
     */
    public int updateAndGet(IntUnaryOperator fn) {
        int prev = get();
        while (true) {
            int next = fn.applyAsInt(prev);
            if (compareAndSet(prev, next)) {
                return next;
            }
            prev = get();
        }
    }

    @Override
    public String toString() {
        return segment.isClosed() ? super.toString() : Integer.toString(get());
    }
}
