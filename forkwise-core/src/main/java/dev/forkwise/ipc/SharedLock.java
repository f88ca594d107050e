package dev.forkwise.ipc;

import java.io.Serial;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Mutual exclusion across threads and processes (Python's {@code multiprocessing.Lock}) that a dead
 * holder cannot leave locked.
 *
 * {@snippet :
 * try (SharedLock lock = SharedLock.create(); SharedLong total = SharedLong.create(0)) {
 *     pool.submit(() -> {
 *         lock.lock();
 *         try {
 *             if (lock.ownerDied()) {
 *                 // the last holder died inside: check or repair what the lock protects
 *             }
 *             total.set(total.get() + 1);
 *         } finally {
 *             lock.unlock();
 *         }
 *         return null;
 *     });
 * }
 * }
 *
 * <p><b>A dead holder.</b> If the thread or process that holds the lock dies (a crash, a {@code
 * SIGKILL}, a hard timeout), the next thread that waits for it takes it over within about {@value
 * #TAKE_OVER_MILLIS} ms and its {@link #ownerDied()} is true until it unlocks, like a robust POSIX
 * mutex's {@code EOWNERDEAD}: the lock is held, and what it protects may be half-updated.
 *
 * <p><b>Conditions.</b> {@link #newCondition()} makes a {@link SharedCondition} that threads of any
 * process wait on with the lock released, as with {@link java.util.concurrent.locks.Condition}.
 *
 * <p><b>Waiting.</b> A waiter spins for a few microseconds, then parks for growing intervals up to
 * a millisecond: a long wait costs no busy CPU. The lock is not fair and not reentrant: locking it
 * again from the thread that holds it throws {@link IllegalStateException} instead of deadlocking
 * ({@link SharedReentrantLock} is reentrant).
 *
 * <p>Memory consistency effects: actions in a thread (of any process) before it unlocks <i>happen
 * before</i> actions in the thread (of any process) that next locks it, for the lock's own memory
 * and for all shared memory: the release is a release store and the acquire a full atomic
 * compare-and-set on the same physical word.
 */
public final class SharedLock extends LockHandle {

    @Serial private static final long serialVersionUID = 1L;

    /** About how long a dead holder keeps a waiter waiting, at most. */
    public static final long TAKE_OVER_MILLIS = 100;

    SharedLock(Segment s) {
        super(s);
    }

    /** Creates an unlocked lock, owned by the calling process. */
    public static SharedLock create() {
        return new SharedLock(newSegment(Segment.Kind.LOCK, LockDescriptor.PAYLOAD_LENGTH));
    }

    /** Waits until the lock is free and takes it (an interrupt does not end the wait). */
    @Override
    public void lock() {
        try {
            try {
                took(mutex.acquire(-1, false));
            } catch (InterruptedException e) {
                throw new AssertionError("an uninterruptible wait was interrupted", e);
            }
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        try {
            took(mutex.acquire(-1, true));
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    public boolean tryLock() {
        try {
            return took(mutex.tryAcquireNow()); // a dead holder is found here too, not only by the
            // waiting forms
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /** Waits up to {@code timeout} for the lock; returns whether it was taken. */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        try {
            return took(mutex.acquire(Math.max(0, timeout.toNanos()), true));
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        try {
            return took(mutex.acquire(Math.max(0, unit.toNanos(time)), true));
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    private boolean took(int how) {
        if (how == Mutex.TIMED_OUT) {
            return false;
        }
        ownerDied = how == Mutex.OWNER_DIED;
        return true;
    }

    /**
     * Releases the lock. @throws IllegalMonitorStateException if the calling thread does not hold
     * it
     */
    @Override
    public void unlock() {
        try {
            ownerDied = false;
            mutex.release();
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    int releaseAll() {
        unlock();
        return 1;
    }

    @Override
    void reacquire(int holds) {
        lock();
    }
}
