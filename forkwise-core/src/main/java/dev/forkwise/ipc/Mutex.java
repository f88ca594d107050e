package dev.forkwise.ipc;

import dev.forkwise.shm.IdleStrategy;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * A robust mutual-exclusion word in shared memory: held by one thread of one process at a time, and
 * taken over when its holder dies, like a POSIX robust mutex's {@code EOWNERDEAD}.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *   +0 owner  (pid &lt;&lt; 32 | thread number; 0 = free)
 *   +8 owner's process start time (identifies the pid's process)
 *  +16 how many times a dead holder's lock was taken over
 * </pre>
 *
 * <p>24 bytes; callers give it a cache line of its own ({@link #BYTES}).
 *
 * <h2>Concurrency</h2>
 *
 * <p>Acquiring is a compare-and-set of {@code owner} from 0 to the caller's word; releasing is a
 * release store of 0. Both are full hardware atomics on the same physical memory in every process,
 * so the usual lock guarantees hold across processes: everything a holder wrote before it released
 * is visible to the next holder after it acquired.
 *
 * <p>A waiter spins, yields, then parks ({@link IdleStrategy}); once parking it checks every {@link
 * #CHECK_NANOS} whether the holder is alive ({@link Owners#dead}). If it is not, the waiter
 * compare-and-sets {@code owner} from the dead word to its own: exactly one waiter wins, and it is
 * told ({@link #OWNER_DIED}).
 *
 * <p>The owner and start-time words cannot change together, so their order matters. A holder writes
 * its start time just after it takes the owner word, and clears it to 0 just before it releases; a
 * waiter reads the owner word, then the start time, then the owner word again. So the start time a
 * waiter reads is either that holder's or 0, never a previous holder's (which would make a live
 * holder look dead); with 0 it asks only whether the holder's pid is alive.
 */
final class Mutex {

    /** Bytes a mutex takes, padded to a cache line. */
    static final long BYTES = MutexDescriptor.LENGTH;

    /** How often a parked waiter looks whether the holder is still alive. */
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** {@link #acquire} got the lock. */
    static final int ACQUIRED = 0;

    /** {@link #acquire} got the lock from a holder that had died holding it. */
    static final int OWNER_DIED = 1;

    /** {@link #acquire} ran out of time. */
    static final int TIMED_OUT = -1;

    private final MemorySegment m;
    private final long owner;
    private final long start;
    private final long deaths;

    Mutex(MemorySegment memory, long offset) {
        this.m = memory;
        this.owner = offset + MutexDescriptor.OWNER_OFFSET;
        this.start = offset + MutexDescriptor.START_OFFSET;
        this.deaths = offset + MutexDescriptor.DEATHS_OFFSET;
    }

    /**
     * One attempt, no waiting, that also takes the lock over from a dead holder: {@link #ACQUIRED},
     * {@link #OWNER_DIED}, or {@link #TIMED_OUT} when a live holder has it. Whether the holder
     * lives is looked at most every {@link #CHECK_NANOS} per mutex handle, so a loop of {@code
     * tryLock()} on a lock a live process holds costs a compare-and-set each time.
     */
    int tryAcquireNow() {
        long me = Owners.me();
        if (tryAcquire(me)) {
            return ACQUIRED;
        }
        long w = (long) Segment.LONG.getVolatile(m, owner);
        long now = System.nanoTime();
        if (w != 0 && w != me && now - nextCheck >= 0) {
            nextCheck = now + CHECK_NANOS;
            if (takeOverIfDead(w, me)) {
                return OWNER_DIED;
            }
        }
        return TIMED_OUT;
    }

    /**
     * When {@link #tryAcquireNow} may next look whether the holder lives (racy by design: a hint).
     */
    private volatile long nextCheck = System.nanoTime();

    /** One attempt, no waiting. */
    boolean tryAcquire(long me) {
        if (Segment.LONG.compareAndSet(m, owner, 0L, me)) {
            Segment.LONG.setRelease(m, start, Owners.START);
            return true;
        }
        return false;
    }

    /**
     * Acquires, waiting up to {@code timeoutNanos} (negative: forever).
     *
     * @param interruptible whether an interrupt ends the wait with {@link InterruptedException}
     *     (otherwise the thread's interrupt status is kept and the wait goes on)
     * @return {@link #ACQUIRED}, {@link #OWNER_DIED} or {@link #TIMED_OUT}
     */
    int acquire(long timeoutNanos, boolean interruptible) throws InterruptedException {
        long me = Owners.me();
        if (tryAcquire(me)) {
            return ACQUIRED;
        }
        long w = (long) Segment.LONG.getVolatile(m, owner);
        if (w == me) {
            throw new IllegalStateException(
                    "this thread already holds the lock, and a shared lock is not reentrant");
        }
        long began = System.nanoTime();
        long nextCheck = 0;
        boolean interrupted = false;
        IdleStrategy backoff = IdleStrategy.forPrimitives();
        try {
            while (true) {
                backoff.idle();
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
                w = (long) Segment.LONG.getVolatile(m, owner);
                if (w == 0 && tryAcquire(me)) {
                    return ACQUIRED;
                }
                long now = System.nanoTime();
                if (w != 0 && backoff.parking() && now - nextCheck >= 0) {
                    nextCheck = now + CHECK_NANOS;
                    if (takeOverIfDead(w, me)) {
                        return OWNER_DIED;
                    }
                }
                if (timeoutNanos >= 0 && now - began >= timeoutNanos) {
                    // a last look: the holder may have died while we waited
                    return w != 0 && takeOverIfDead(w, me) ? OWNER_DIED : TIMED_OUT;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean takeOverIfDead(long w, long me) {
        long s = (long) Segment.LONG.getAcquire(m, start);
        if ((long) Segment.LONG.getVolatile(m, owner) != w) {
            return false; // changed hands meanwhile: s may belong to another holder
        }
        if (s == 0 && Owners.pidOf(w) != Owners.PID) {
            // not yet written: the holder has only just taken it, so it was alive a moment ago
            // unless its process is gone altogether
            if (Owners.alive(Owners.pidOf(w), 0)) {
                return false;
            }
        } else if (!Owners.dead(w, s)) {
            return false;
        }
        if (Segment.LONG.compareAndSet(m, owner, w, me)) {
            Segment.LONG.setRelease(m, start, Owners.START);
            Segment.LONG.getAndAdd(m, deaths, 1L);
            return true;
        }
        return false;
    }

    /** Releases; throws if the caller does not hold it. */
    void release() {
        long me = Owners.me();
        if ((long) Segment.LONG.getVolatile(m, owner) != me) {
            throw new IllegalMonitorStateException("the calling thread does not hold this lock");
        }
        // the start word first: a waiter that sees the next holder's owner word must never pair
        // it with this holder's start time (it would judge a live holder dead)
        Segment.LONG.setVolatile(m, start, 0L);
        Segment.LONG.setRelease(m, owner, 0L);
    }

    /**
     * @return whether the calling thread holds it
     */
    boolean heldByMe() {
        return (long) Segment.LONG.getVolatile(m, owner) == Owners.me();
    }

    /**
     * @return whether anyone holds it
     */
    boolean held() {
        return (long) Segment.LONG.getVolatile(m, owner) != 0;
    }

    /**
     * @return how many times a dead holder's lock has been taken over
     */
    long takeOvers() {
        return (long) Segment.LONG.getVolatile(m, deaths);
    }
}
