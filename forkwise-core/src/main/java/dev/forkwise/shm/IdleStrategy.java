package dev.forkwise.shm;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for another process through shared memory, where there is no cross-process
 * park: it spins for a while (a hand-off between busy processes is caught at once), then yields its
 * core between looks, then parks for growing intervals up to a ceiling. A long wait costs about a
 * thousand wake-ups a second and no busy CPU; what it gives up is up to the ceiling of latency
 * after a long wait. The one idle strategy of forkwise's shared memory (Agrona's {@code
 * BackoffIdleStrategy} is the model): the IPC primitives and the worker channel differ only in its
 * constants.
 *
 * <p>A waiter that has a better way to sleep than parking (a blocking read that the writer wakes)
 * looks while {@link #parking()} is false and then sleeps its own way.
 *
 * <p>Not thread-safe: one per waiting thread, {@link #reset()} at the start of each wait.
 */
public final class IdleStrategy {

    private final long spinNanos;
    private final long lookNanos;
    private final long minParkNanos;
    private final long maxParkNanos;
    private long started;
    private long park;

    private IdleStrategy(long spinNanos, long lookNanos, long minParkNanos, long maxParkNanos) {
        this.spinNanos = spinNanos;
        this.lookNanos = lookNanos;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        reset();
    }

    /**
     * For the IPC primitives (locks, queues, pipes, events): spin 100 µs, yield until 500 µs, then
     * park from 20 µs, doubling, up to 1 ms. Their waits are often long (a consumer waiting for
     * work), and a spin catches a peer that is about to publish.
     *
     * @return a new strategy
     */
    public static IdleStrategy forPrimitives() {
        return new IdleStrategy(100_000, 500_000, 20_000, 1_000_000);
    }

    /**
     * For a worker's channel ({@code ShmLink}): no spin, yield for 100 µs, then park from 10 µs,
     * doubling, up to 1 ms. It yields rather than spins: on a machine with few cores the thread it
     * waits for may need the very core it would spin on. A reader sleeps on its socket instead of
     * parking, once {@link #parking()}.
     *
     * @return a new strategy
     */
    public static IdleStrategy forChannel() {
        return new IdleStrategy(0, 100_000, 10_000, 1_000_000);
    }

    /**
     * Starts a new wait.
     *
     * @return this
     */
    public IdleStrategy reset() {
        started = 0;
        park = minParkNanos;
        return this;
    }

    /** Waits a little, more the longer this wait has gone on. */
    public void idle() {
        long now = System.nanoTime();
        if (started == 0) {
            started = now;
        }
        long waited = now - started;
        if (waited < spinNanos) {
            Thread.onSpinWait();
        } else if (waited < lookNanos) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, maxParkNanos);
        }
    }

    /**
     * Returns whether this wait has reached the parking stage: a good time for slow checks (a
     * peer's death), or to sleep another way.
     *
     * @return true once the wait has gone on past its spinning and yielding
     */
    public boolean parking() {
        return started != 0 && System.nanoTime() - started >= lookNanos;
    }
}
