package dev.forkwise.ipc;

import dev.forkwise.shm.IdleStrategy;

import java.io.Serial;
import java.time.Duration;

/**
 * Permits shared by threads and processes (Python's {@code multiprocessing.Semaphore}); the permits
 * a process holds come back when it dies.
 *
 * <h2>Implementation overview</h2>
 *
 * <p>The semaphore counts, per process, how many permits that process holds, in a table of {@value
 * #SLOTS} slots {@code (pid, start, count)} behind a robust {@link Mutex}; the free permits are
 * {@code initial + released - sum(counts)}. A process that gives back its last permit frees its
 * slot. A process that died still has its slot: a waiter that finds no free permit checks the
 * holders every {@link Mutex#CHECK_NANOS} and empties the slots of dead ones ({@link #reclaimed()}
 * counts their permits), and so does a process that finds the table full. Every change to the table
 * is one store under the mutex, so a process that dies in the middle of one leaves it consistent.
 *
 * <p>Permits belong to processes, not threads: any thread of a process may release a permit another
 * of its threads acquired. Releasing more than the process holds adds permits, as {@link
 * java.util.concurrent.Semaphore#release()} does.
 *
 * <p>Memory consistency effects: actions in a thread before it releases happen before actions in a
 * thread after it acquires the permit.
 */
public final class SharedSemaphore extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    /** How many processes can hold permits at once. */
    public static final int SLOTS = 64;

    private static final long MUTEX = Segment.HEADER;
    private static final long INITIAL = MUTEX + Mutex.BYTES;
    private static final long EXTRA = INITIAL + 8;
    private static final long RECLAIMED = INITIAL + 16;

    /** The most permits that may be free at once, for a bounded semaphore; 0 when unbounded. */
    private static final long BOUND = INITIAL + 24;

    private static final long TABLE = INITIAL + 64;
    private static final long SLOT = 24;

    private final transient Mutex mutex;

    SharedSemaphore(Segment s) {
        super(s);
        this.mutex = new Mutex(memory, MUTEX);
    }

    /** Creates a semaphore with {@code permits} permits, owned by the calling process. */
    public static SharedSemaphore create(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException(
                    "a semaphore's permits must be 0 or more, not " + permits);
        }
        SharedSemaphore s =
                new SharedSemaphore(
                        newSegment(Segment.Kind.SEMAPHORE, TABLE - Segment.HEADER + SLOTS * SLOT));
        Segment.LONG.setVolatile(s.memory, INITIAL, (long) permits);
        return s;
    }

    /**
     * Creates a bounded semaphore (Python's {@code BoundedSemaphore}): a {@link #release()} that
     * would make more than {@code permits} permits free throws, as a release without its acquire is
     * a bug.
     *
     * @param permits the permits, at least 1, and the most that may ever be free
     * @return the semaphore, owned by the calling process
     */
    public static SharedSemaphore createBounded(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException(
                    "a bounded semaphore needs at least 1 permit, not " + permits);
        }
        SharedSemaphore s = create(permits);
        Segment.LONG.setVolatile(s.memory, BOUND, (long) permits);
        return s;
    }

    /** Waits for a permit and takes it. */
    public void acquire() throws InterruptedException {
        acquire(-1);
    }

    /** Takes a permit if one is free now. */
    public boolean tryAcquire() {
        try {
            return acquire(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits up to {@code timeout} for a permit; returns whether it took one. */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        return acquire(Math.max(0, timeout.toNanos()));
    }

    private boolean acquire(long nanos) throws InterruptedException {
        long began = System.nanoTime();
        long nextCheck = began;
        IdleStrategy b = IdleStrategy.forPrimitives();
        while (true) {
            boolean reclaim = b.parking() && System.nanoTime() - nextCheck >= 0 || nanos == 0;
            if (reclaim) {
                nextCheck = System.nanoTime() + Mutex.CHECK_NANOS;
            }
            lock();
            try {
                if (reclaim) {
                    reclaimDead();
                }
                if (free() > 0) {
                    long slot = mySlot();
                    Segment.LONG.setVolatile(
                            memory,
                            slot + 16,
                            (long) Segment.LONG.getVolatile(memory, slot + 16) + 1);
                    return true;
                }
            } finally {
                mutex.release();
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (nanos >= 0 && System.nanoTime() - began >= nanos) {
                return false;
            }
            b.idle();
        }
    }

    /**
     * Returns a permit.
     *
     * @throws IllegalStateException on a bounded semaphore, if every permit is already free
     */
    public void release() {
        lock();
        try {
            long bound = (long) Segment.LONG.getVolatile(memory, BOUND);
            if (bound > 0 && free() >= bound) {
                throw new IllegalStateException(
                        this
                                + " is bounded to "
                                + bound
                                + " permits and all "
                                + bound
                                + " are free: this release has no acquire to match (Python's"
                                + " BoundedSemaphore raises ValueError here)");
            }
            long slot = findSlot();
            long held = slot < 0 ? 0 : (long) Segment.LONG.getVolatile(memory, slot + 16);
            if (held > 1) {
                Segment.LONG.setVolatile(memory, slot + 16, held - 1);
            } else if (held == 1) {
                // its last permit back: the slot is free for another process (a pool that recycles
                // its workers would otherwise fill the table with processes that hold nothing)
                Segment.LONG.setVolatile(memory, slot + 16, 0L);
                Segment.LONG.setVolatile(memory, slot, 0L);
            } else {
                Segment.LONG.setVolatile(
                        memory, EXTRA, (long) Segment.LONG.getVolatile(memory, EXTRA) + 1);
            }
        } finally {
            mutex.release();
        }
    }

    /**
     * @return the permits free now, counting those of dead holders as held until reclaimed
     */
    public int availablePermits() {
        lock();
        try {
            return (int) free();
        } finally {
            mutex.release();
        }
    }

    /**
     * @return how many permits have come back from processes that died holding them
     */
    public long reclaimed() {
        return (long) Segment.LONG.getVolatile(memory, RECLAIMED);
    }

    private void lock() {
        try {
            mutex.acquire(-1, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private long free() {
        long held = 0;
        for (int i = 0; i < SLOTS; i++) {
            long at = TABLE + i * SLOT;
            if ((long) Segment.LONG.getVolatile(memory, at) != 0) {
                held += (long) Segment.LONG.getVolatile(memory, at + 16);
            }
        }
        return (long) Segment.LONG.getVolatile(memory, INITIAL)
                + (long) Segment.LONG.getVolatile(memory, EXTRA)
                - held;
    }

    private void reclaimDead() {
        for (int i = 0; i < SLOTS; i++) {
            long at = TABLE + i * SLOT;
            long pid = (long) Segment.LONG.getVolatile(memory, at);
            if (pid != 0
                    && pid != Owners.PID
                    && !Owners.alive(pid, (long) Segment.LONG.getVolatile(memory, at + 8))) {
                long count = (long) Segment.LONG.getVolatile(memory, at + 16);
                // the slot is free once pid is 0; its count is ignored until it is claimed again
                Segment.LONG.setVolatile(memory, at, 0L);
                Segment.LONG.getAndAdd(memory, RECLAIMED, count);
            }
        }
    }

    private long findSlot() {
        for (int i = 0; i < SLOTS; i++) {
            long at = TABLE + i * SLOT;
            if ((long) Segment.LONG.getVolatile(memory, at) == Owners.PID
                    && (long) Segment.LONG.getVolatile(memory, at + 8) == Owners.START) {
                return at;
            }
        }
        return -1;
    }

    private long mySlot() {
        long at = findSlot();
        if (at >= 0) {
            return at;
        }
        at = freeSlot();
        if (at < 0) {
            reclaimDead(); // slots of processes that died holding permits come back
            at = freeSlot();
        }
        if (at < 0) {
            throw new IllegalStateException(
                    "more than "
                            + SLOTS
                            + " live processes hold permits of this semaphore at once");
        }
        // count and start first: the slot counts only once pid is written
        Segment.LONG.setVolatile(memory, at + 16, 0L);
        Segment.LONG.setVolatile(memory, at + 8, Owners.START);
        Segment.LONG.setVolatile(memory, at, Owners.PID);
        return at;
    }

    private long freeSlot() {
        for (int i = 0; i < SLOTS; i++) {
            long at = TABLE + i * SLOT;
            if ((long) Segment.LONG.getVolatile(memory, at) == 0) {
                return at;
            }
        }
        return -1;
    }
}
