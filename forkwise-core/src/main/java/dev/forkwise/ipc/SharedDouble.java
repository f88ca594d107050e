package dev.forkwise.ipc;

import java.io.Serial;
import java.util.function.DoubleUnaryOperator;

/**
 * A {@code double} in shared memory (Python's {@code Value('d', 0.0)}), atomic across processes. It
 * is kept as its IEEE 754 bits in a {@code long}, so {@link #compareAndSet} compares bit patterns,
 * as {@link Double#equals} does ({@code NaN} equals {@code NaN}, {@code 0.0} does not equal {@code
 * -0.0}).
 *
 * <p>Memory consistency effects: every operation is a volatile or atomic access of the same memory
 * in every process, so a write happens-before every read that sees it, in any process.
 */
public final class SharedDouble extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    private static final long VALUE = Segment.HEADER;

    SharedDouble(Segment s) {
        super(s);
    }

    /**
     * Creates a shared double, owned by the calling process.
     *
     * @param initial its value
     * @return the double
     */
    public static SharedDouble create(double initial) {
        SharedDouble d = new SharedDouble(newSegment(Segment.Kind.DOUBLE, 64));
        d.set(initial);
        return d;
    }

    private long bits() {
        try {
            return (long) Segment.LONG.getVolatile(memory, VALUE);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * @return the value
     */
    public double get() {
        return Double.longBitsToDouble(bits());
    }

    /**
     * @param v the new value
     */
    public void set(double v) {
        try {
            Segment.LONG.setVolatile(memory, VALUE, Double.doubleToRawLongBits(v));
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * @param v the new value
     * @return the previous value
     */
    public double getAndSet(double v) {
        try {
            return Double.longBitsToDouble(
                    (long) Segment.LONG.getAndSet(memory, VALUE, Double.doubleToRawLongBits(v)));
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * @param expected the value it must have (its bits)
     * @param update the value it gets then
     * @return whether it had {@code expected}
     */
    public boolean compareAndSet(double expected, double update) {
        try {
            return Segment.LONG.compareAndSet(
                    memory,
                    VALUE,
                    Double.doubleToRawLongBits(expected),
                    Double.doubleToRawLongBits(update));
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Atomically adds {@code delta} (a compare-and-set loop: there is no hardware add of doubles).
     *
     * @param delta what to add
     * @return the new value
     */
    public double addAndGet(double delta) {
        return updateAndGet(v -> v + delta);
    }

    /**
     * Atomically replaces the value with {@code fn(value)}: a compare-and-set loop in the calling
     * process, so {@code fn} may run more than once and must have no side effects.
     *
     * @param fn the update
     * @return the new value
     */
    public double updateAndGet(DoubleUnaryOperator fn) {
        while (true) {
            long prev = bits();
            double next = fn.applyAsDouble(Double.longBitsToDouble(prev));
            try {
                if (Segment.LONG.compareAndSet(
                        memory, VALUE, prev, Double.doubleToRawLongBits(next))) {
                    return next;
                }
            } catch (IllegalStateException e) {
                throw closed(e);
            }
        }
    }

    @Override
    public String toString() {
        return segment.isClosed() ? super.toString() : Double.toString(get());
    }
}
