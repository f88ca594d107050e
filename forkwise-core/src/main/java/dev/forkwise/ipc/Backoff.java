package dev.forkwise.ipc;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for another process: there is no cross-process park, so it spins for a few
 * microseconds (a hand-off between busy processes is caught at once), then yields, then parks for
 * growing intervals up to {@link #MAX_PARK_NANOS}. A long wait costs about a thousand wake-ups a
 * second and no busy CPU; what it gives up is up to a millisecond of latency after a long wait.
 */
final class Backoff {

    static final long SPIN_NANOS = 100_000;
    static final long YIELD_NANOS = 500_000;
    static final long MIN_PARK_NANOS = 20_000;
    static final long MAX_PARK_NANOS = 1_000_000;

    private long started;
    private long park;

    /** Starts a new wait. */
    Backoff reset() {
        started = 0;
        park = MIN_PARK_NANOS;
        return this;
    }

    Backoff() {
        reset();
    }

    /** Waits a little, more the longer this wait has gone on. */
    void idle() {
        long now = System.nanoTime();
        if (started == 0) {
            started = now;
        }
        long waited = now - started;
        if (waited < SPIN_NANOS) {
            Thread.onSpinWait();
        } else if (waited < YIELD_NANOS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, MAX_PARK_NANOS);
        }
    }

    /** @return whether this wait has reached the parking stage (a good time for slow checks) */
    boolean parking() {
        return started != 0 && System.nanoTime() - started >= YIELD_NANOS;
    }
}
