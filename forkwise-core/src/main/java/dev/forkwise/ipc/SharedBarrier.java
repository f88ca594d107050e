package dev.forkwise.ipc;

import dev.forkwise.shm.IdleStrategy;

import java.io.Serial;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * A meeting point for a fixed number of parties across threads and processes (Python's {@code
 * multiprocessing.Barrier}, Java's {@link java.util.concurrent.CyclicBarrier}): each {@link
 * #await()} waits until all parties have arrived, then all go on and the barrier is ready for the
 * next round.
 *
 * <p>A party that dies before it arrives would hold the others for ever, and no one can tell it was
 * expected: wait with {@link #await(Duration)}. A timed-out wait breaks the barrier, and every
 * waiter, now and later, gets {@link BrokenBarrierException} until {@link #reset()}.
 *
 * <p>Memory consistency effects: actions in a party before it arrives happen before actions of
 * every party after that round's {@code await} returns.
 */
public final class SharedBarrier extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    private static final long MUTEX = Segment.HEADER;
    private static final long PARTIES = MUTEX + Mutex.BYTES;
    private static final long ARRIVED = PARTIES + 8;
    private static final long BROKEN = PARTIES + 16;
    private static final long ROUND = PARTIES + 64;

    private final transient Mutex mutex;

    SharedBarrier(Segment s) {
        super(s);
        this.mutex = new Mutex(memory, MUTEX);
    }

    /** Creates a barrier for {@code parties} parties, owned by the calling process. */
    public static SharedBarrier create(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("a barrier needs 1 party or more, not " + parties);
        }
        SharedBarrier b =
                new SharedBarrier(newSegment(Segment.Kind.BARRIER, ROUND + 64 - Segment.HEADER));
        Segment.LONG.setVolatile(b.memory, PARTIES, (long) parties);
        return b;
    }

    /**
     * @return the number of parties
     */
    public int parties() {
        return (int) (long) Segment.LONG.getVolatile(memory, PARTIES);
    }

    /**
     * Arrives and waits for the others.
     *
     * @return the arrival index: {@code parties() - 1} for the first to arrive, 0 for the last
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return await(-1);
        } catch (TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** Arrives and waits up to {@code timeout}; a timeout breaks the barrier. */
    public int await(Duration timeout)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        return await(Math.max(0, timeout.toNanos()));
    }

    private int await(long nanos)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        long round;
        int index;
        lock();
        try {
            round = (long) Segment.LONG.getVolatile(memory, ROUND);
            if (broken(round)) {
                throw new BrokenBarrierException();
            }
            long arrived = (long) Segment.LONG.getVolatile(memory, ARRIVED) + 1;
            index = (int) (parties() - arrived);
            if (index == 0) {
                Segment.LONG.setVolatile(memory, ARRIVED, 0L);
                Segment.LONG.setVolatile(memory, ROUND, round + 1);
                return 0;
            }
            Segment.LONG.setVolatile(memory, ARRIVED, arrived);
        } finally {
            mutex.release();
        }
        long began = System.nanoTime();
        IdleStrategy b = IdleStrategy.forPrimitives();
        while (true) {
            if (broken(round)) {
                throw new BrokenBarrierException();
            }
            if ((long) Segment.LONG.getVolatile(memory, ROUND) != round) {
                return index;
            }
            if (Thread.interrupted()) {
                breakIt(round);
                throw new InterruptedException();
            }
            if (nanos >= 0 && System.nanoTime() - began >= nanos) {
                if (breakIt(round)) {
                    throw new TimeoutException(
                            "not all "
                                    + parties()
                                    + " parties arrived in time; the barrier is broken");
                }
                continue; // the round ended (or broke) just now: the checks above say which
            }
            b.idle();
        }
    }

    /** Breaks this round unless it has already ended; returns whether it broke it. */
    private boolean breakIt(long round) {
        lock();
        try {
            if ((long) Segment.LONG.getVolatile(memory, ROUND) != round) {
                return false;
            }
            Segment.LONG.setVolatile(memory, BROKEN, round + 1);
            return true;
        } finally {
            mutex.release();
        }
    }

    /**
     * @return whether a wait timed out or was interrupted since the last {@link #reset()}
     */
    public boolean isBroken() {
        return broken((long) Segment.LONG.getVolatile(memory, ROUND));
    }

    /** BROKEN holds the number of the broken round plus one (0: none). */
    private boolean broken(long round) {
        return (long) Segment.LONG.getVolatile(memory, BROKEN) == round + 1;
    }

    /**
     * Starts a new round: parties waiting in the current one get {@link BrokenBarrierException}.
     */
    public void reset() {
        lock();
        try {
            long round = (long) Segment.LONG.getVolatile(memory, ROUND);
            Segment.LONG.setVolatile(memory, BROKEN, round + 1);
            Segment.LONG.setVolatile(memory, ARRIVED, 0L);
            Segment.LONG.setVolatile(memory, ROUND, round + 1);
        } finally {
            mutex.release();
        }
    }

    private void lock() {
        try {
            mutex.acquire(-1, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
